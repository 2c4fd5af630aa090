// --crash W@POINT[:K] (SPEC §2): which worker SIGKILLs itself, at which named point of its K-th
// operation. The parser, the points' names, and which points each strategy has a use for: a point
// a strategy never passes through (before-lock under `none`) is refused rather than never firing.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "shmlab/control/params.hpp"

namespace shmlab {

std::string_view crash_point_name(CrashPoint point);
std::span<const CrashPoint> all_crash_points();  // every point but kNone, in step order

// "2@locked", "1@after-read:3". Throws UsageError naming --crash and the accepted forms.
CrashSpec parse_crash_spec(std::string_view text);
std::string format_crash_spec(const CrashSpec& spec);  // "" when spec.worker == 0

// The points a worker passes through under `strategy` (its family's steps).
std::span<const CrashPoint> crash_points_for(Strategy strategy);

// Checks a parsed spec against the run: W <= workers, K <= increments, and a point the strategy
// passes through. Throws UsageError naming --crash.
void check_crash_spec(const CrashSpec& spec, const RunParams& params);

// --pause W@POINT:MS: worker W stops itself (SIGSTOP) at POINT of the first operation that passes
// it, and the coordinator resumes it MS ms later. Throws UsageError naming --pause.
PauseSpec parse_pause_spec(std::string_view text);
std::string format_pause_spec(const PauseSpec& spec);  // "" when spec.worker == 0
// W <= workers, and a point the strategy passes through. Throws UsageError naming --pause.
void check_pause_spec(const PauseSpec& spec, const RunParams& params);

}  // namespace shmlab
