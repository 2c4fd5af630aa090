// StepModel: the model `explore` searches. Each worker runs its scenario's Operation
// (scenario/scenario.hpp) — the very next_step()/take_step() the real workers run — against a
// Store made of the model's state instead of the region, so the model cannot drift from the code.
// V is left out (it reads, never writes). `explore` counts the interleavings and finds extreme
// ones on it, then runs them on real processes to confirm; it never stands in for a real run. Its
// tail rule is the Scheduler's: the lowest-numbered worker that can move takes the next step.
// On postgres, `transaction` and `for-update` of a one-row scenario (the counter, inventory) are
// the server's transactions, not locks of the model's (server_transactions(); docs/explore.md).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "shmlab/control/params.hpp"
#include "shmlab/scenario/scenario.hpp"
#include "shmlab/schedule/schedule.hpp"

namespace shmlab {

class StepModel {
 public:
  // A worker's transaction as the server sees it (server_transactions() only): BEGIN takes no
  // snapshot and waits for nothing; repeatable read and serializable take the snapshot at the first
  // statement; the first UPDATE (for-update: its SELECT … FOR UPDATE) takes the row's lock until
  // COMMIT or ROLLBACK, and waits for another open transaction's.
  struct Transaction {
    bool open = false;      // between BEGIN (L) and COMMIT or ROLLBACK (U)
    bool snapshot = false;  // repeatable read, serializable: taken, `seen` is the row in it
    bool stale = false;     // another transaction wrote the row and committed after the snapshot
    bool aborted = false;   // the server refused a statement (40001): the rest are skipped
    bool wrote = false;     // `own` is its uncommitted write
    std::int64_t seen = 0;
    std::int64_t own = 0;
  };
  struct Worker {
    std::uint64_t ops = 0;        // operations finished
    std::uint64_t completed = 0;  // of them, those that took effect (not declined)
    OpState op;                   // the operation in progress
    Transaction txn;
    // Transactions the server aborted (40001), each rolled back at its U and retried; not in
    // key(): what happens next does not depend on it.
    std::uint64_t aborts = 0;
  };
  struct State {
    std::vector<std::int64_t> cells;  // server_transactions(): the committed values
    std::vector<Worker> workers;
    std::vector<std::uint32_t> holders;  // lock id → 1-based worker holding it, 0: none
    std::uint32_t row_holder = 0;        // server_transactions(): the row's lock, 1-based
  };

  explicit StepModel(const RunParams& params);
  // The counter under `strategy` (the seed's scenario).
  StepModel(Strategy strategy, std::uint32_t workers, std::uint64_t increments);
  StepModel(const StepModel&) = delete;
  StepModel& operator=(const StepModel&) = delete;

  State initial() const;
  std::uint32_t workers() const { return params_.workers; }
  // The outcome measure of a correct run (the counter: W × N).
  std::int64_t expected() const;
  bool finished(const State& s, std::uint32_t worker) const;  // 0-based worker
  bool done(const State& s) const;
  // Not finished and not waiting for a lock another holds.
  bool can_move(const State& s, std::uint32_t worker) const;
  // Not done, and nobody can move: every unfinished worker waits for a lock another holds.
  bool deadlocked(const State& s) const;
  Step next_step(const State& s, std::uint32_t worker) const;
  // The same with the cell or lock it touches (explore --reduce: which steps conflict).
  StepPlan next_plan(const State& s, std::uint32_t worker) const;
  // Takes worker's next step (can_move must hold) and returns its token.
  ScheduleToken move(State& s, std::uint32_t worker) const;
  // Applies a token as the Scheduler would; false when it cannot be followed.
  bool apply(State& s, const ScheduleToken& token) const;
  // Runs the remaining steps by the tail rule, appending their tokens to `out` when given.
  void run_tail(State& s, std::vector<ScheduleToken>* out = nullptr) const;
  // The scenario's outcome measure: the counter's final value, units sold, total money.
  std::int64_t final_value(const State& s) const;
  // A compact byte string identifying the state, for memoisation.
  std::string key(const State& s) const;
  // postgres `transaction` (at params.isolation; serializable as repeatable read: with one row,
  // every two overlapping transactions write it, and the first updater wins) or `for-update`
  // (read committed), on a scenario of one row: L and U are BEGIN and COMMIT, and a W (for-update:
  // its R) cannot move while another open transaction holds the row's lock. Elsewhere L takes a
  // lock of the model's, as sqlite's BEGIN IMMEDIATE does.
  bool server_transactions() const { return server_; }
  // Transactions the server aborted (40001) so far, every worker's.
  std::uint64_t aborts(const State& s) const;

 private:
  // Whether `worker`'s next step waits for the row's lock, held by another's open transaction.
  bool waits_for_row(const State& s, std::uint32_t worker) const;

  RunParams params_;
  const ScenarioDef& scenario_;
  std::vector<std::unique_ptr<Operation>> ops_;  // one per worker (they refer to params_)
  bool server_ = false;
};

}  // namespace shmlab
