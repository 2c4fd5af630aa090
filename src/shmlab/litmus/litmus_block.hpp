// LitmusBlock: the shared memory of one litmus run (one test, one order): what to run and where
// each thread is pinned, the start barrier, the batch handshake with the coordinator, then a
// batch's fresh cells (one IterationCells per iteration) and each thread's registers.
// The coordinator creates and unlinks it; `shmlab litmus-worker` processes attach by name.
// Offsets, never pointers.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

#include "shmlab/control/start_barrier.hpp"
#include "shmlab/litmus/access_order.hpp"
#include "shmlab/litmus/iteration_cells.hpp"
#include "shmlab/litmus/litmus_test.hpp"
#include "shmlab/sys/shm_object.hpp"

namespace shmlab::litmus {

inline constexpr std::uint64_t kLitmusMagic = 0x31544c4c4d48534bULL;  // "KSHMLLT1"
inline constexpr std::uint32_t kLitmusVersion = 1;
inline constexpr std::uint32_t kMaxBatch = 1u << 16;

// What to run; trivially copyable, so a worker copies it once and checks the copy.
struct LitmusSpec {
  std::uint64_t magic = 0;  // written last by the creator
  std::uint32_t version = 0;
  std::uint32_t owner_uid = 0;
  std::int32_t owner_pid = 0;
  LitmusTest test = LitmusTest::kSB;
  AccessOrder order = AccessOrder::kRelaxed;
  std::uint32_t threads = 0;
  std::uint32_t capacity = 0;       // iterations per batch at most
  std::uint64_t total_size = 0;     // of the object
  std::int32_t cpu[kMaxThreads]{};  // the CPU each thread pins itself to; -1: not pinned
};

struct alignas(64) LitmusHeader {
  LitmusSpec spec;
  alignas(64) StartBarrier start;  // every worker attached (and pinned) before the first batch
  // The handshake: the coordinator writes the cells and batch_length, then bumps `batch` (release)
  // and wakes the workers; each runs the batch, adds one to `done` (release) and wakes it.
  alignas(64) std::atomic<std::uint32_t> batch{0};
  std::atomic<std::uint32_t> batch_length{0};
  std::atomic<std::uint32_t> stop{0};   // set with a last bump of `batch`: workers exit 0
  std::atomic<std::uint32_t> abort{0};  // a run that ends midway: spinners give up
  alignas(64) std::atomic<std::uint32_t> done{0};
  char error[kMaxThreads][128]{};  // a worker's failure, for the coordinator's message
};

static_assert(std::is_trivially_copyable_v<LitmusSpec>);
static_assert(sizeof(LitmusHeader) % 64 == 0);

class LitmusBlock {
 public:
  // Creates `name` exclusively; spec.magic, version, owner and size are filled in here.
  static LitmusBlock create(const std::string& name, LitmusSpec spec);
  // Attaches to a block created by another process; throws std::system_error naming `name` when
  // the object is not a litmus block of this user, or its sizes do not match.
  static LitmusBlock attach(const std::string& name);
  static std::size_t size_for(std::uint32_t threads, std::uint32_t capacity);

  LitmusHeader& header() const { return *static_cast<LitmusHeader*>(shm_.data()); }
  // The checked private copy of the spec (never re-read from the shared header).
  const LitmusSpec& spec() const { return spec_; }
  IterationCells* cells() const;
  Registers* registers(std::uint32_t thread) const;
  const std::string& name() const { return shm_.name(); }

 private:
  LitmusBlock(sys::ShmObject shm, const LitmusSpec& spec) : shm_(std::move(shm)), spec_(spec) {}
  sys::ShmObject shm_;
  LitmusSpec spec_;
};

}  // namespace shmlab::litmus
