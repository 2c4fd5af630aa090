#include "cli/step_input.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "shmlab/sys/syscall.hpp"
#include "shmlab/usage_error.hpp"

namespace shmlab::cli {
namespace {

// How long one call waits for input: short, so that the coordinator's watch loop stays responsive
// (Ctrl-C, a worker that dies).
constexpr int kPollMs = 50;

}  // namespace

StepInput::StepInput(int in, int out) : in_(in), out_(out), terminal_(::isatty(in) == 1) {
  // Only the terminal's foreground job may change its settings (a background one would be
  // stopped by SIGTTOU): in the background, words end with Enter as on a pipe.
  if (!terminal_ || ::tcgetpgrp(in_) != ::getpgrp()) return;
  termios t{};
  if (sys::retry_eintr([&] { return ::tcgetattr(in_, &t); }) != 0) return;
  termios cbreak = t;
  cbreak.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);  // ISIG kept: Ctrl-C stops the run
  cbreak.c_cc[VMIN] = 1;
  cbreak.c_cc[VTIME] = 0;
  if (sys::retry_eintr([&] { return ::tcsetattr(in_, TCSANOW, &cbreak); }) == 0) saved_ = t;
}

void StepInput::restore() {
  if (!saved_) return;
  sys::retry_eintr([&] { return ::tcsetattr(in_, TCSANOW, &*saved_); });
  saved_.reset();
}

void StepInput::say(const std::string& text) const {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n =
        sys::retry_eintr([&] { return ::write(out_, text.data() + done, text.size() - done); });
    if (n <= 0) return;  // the terminal went away: nothing better to do than stop saying
    done += static_cast<std::size_t>(n);
  }
}

void StepInput::show(const std::vector<GateView>& views) {
  std::string text = fmt::format("\nStep {}: the next step of each worker\n", granted_ + 1);
  std::uint32_t movable = 0;
  for (std::uint32_t i = 0; i < views.size(); ++i) {
    const GateView& v = views[i];
    if (v.finished) {
      text += fmt::format("  {}: done\n", i + 1);
    } else if (v.holder != 0) {
      text += fmt::format("  {}: waiting for the lock held by {}\n", i + 1, v.holder);
    } else {
      text += fmt::format("  {}: {}{}\n", i + 1, step_word(v.next),
                          v.read ? fmt::format(", from its read of {}", *v.read) : "");
      ++movable;
    }
  }
  if (movable != 0 && saved_) {
    text += "Your choice: press a worker's number (a letter: type a token such as 2W): ";
  } else if (movable != 0) {
    text += "Your choice (a worker's number, or a token such as 2W): ";
  }
  say(text);
}

void StepInput::read_some() {
  if (eof_) return;
  pollfd p{in_, POLLIN, 0};
  if (sys::retry_eintr([&] { return ::poll(&p, 1, kPollMs); }) <= 0) return;
  char chunk[256];
  const ssize_t n = sys::retry_eintr([&] { return ::read(in_, chunk, sizeof chunk); });
  if (n <= 0) {
    eof_ = true;
  } else {
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

bool StepInput::next_key_word(std::string& word, std::size_t workers) {
  read_some();
  while (!buffer_.empty()) {
    const char c = buffer_.front();
    const auto u = static_cast<unsigned char>(c);
    if (line_open_) {
      buffer_.erase(0, 1);
      if (c == '\r' || c == '\n') {
        line_open_ = false;
        say("\n");
        word = line_;
        line_.clear();
        if (word.find_first_not_of(' ') != std::string::npos) return true;
      } else if (c == 0x7f || c == '\b') {
        if (!line_.empty()) {
          line_.pop_back();
          say("\b \b");
        }
      } else if (c == 0x1b) {  // Esc: no token after all
        line_open_ = false;
        line_.clear();
        say(" (no token)\n");
        shown_ = false;        // the turn again, with its prompt
      } else if (c == 0x04) {  // Ctrl-D: the end of input, as on a pipe
        eof_ = true;
      } else if (std::isprint(u) != 0) {
        line_ += c;
        say(std::string(1, c));
      }
      continue;
    }
    if (std::isdigit(u) != 0) {
      std::size_t end = 0;
      std::uint64_t number = 0;
      while (end < buffer_.size() && std::isdigit(static_cast<unsigned char>(buffer_[end])) != 0) {
        number = std::min<std::uint64_t>(number * 10 + static_cast<unsigned>(buffer_[end] - '0'),
                                         UINT32_MAX);
        ++end;
      }
      if (end < buffer_.size()) {
        // Pasted or typed ahead: a step letter right after the number makes a token ("2W").
        if (std::isupper(static_cast<unsigned char>(buffer_[end])) != 0) ++end;
      } else if (number * 10 <= workers && !eof_) {
        return false;  // "1" of 12 workers: 1, or 10 to 12? Wait for a digit, Enter or space
      }
      word = buffer_.substr(0, end);
      buffer_.erase(0, end);
      say(word + "\n");
      return true;
    }
    buffer_.erase(0, 1);
    if (c == 0x04) {
      eof_ = true;
    } else if (std::isalpha(u) != 0) {
      line_open_ = true;
      say("\nToken (such as 2W), then Enter; Esc: none: ");
    }  // Enter, spaces and anything else between choices: nothing
  }
  return false;
}

bool StepInput::next_word(std::string& word) {
  read_some();
  std::size_t start = 0;
  while (start < buffer_.size() && std::isspace(static_cast<unsigned char>(buffer_[start])))
    ++start;
  std::size_t end = start;
  while (end < buffer_.size() && !std::isspace(static_cast<unsigned char>(buffer_[end]))) ++end;
  if (start == end || (end == buffer_.size() && !eof_)) {
    buffer_.erase(0, start);
    return false;  // nothing, or a word still being typed
  }
  word = buffer_.substr(start, end - start);
  buffer_.erase(0, end);
  return true;
}

std::optional<ScheduleToken> StepInput::operator()(const std::vector<GateView>& views) {
  if (terminal_ && !shown_) show(views);
  shown_ = true;
  std::string word;
  if (!(saved_ ? next_key_word(word, views.size()) : next_word(word))) {
    if (eof_) return ScheduleToken{0, std::nullopt};
    return std::nullopt;
  }
  shown_ = false;  // whatever the word says, the turn is shown again
  ScheduleToken t;
  try {
    const std::vector<ScheduleToken> tokens = parse_schedule(word);
    t = tokens.front();
  } catch (const UsageError&) {
    say(fmt::format("'{}' is neither a worker's number nor a token such as 2W\n", word));
    return std::nullopt;
  }
  if (t.worker > views.size()) {
    say(fmt::format("There is no worker {}: workers are 1 to {}\n", t.worker, views.size()));
    return std::nullopt;
  }
  const GateView& v = views[t.worker - 1];
  if (v.finished) {
    say(fmt::format("Worker {} is done: it has no step left; choose another\n", t.worker));
    return std::nullopt;
  }
  if (v.holder != 0) {
    say(fmt::format("Worker {} is waiting for the lock held by {}: choose another\n", t.worker,
                    v.holder));
    return std::nullopt;
  }
  if (t.step && static_cast<char>(*t.step) != v.next) {
    say(fmt::format("Worker {}'s next step is {}, not {}\n", t.worker, step_word(v.next),
                    step_word(static_cast<char>(*t.step))));
    return std::nullopt;
  }
  t.step = static_cast<Step>(v.next);
  ++granted_;
  return t;
}

}  // namespace shmlab::cli
