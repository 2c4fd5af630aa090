// Scheduler: the coordinator's side of a scheduled run (SPEC §3). It waits until every worker is at
// a step boundary, grants exactly one step, and waits for that worker's next boundary before the
// next grant, so the steps happen in the schedule's order. It knows who holds the lock because it
// granted every L and U: an L for a worker while another holds the lock is reported as blocked.
// A worker that died (--crash, or killed) counts as finished; the tokens still naming it are
// skipped, not errors — the run goes on without it and reports the crash (docs/faults.md).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "shmlab/control/control_block.hpp"
#include "shmlab/schedule/schedule.hpp"

namespace shmlab {

class Scheduler {
 public:
  enum class Progress {
    kWaiting,  // a worker has not reached its next boundary within the budget; call again
    kDone,     // every worker has taken its last step
    kError,    // the schedule cannot be followed; error() says why and names the token
  };

  // With a chooser, the steps after spec's tokens are asked of it, one at a time.
  Scheduler(ControlBlock& control, ScheduleSpec spec, StepChooser chooser = {});

  // Grants steps for at most about `budget_ns`. `alive(i)` says whether worker i (0-based) still
  // runs: a worker that died between boundaries is treated as finished.
  Progress advance(std::int64_t budget_ns, const std::function<bool(std::uint32_t)>& alive);

  const std::string& error() const { return error_; }
  // A database backend: `waiting(i)` says whether worker i's granted step is a statement the
  // server keeps waiting for a row lock (evidence from the server, not a timeout). Such a worker
  // keeps the token it was granted; the others go on, and it reaches its next boundary when the
  // lock's holder commits or rolls back (docs/postgres.md "Schedules").
  void set_server_wait(std::function<bool(std::uint32_t)> waiting) {
    server_wait_ = std::move(waiting);
  }
  // The schedule to print and to replay: as given, or as drawn for random:SEED (every step).
  std::string schedule() const;
  // Every step granted in order, implicit V steps and the tail included ("1R 2R 1W 2W 1V 2V").
  std::string taken() const { return format_schedule(taken_); }
  // The L steps granted at a deadlock that their workers never completed (each blocked in its
  // lock until the run was stopped): not in taken().
  std::string blocked_steps() const { return format_schedule(blocked_); }
  // The tokens passed over because their worker had died, in order.
  const std::vector<SkippedToken>& skipped() const { return skipped_; }

 private:
  struct WorkerGate {
    std::uint32_t next = 0;  // the letter it waits to be granted; 0: not at a boundary
    std::uint32_t lock = 0;  // the lock of that L or U (per-account locks; 0 otherwise)
    bool finished = false;
    bool died = false;
    bool in_server_wait = false;  // its granted statement waits in the server for a row lock
  };

  bool blocked(std::uint32_t index) const;
  std::uint32_t holder_of(std::uint32_t index) const { return holders_[gates_[index].lock]; }
  // Every unfinished worker is blocked by a lock a live, unfinished worker holds: grants their
  // L's anyway, so that the workers really block and the lock table shows the cycle.
  bool grant_deadlock();
  // Chooses the next grant; false with error_ set when the schedule cannot be followed, false
  // with error_ empty when every worker has finished.
  bool choose(std::uint32_t& index);
  bool choose_token(std::uint32_t& index);
  void grant(std::uint32_t index);
  bool fail(std::string message);

  ControlBlock& control_;
  ScheduleSpec spec_;
  std::vector<WorkerGate> gates_;
  std::size_t position_ = 0;  // next token of an explicit schedule
  // Lock id → 1-based worker holding it, 0: none (one lock, or one per account).
  std::vector<std::uint32_t> holders_;
  bool stalled_ = false;  // granted L's that cannot be taken: a deadlock the coordinator finds
  std::mt19937_64 rng_;
  std::vector<ScheduleToken> drawn_;  // random:SEED
  std::vector<ScheduleToken> taken_;
  std::vector<ScheduleToken> blocked_;
  std::vector<SkippedToken> skipped_;
  std::string error_;
  StepChooser chooser_;
  bool undecided_ = false;  // the chooser has no answer yet
  std::function<bool(std::uint32_t)> server_wait_;
  // Whether L and U take and release a lock the scheduler tracks; not so for a postgres
  // transaction, whose L is BEGIN (the row locks are the server's: server_wait_ sees them).
  bool tracks_locks_ = true;
  // postgres transaction, for-update: L is a BEGIN that waits for nothing.
  bool l_is_begin_ = false;
};

}  // namespace shmlab
