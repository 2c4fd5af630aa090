// StepModel: an abstract model of the steps a counter operation takes under a strategy (SPEC §3
// letters, without V, which cannot change the outcome). `explore` searches it to count the
// interleavings and to find extreme ones, then runs them on real processes to confirm; it never
// stands in for a real run. Its tail rule is the Scheduler's: the lowest-numbered worker that can
// move takes the next step.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "shmlab/control/params.hpp"
#include "shmlab/schedule/schedule.hpp"

namespace shmlab {

class StepModel {
 public:
  struct Worker {
    std::uint64_t ops = 0;   // operations completed
    std::uint8_t phase = 0;  // index into the family's steps
    std::int64_t read = 0;   // the value its R saw
  };
  struct State {
    std::vector<std::int64_t> cells;  // the counter; one cell per worker under `sharded`
    std::vector<Worker> workers;
    std::uint32_t holder = 0;  // 1-based worker holding the lock, 0: none
  };

  StepModel(Strategy strategy, std::uint32_t workers, std::uint64_t increments);

  State initial() const;
  std::uint32_t workers() const { return workers_; }
  std::int64_t expected() const { return static_cast<std::int64_t>(workers_ * increments_); }
  bool finished(const State& s, std::uint32_t worker) const;  // 0-based worker
  bool done(const State& s) const;
  // Not finished and not waiting for a lock another holds.
  bool can_move(const State& s, std::uint32_t worker) const;
  Step next_step(const State& s, std::uint32_t worker) const;
  // Takes worker's next step (can_move must hold) and returns its token.
  ScheduleToken move(State& s, std::uint32_t worker) const;
  // Applies a token as the Scheduler would; false when it cannot be followed.
  bool apply(State& s, const ScheduleToken& token) const;
  // Runs the remaining steps by the tail rule, appending their tokens to `out` when given.
  void run_tail(State& s, std::vector<ScheduleToken>* out = nullptr) const;
  std::int64_t final_value(const State& s) const;
  // A compact byte string identifying the state, for memoisation.
  std::string key(const State& s) const;

 private:
  std::string_view steps_;  // the family's steps without V, e.g. "LRWU"
  bool sharded_;
  std::uint32_t workers_;
  std::uint64_t increments_;
};

}  // namespace shmlab
