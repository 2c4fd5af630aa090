// The control block: one POSIX shm object per run that holds everything but the data itself —
// header (magic, version, size, owner), the run's parameters, the start barrier, the lock words
// of the strategies, one slot per worker, each worker's write log for exact attribution, and each
// worker's trace ring (control/trace_ring.hpp).
// The coordinator creates and unlinks it; workers attach by name. Offsets, never pointers.
#pragma once

#include <pthread.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "shmlab/control/params.hpp"
#include "shmlab/control/start_barrier.hpp"
#include "shmlab/control/trace_ring.hpp"
#include "shmlab/sys/shm_object.hpp"

namespace shmlab {

inline constexpr std::uint64_t kControlMagic = 0x31434c4d48534bULL;  // "KSHMLC1"
inline constexpr std::uint32_t kControlVersion = 6;

// Writes are logged for attribution only up to this many operations in all (W × N); above it the
// result says attribution was skipped rather than guessing.
inline constexpr std::uint64_t kMaxLoggedWrites = 1u << 20;

// Trace rings: room for every step of every operation (a bank transfer under per-account locks is
// L L R R W W U U; then a retry or two), bounded per
// worker and in all so that a long run's control block stays a few MiB; beyond that a ring keeps
// the newest events and counts the dropped ones.
inline constexpr std::uint64_t kTraceEventsPerOp = 10;
inline constexpr std::uint64_t kTraceMaxPerWorker = 1u << 16;
inline constexpr std::uint64_t kTraceMinPerWorker = 256;
inline constexpr std::uint64_t kTraceMaxTotal = 1u << 18;
std::uint64_t trace_capacity_for(const RunParams& params);

// Where each part of a control block lies, from its parameters alone: ControlBlock::create lays a
// block out so, and control_header_problem checks a block's offsets against it.
struct ControlLayout {
  std::uint64_t slots_offset = 0;
  std::uint64_t write_log_offset = 0;  // 0: writes are not logged
  std::uint64_t trace_offset = 0;
  std::uint64_t trace_stride = 0;
  std::uint64_t total_size = 0;  // whole pages
};
ControlLayout control_layout(const RunParams& params);

enum class WorkerState : std::uint32_t {
  kSpawned,  // slot reserved, process not yet attached
  kReady,    // attached, waiting at the barrier
  kRunning,
  kDone,    // finished every operation
  kFailed,  // reported an error and exited
};

// Done or failed: the worker will change nothing more.
inline bool has_ended(WorkerState s) {
  return s == WorkerState::kDone || s == WorkerState::kFailed;
}

// What a worker is doing now, packed in WorkerSlot::activity for the watchdog: the Step letter it
// is in (0 between steps), plus kActivityWaiting while it is blocked acquiring something.
inline constexpr std::uint32_t kActivityWaiting = 0x100;

// One logged write of the worker's op-th operation (writes_per_op(params) entries per operation:
// a bank transfer writes two cells). A write id is 1 + worker_index * N + op, the same for every
// cell one operation writes; id 0 is a cell's initial record. Lineages are per cell.
// What a write says it replaced: `replaced` is exact only where the backend told (kReplacedExact:
// an exchange of the word, the UPDATE that kept the old id); elsewhere (file) the write happened
// somewhere in [t_before_ns, t_write_ns], and writes whose intervals overlap are of unknown order.
struct WriteEntry {
  enum Flag : std::uint32_t {
    kLogged = 1,         // the entry was filled (a write of 0 is a write too)
    kReplacedExact = 2,  // `replaced` came from the write itself
  };
  std::uint64_t based_on = 0;  // id of the write whose record this one read (0 = initial)
  std::int64_t value_read = 0;
  std::int64_t value_written = 0;
  std::int64_t t_write_ns = 0;   // CLOCK_MONOTONIC right after the write
  std::uint32_t cell = 0;        // the cell written
  std::uint32_t logged = 0;      // Flag bits; 0: never filled
  std::uint64_t replaced = 0;    // id of the record this write replaced (with kReplacedExact)
  std::int64_t t_before_ns = 0;  // CLOCK_MONOTONIC right before the write
};
static_assert(std::is_trivially_copyable_v<WriteEntry>);

struct alignas(64) WorkerSlot {
  std::atomic<std::int32_t> pid{0};
  std::atomic<WorkerState> state{WorkerState::kSpawned};
  std::atomic<std::uint64_t> ops{0};            // operations completed
  std::atomic<std::uint64_t> writes_logged{0};  // entries of the write log filled
  std::atomic<std::uint64_t> retries{0};
  std::atomic<std::uint64_t> lock_wait_ns{0};
  std::atomic<std::uint64_t> verify_changed{0};      // VERIFY: changed since my write
  std::atomic<std::uint64_t> verify_overwritten{0};  // VERIFY: value below what I wrote
  std::atomic<std::uint64_t> torn_reads{0};
  std::atomic<std::uint64_t> recoveries{0};   // e.g. EOWNERDEAD taken over from a dead owner
  std::atomic<std::int64_t> heartbeat_ns{0};  // last step boundary, for the watchdog
  std::atomic<std::uint32_t> activity{0};     // step letter | kActivityWaiting
  // Schedule gate (SPEC §3): the worker publishes the step it wants next and sleeps on `granted`.
  std::atomic<std::uint32_t> gate_wanted{0};
  std::atomic<std::uint32_t> gate_granted{0};
  // The lock id of the L or U step it publishes in gate_wanted (per-account locks).
  std::atomic<std::uint32_t> gate_lock{0};
  // Lock table (deadlock detection): the lock id + 1 it is blocked acquiring, 0: none.
  std::atomic<std::uint32_t> waiting_for{0};
  // Operations that took effect (a sale, a transfer) and that were declined (no stock, no money).
  std::atomic<std::uint64_t> completed{0};
  std::atomic<std::uint64_t> declined{0};
  // Steps that left a cell below 0 (an atomic add that overdrew an account: it says so itself).
  std::atomic<std::uint64_t> overdrafts{0};
  // Auditor (bank --auditor): snapshots read and those whose total was wrong.
  std::atomic<std::uint64_t> audits{0};
  std::atomic<std::uint64_t> audits_inconsistent{0};
  // --pause: when this worker stopped itself (CLOCK_MONOTONIC; 0: not yet), and when the
  // coordinator resumed it (SIGCONT; 0: not yet).
  std::atomic<std::int64_t> paused_ns{0};
  std::atomic<std::int64_t> resumed_ns{0};
  // `lease`: releases that found the lease no longer this worker's (it had expired; another may
  // have written meanwhile), and late writes the storage refused (--fencing).
  std::atomic<std::uint64_t> leases_expired{0};
  std::atomic<std::uint64_t> fenced_out{0};
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  char error[128] = {};  // a worker's environment failure, for the coordinator's report
};

// One entry of the lock table: a per-account lock (account-locks, ordered-locks) and who holds
// it, so that the coordinator can find a cycle in the wait-for graph (WorkerSlot::waiting_for).
struct alignas(64) LockTableEntry {
  pthread_mutex_t mutex;
  std::atomic<std::int32_t> holder{0};  // 1-based worker holding it, 0: none
};

struct alignas(64) ControlHeader {
  std::uint64_t magic = 0;
  std::uint32_t version = 0;
  std::uint32_t header_size = 0;
  std::uint64_t total_size = 0;
  std::int32_t owner_pid = 0;
  std::uint32_t owner_uid = 0;
  std::int64_t created_ms = 0;
  RunParams params;
  std::uint64_t slots_offset = 0;
  std::uint64_t write_log_offset = 0;  // 0: writes are not logged (too many)
  std::uint64_t trace_offset = 0;      // first worker's TraceRingHeader
  std::uint64_t trace_stride = 0;      // bytes from one worker's ring to the next

