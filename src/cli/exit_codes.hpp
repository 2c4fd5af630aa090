// Exit codes (SPEC §5). The CLI is the only layer that knows them.
#pragma once

#include "shmlab/analysis/result.hpp"

namespace shmlab::cli {

inline constexpr int kExitOk = 0;           // completed, shared state correct
inline constexpr int kExitEnvironment = 1;  // cannot create shared memory, disk full, bad region
inline constexpr int kExitUsage = 2;        // unknown option, bad value, impossible pair
inline constexpr int kExitLost = 3;         // completed, updates lost or an invariant broke
inline constexpr int kExitFault = 4;        // a worker crashed or the watchdog stopped the run

inline int exit_code_for(const RunResult& r) {
  switch (r.outcome) {
    case Outcome::kCorrect:
      return kExitOk;
    case Outcome::kLost:
      return kExitLost;
    case Outcome::kWorkerFault:
      return kExitFault;
    case Outcome::kEnvironment:
      return kExitEnvironment;
    case Outcome::kInterrupted:
      return 128 + r.record.signal;
  }
  return kExitEnvironment;
}

}  // namespace shmlab::cli
