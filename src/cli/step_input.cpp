#include "cli/step_input.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <cctype>

#include "shmlab/sys/syscall.hpp"
#include "shmlab/usage_error.hpp"

namespace shmlab::cli {
namespace {

// How long one call waits for input: short, so that the coordinator's watch loop stays responsive
// (Ctrl-C, a worker that dies).
constexpr int kPollMs = 50;

}  // namespace

StepInput::StepInput(int in, int out) : in_(in), out_(out), terminal_(::isatty(in) == 1) {}

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
  std::string text = fmt::format("\nStep {}: the next step of each worker\n", ++turn_);
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
  if (movable != 0) text += "Your choice (a worker's number, or a token such as 2W): ";
  say(text);
}

bool StepInput::next_word(std::string& word) {
  if (!eof_) {
    pollfd p{in_, POLLIN, 0};
    if (sys::retry_eintr([&] { return ::poll(&p, 1, kPollMs); }) > 0) {
      char chunk[256];
      const ssize_t n = sys::retry_eintr([&] { return ::read(in_, chunk, sizeof chunk); });
      if (n <= 0) {
        eof_ = true;
      } else {
        buffer_.append(chunk, static_cast<std::size_t>(n));
      }
    }
  }
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
  if (!next_word(word)) {
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
  return t;
}

}  // namespace shmlab::cli
