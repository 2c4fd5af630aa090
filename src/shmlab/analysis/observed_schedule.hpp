// The schedule that replays a run the OS scheduled: derived from what the run observed, never from
// timestamps' guesses. Each cell's writes are put in their true order (the id each write replaced,
// where the backend told; on the file backend the stamps around each write, and two writes that
// overlapped make the order unknown: no schedule, and the reason says which); each read and
// verify goes between the write it saw and the next one; a lock's holders follow the order in
// which it was granted. Any order of the steps that keeps those constraints gives the same
// values, the same lost writes and erasers and the same VERIFY verdicts; of those, the one closest
// to the times the steps began is given. Method and limits: docs/replay.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "shmlab/run/run_record.hpp"
#include "shmlab/schedule/schedule.hpp"

namespace shmlab {

// Runs longer than this many steps are not captured (the schedule would not be read or typed).
inline constexpr std::size_t kMaxObservedSteps = 20'000;

struct ObservedSchedule {
  std::vector<ScheduleToken> tokens;  // every step, with its letter
  std::string reason;                 // why there is none; empty when captured
  bool captured() const { return reason.empty(); }
};

// For a completed run without --schedule; a run under a schedule, a crashed or stopped one, a
// trace that dropped steps or an ambiguous order give a reason instead.
ObservedSchedule observe_schedule(const RunRecord& record);

}  // namespace shmlab