  alignas(64) StartBarrier start;
  // Set by the coordinator to make every worker stop at its next step boundary.
  std::atomic<std::uint32_t> abort{0};
  // 1 once the coordinator kept the run's objects (--keep): `shmlab clean` leaves them unless
  // --all.
  std::atomic<std::uint32_t> kept{0};
  // explore's worker pool (explore/worker_pool.hpp): bumped (and woken, a futex) to hand the next
  // interleaving to workers that finished the previous one; 0 in an ordinary run.
  std::atomic<std::uint32_t> round{0};

  // Lock words of the strategies that keep them in shared memory.
  alignas(64) pthread_mutex_t mutex;
  alignas(64) std::atomic<std::uint32_t> spin{0};
  alignas(64) std::atomic<std::int32_t> holder{0};  // 1-based worker id holding the lock, 0: none
  // The lock table: one robust mutex per account (bank's account-locks and ordered-locks).
  LockTableEntry locks[kMaxAccounts];
};

static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(std::atomic<std::int64_t>::is_always_lock_free);
static_assert(sizeof(WorkerSlot) % 64 == 0);

// A mapped control block. ControlBlock::create is the coordinator's (it unlinks on destruction
// unless kept); ControlBlock::attach is the worker's and `inspect`'s, and validates the header.
class ControlBlock {
 public:
  static ControlBlock create(const RunParams& params);
  // The same layout in an anonymous mapping of this process only (memfd): the replica a worker
  // on another host keeps, joined to the coordinator's through the database
  // (run/control_relay.hpp). name() is "".
  static ControlBlock create_private(const RunParams& params);
  // Validates magic, version, size and owner uid; throws std::system_error otherwise.
  static ControlBlock attach(const std::string& name);

  ControlHeader& header() const { return *static_cast<ControlHeader*>(object_.data()); }
  const RunParams& params() const { return header().params; }
  WorkerSlot& slot(std::uint32_t worker_index) const;
  std::span<WorkerSlot> slots() const;
  // The bank's auditor (--auditor): one more slot after the workers'.
  WorkerSlot& auditor_slot() const;
  // The write log of one worker (empty when writes are not logged).
  std::span<WriteEntry> write_log(std::uint32_t worker_index) const;
  bool logs_writes() const { return header().write_log_offset != 0; }
  // One worker's trace ring (its owner appends, the coordinator reads after it ended).
  TraceRing trace(std::uint32_t worker_index) const;

  const std::string& name() const { return object_.name(); }
  void keep() noexcept {
    header().kept.store(1, std::memory_order_relaxed);
    object_.disown();
  }
  void unlink() noexcept { object_.unlink(); }

  static std::size_t size_for(const RunParams& params);

 private:
  explicit ControlBlock(sys::ShmObject object) : object_(std::move(object)) {}
  // Lays a new block out in `object` (size_for(params) zeroed bytes).
  static sys::ShmObject format(sys::ShmObject object, const RunParams& params);
  sys::ShmObject object_;
};

std::uint64_t write_id(std::uint32_t worker_index, std::uint64_t op, std::uint64_t increments);

}  // namespace shmlab
