// ScenarioOp: a worker's operations of its run's scenario on the real region. It drives the
// scenario's Operation (scenario.hpp) step by step — the same next_step()/take_step() the model
// of `explore` calls — over a Store made of the region, the strategy's lock (or the per-account
// locks, or SQLite's transaction) and the worker's write log, and tells the StepContext at every
// boundary. Each write is logged for attribution before it is made; VERIFY (the counter's) re-reads
// to label what happened since.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "shmlab/control/control_block.hpp"
#include "shmlab/region/region.hpp"
#include "shmlab/scenario/scenario.hpp"
#include "shmlab/scenario/step_context.hpp"
#include "shmlab/sync/account_locks.hpp"
#include "shmlab/sync/lock.hpp"

namespace shmlab {

struct OpOutcome {
  CounterRecord read;     // what the last R saw
  CounterRecord written;  // the last write (the counter's VERIFY compares with it)
  OpResult result = OpResult::kDone;
  std::uint64_t retries = 0;      // failed C, or busy transactions, redone
  std::int64_t lock_wait_ns = 0;  // time spent acquiring locks
  bool recovered = false;         // a lock was taken over from a dead owner
  std::uint64_t overdrafts = 0;   // writes or adds that left a cell below 0
  std::uint64_t fenced_out = 0;   // late writes the storage refused (lease --fencing), redone
};

class ScenarioOp {
 public:
  // `worker_index` is 0-based; `log` is this worker's write log (may be empty: not logged);
  // `accounts` the per-account locks (account-locks, ordered-locks). Throws std::system_error
  // when the backend fails, or when a transaction stays busy past its bounded retries: an
  // operation is never silently skipped.
  ScenarioOp(const RunParams& params, std::uint32_t worker_index, Region& region, Lock* lock,
             std::span<WriteEntry> log, AccountLocks* accounts = nullptr);
  ~ScenarioOp();
  ScenarioOp(const ScenarioOp&) = delete;
  ScenarioOp& operator=(const ScenarioOp&) = delete;

  OpOutcome run(std::uint64_t op, StepContext& ctx);
  VerifyOutcome verify(std::uint64_t op, const CounterRecord& written, StepContext& ctx);
  // What the last verify() read.
  const CounterRecord& last_verified() const { return last_verified_; }

 private:
  class Live;

  const RunParams& params_;
  std::uint32_t index_;
  Region& region_;
  Operation operation_;
  std::unique_ptr<Live> store_;
  CounterRecord last_verified_;
};

}  // namespace shmlab
