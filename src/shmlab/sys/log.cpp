#include "shmlab/sys/log.hpp"

#include <unistd.h>

#include <ctime>
#include <string>

#include "shmlab/sys/syscall.hpp"

namespace shmlab {
namespace {

struct Style {
  std::string_view icon;
  std::string_view color;
};

Style style(Level level) {
  switch (level) {
    case Level::kInfo:
      return {"ℹ", "\x1b[36m"};
    case Level::kSuccess:
      return {"✓", "\x1b[32m"};
    case Level::kWarning:
      return {"⚠", "\x1b[33m"};
    case Level::kError:
      return {"✗", "\x1b[31m"};
    case Level::kRace:
      return {"⚡", "\x1b[35;1m"};
  }
  return {"?", ""};
}

void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = sys::retry_eintr([&] { return ::write(fd, text.data(), text.size()); });
    if (n <= 0) return;  // a closed stdout is not worth failing a run over
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

void Log::line(Level level, std::string_view text) const {
  if (quiet_) return;
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  tm local{};
  ::localtime_r(&ts.tv_sec, &local);
  const Style s = style(level);
  std::string out;
  if (color_) {
    out = fmt::format("\x1b[2m[{:02}:{:02}:{:02}.{:03}] [PID {}]\x1b[0m {}{} {}\x1b[0m\n",
                      local.tm_hour, local.tm_min, local.tm_sec, ts.tv_nsec / 1'000'000, ::getpid(),
                      s.color, s.icon, text);
  } else {
    out = fmt::format("[{:02}:{:02}:{:02}.{:03}] [PID {}] {} {}\n", local.tm_hour, local.tm_min,
                      local.tm_sec, ts.tv_nsec / 1'000'000, ::getpid(), s.icon, text);
  }
  write_all(fd_, out);
}

void Log::raw(std::string_view text) const { write_all(fd_, text); }

}  // namespace shmlab
