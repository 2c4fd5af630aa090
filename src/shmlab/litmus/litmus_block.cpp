#include "shmlab/litmus/litmus_block.hpp"

#include <unistd.h>

#include <cstring>
#include <new>

#include "shmlab/sys/align.hpp"
#include "shmlab/sys/syscall.hpp"

namespace shmlab::litmus {
namespace {

constexpr std::size_t cells_offset() { return sizeof(LitmusHeader); }

std::size_t registers_offset(std::uint32_t capacity, std::uint32_t thread) {
  return cells_offset() + sizeof(IterationCells) * capacity +
         thread * sys::align_up(sizeof(Registers) * capacity, 64);
}

}  // namespace

std::size_t LitmusBlock::size_for(std::uint32_t threads, std::uint32_t capacity) {
  return sys::align_up(registers_offset(capacity, threads), 4096);
}

LitmusBlock LitmusBlock::create(const std::string& name, LitmusSpec spec) {
  spec.magic = 0;
  spec.version = kLitmusVersion;
  spec.owner_uid = ::getuid();
  spec.owner_pid = ::getpid();
  spec.total_size = size_for(spec.threads, spec.capacity);
  sys::ShmObject object = sys::ShmObject::create(name, spec.total_size);
  auto* h = new (object.data()) LitmusHeader{};
  h->spec = spec;
  auto* cells =
      reinterpret_cast<IterationCells*>(static_cast<char*>(object.data()) + cells_offset());
  for (std::uint32_t i = 0; i < spec.capacity; ++i) new (&cells[i]) IterationCells{};
  // The magic goes last: a worker that sees it sees a complete header.
  std::atomic_thread_fence(std::memory_order_release);
  h->spec.magic = kLitmusMagic;
  spec.magic = kLitmusMagic;
  return LitmusBlock(std::move(object), spec);
}

LitmusBlock LitmusBlock::attach(const std::string& name) {
  sys::ShmObject object = sys::ShmObject::open(name, sizeof(LitmusHeader));
  LitmusSpec spec;
  std::memcpy(&spec, object.data(), sizeof(spec));
  const std::string call = sys::call_name("attach", name);
  if (spec.magic != kLitmusMagic) sys::throw_errno(call + ": not a shmlab litmus block", EINVAL);
  const bool known = static_cast<std::size_t>(spec.test) < all_litmus_tests().size() &&
                     static_cast<std::size_t>(spec.order) < all_access_orders().size();
  if (spec.version != kLitmusVersion || !known || spec.threads != litmus_info(spec.test).threads ||
      spec.capacity == 0 || spec.capacity > kMaxBatch || spec.total_size != object.size() ||
      spec.total_size != size_for(spec.threads, spec.capacity)) {
    sys::throw_errno(call + ": header does not match the object", EINVAL);
  }
  if (spec.owner_uid != ::getuid()) sys::throw_errno(call + ": owned by another user", EPERM);
  return LitmusBlock(std::move(object), spec);
}

IterationCells* LitmusBlock::cells() const {
  return reinterpret_cast<IterationCells*>(static_cast<char*>(shm_.data()) + cells_offset());
}

Registers* LitmusBlock::registers(std::uint32_t thread) const {
  return reinterpret_cast<Registers*>(static_cast<char*>(shm_.data()) +
                                      registers_offset(spec_.capacity, thread));
}

}  // namespace shmlab::litmus
