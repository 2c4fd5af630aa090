#include "shmlab/control/bench_block.hpp"

#include <unistd.h>

#include <new>

#include "shmlab/sys/align.hpp"
#include "shmlab/sys/syscall.hpp"

namespace shmlab {
namespace {

constexpr std::size_t slots_offset() { return sys::align_up(sizeof(BenchHeader), 64); }

}  // namespace

std::size_t BenchBlock::size_for(std::uint32_t workers) {
  return sys::align_up(slots_offset() + sizeof(BenchWorkerSlot) * workers, 4096);
}

BenchBlock BenchBlock::create(const std::string& name, const BenchSpec& spec) {
  const std::size_t size = size_for(spec.workers);
  sys::ShmObject object = sys::ShmObject::create(name, size);
  auto* h = new (object.data()) BenchHeader{};
  h->version = kBenchVersion;
  h->header_size = sizeof(BenchHeader);
  h->total_size = size;
  h->owner_pid = ::getpid();
  h->owner_uid = ::getuid();
  h->spec = spec;
  h->slots_offset = slots_offset();
  pthread_mutexattr_t attr;
  ::pthread_mutexattr_init(&attr);
  ::pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  ::pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  const int err = ::pthread_mutex_init(&h->mutex, &attr);
  ::pthread_mutexattr_destroy(&attr);
  if (err != 0) sys::throw_errno(sys::call_name("pthread_mutex_init", name), err);
  auto* slots =
      reinterpret_cast<BenchWorkerSlot*>(static_cast<char*>(object.data()) + h->slots_offset);
  for (std::uint32_t i = 0; i < spec.workers; ++i) new (&slots[i]) BenchWorkerSlot{};
  // The magic goes last: a worker that sees it sees a complete header.
  std::atomic_thread_fence(std::memory_order_release);
  h->magic = kBenchMagic;
  return BenchBlock(std::move(object));
}

BenchBlock BenchBlock::attach(const std::string& name) {
  sys::ShmObject object = sys::ShmObject::open(name, sizeof(BenchHeader));
  const auto* h = static_cast<const BenchHeader*>(object.data());
  const std::string call = sys::call_name("attach", name);
  if (h->magic != kBenchMagic) sys::throw_errno(call + ": not a shmlab bench block", EINVAL);
  if (h->version != kBenchVersion || h->header_size != sizeof(BenchHeader) ||
      h->total_size != object.size() || h->spec.workers == 0 || h->spec.workers > kMaxWorkers ||
      h->total_size != size_for(h->spec.workers)) {
    sys::throw_errno(call + ": header does not match the object", EINVAL);
  }
  if (h->owner_uid != ::getuid()) sys::throw_errno(call + ": owned by another user", EPERM);
  return BenchBlock(std::move(object));
}

std::span<BenchWorkerSlot> BenchBlock::slots() const {
  auto* base = static_cast<char*>(object_.data()) + header().slots_offset;
  return {reinterpret_cast<BenchWorkerSlot*>(base), header().spec.workers};
}

}  // namespace shmlab
