// `shmlab run --step` (`shmlab play`): the person at the keyboard is the scheduler. StepInput is
// the Scheduler's chooser: each turn it shows every worker's next step (on a terminal), reads one
// word (a worker's number, or a token such as 2W) and hands back the step to grant. On a terminal
// one keypress is a word: StepInput puts the terminal in cbreak mode (no line editing, no echo;
// Ctrl-C still a signal) for as long as it lives or until restore(), and puts back the settings
// it found; a letter opens a line for a token. On a pipe it reads whitespace-separated words
// without showing the turns, so tests can drive it.
#pragma once

#include <termios.h>

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
  ~StepInput() { restore(); }
  StepInput(const StepInput&) = delete;
  StepInput& operator=(const StepInput&) = delete;

  // Puts back the terminal settings found at the start (once; also done by the destructor).
  void restore();

  // The Scheduler's StepChooser: nullopt while no complete word has arrived (it polls `in` for a
  // moment, so the coordinator keeps watching signals and workers); worker 0 at end of input.
  std::optional<ScheduleToken> operator()(const std::vector<GateView>& views);

  bool terminal() const { return terminal_; }

 private:
  void show(const std::vector<GateView>& views);
  // Reads what has arrived (waiting a moment at most) into buffer_; end of input sets eof_.
  void read_some();
  // Takes the next whole word from what was read; false when there is none yet.
  bool next_word(std::string& word);
  // The same in cbreak mode: a worker's number as soon as no longer number of a worker starts
  // with it, or a line opened by a letter (a token such as 2W, then Enter).
  bool next_key_word(std::string& word, std::size_t workers);
  void say(const std::string& text) const;

  int in_;
  int out_;
  bool terminal_;
  std::optional<termios> saved_;  // the settings to put back, while in cbreak mode
  std::string buffer_;
  bool line_open_ = false;  // a letter was pressed: a token is being typed, up to Enter
  std::string line_;
  bool eof_ = false;
  bool shown_ = false;
  std::uint64_t granted_ = 0;  // steps chosen so far: a turn shown again keeps its number
};

}  // namespace shmlab::cli
