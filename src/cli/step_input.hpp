// `shmlab run --step`: the person at the keyboard is the scheduler. StepInput is the Scheduler's
// chooser: each turn it shows every worker's next step (on a terminal), reads one word (a worker's
// number, or a token such as 2W) and hands back the step to grant. On a pipe it reads
// whitespace-separated words without showing the turns, so tests can drive it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shmlab/schedule/schedule.hpp"

namespace shmlab::cli {

class StepInput {
 public:
  // Reads from `in`, writes turns and complaints to `out` (the log's descriptor).
  StepInput(int in, int out);

  // The Scheduler's StepChooser: nullopt while no complete word has arrived (it polls `in` for a
  // moment, so the coordinator keeps watching signals and workers); worker 0 at end of input.
  std::optional<ScheduleToken> operator()(const std::vector<GateView>& views);

  bool terminal() const { return terminal_; }

 private:
  void show(const std::vector<GateView>& views);
  // Takes the next whole word from what was read; false when there is none yet.
  bool next_word(std::string& word);
  void say(const std::string& text) const;

  int in_;
  int out_;
  bool terminal_;
  std::string buffer_;
  bool eof_ = false;
  bool shown_ = false;
  std::uint64_t turn_ = 0;
};

}  // namespace shmlab::cli
