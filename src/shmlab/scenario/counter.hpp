// The `counter` scenario (the seed): each operation increments one shared counter. CounterOp runs
// one operation as the steps its strategy's family gives it (see sync/strategy.hpp), logs each
// write for attribution before making it, and VERIFY re-reads to label what happened since.
#pragma once

#include <cstdint>
#include <span>

#include "shmlab/control/control_block.hpp"
#include "shmlab/region/region.hpp"
#include "shmlab/scenario/step_context.hpp"
#include "shmlab/sync/lock.hpp"
#include "shmlab/sync/strategy.hpp"

namespace shmlab {

struct OpOutcome {
  CounterRecord read;
  CounterRecord written;
  std::uint64_t retries = 0;      // failed C, or busy transactions, redone
  std::int64_t lock_wait_ns = 0;  // time spent acquiring the lock
  bool recovered = false;         // the lock was taken over from a dead owner
};

class CounterOp {
 public:
  // `worker_index` is 0-based; `log` is this worker's write log (may be empty: not logged).
  // Throws std::system_error when the backend fails, or when a transaction stays busy past its
  // bounded retries: an increment is never silently skipped.
  CounterOp(const RunParams& params, std::uint32_t worker_index, Region& region, Lock* lock,
            std::span<WriteEntry> log);

  OpOutcome run(std::uint64_t op, StepContext& ctx);
  VerifyOutcome verify(std::uint64_t op, const CounterRecord& written, StepContext& ctx);
  // What the last verify() read.
  const CounterRecord& last_verified() const { return last_verified_; }

 private:
  CounterRecord next(const CounterRecord& read, std::uint64_t op) const;
  void log_write(std::uint64_t op, const CounterRecord& read, const CounterRecord& written);
  void finish_log(std::uint64_t op);
  // R (and the window, and the next record); W (`done`: the write is final, not a transaction's).
  void read_step(std::uint64_t op, StepContext& ctx, OpOutcome& out);
  void write_step(std::uint64_t op, StepContext& ctx, OpOutcome& out, bool done);
  void run_locked(std::uint64_t op, StepContext& ctx, OpOutcome& out);
  void run_atomic(std::uint64_t op, StepContext& ctx, OpOutcome& out);
  void run_cas(std::uint64_t op, StepContext& ctx, OpOutcome& out);
  void run_transaction(std::uint64_t op, StepContext& ctx, OpOutcome& out);

  const RunParams& params_;
  std::uint32_t index_;
  Region& region_;
  Lock* lock_;
  Family family_;
  std::uint32_t cell_;         // the cell this worker reads and writes (its own under `sharded`)
  std::span<WriteEntry> log_;  // empty: writes are not logged (too many, or not attributable)
  CounterRecord last_verified_;
};

}  // namespace shmlab
