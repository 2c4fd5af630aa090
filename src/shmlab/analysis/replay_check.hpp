// --replay-check: a run the OS scheduled, compared with the run of its observed schedule on fresh
// processes (same backend, strategy, scenario): what must be the same for the schedule to be the
// run's — the final cells, the lost writes and their erasers, every VERIFY verdict, the operations
// that took effect or were declined.
#pragma once

#include <string>
#include <vector>

#include "shmlab/analysis/result.hpp"

namespace shmlab {

struct ReplayCheck {
  bool ran = false;                      // false: nothing to replay (no schedule captured)
  std::vector<std::string> differences;  // empty: confirmed by replay
  bool confirmed() const { return ran && differences.empty(); }
};

ReplayCheck compare_replay(const RunResult& original, const RunResult& replay);

}  // namespace shmlab
