// Log: the seed's log lines, "[HH:MM:SS.mmm] [PID p] <icon> text", each written with a single
// write(2) so that lines of different processes never interleave mid-line (a pipe keeps writes of
// up to PIPE_BUF bytes whole). Colour only when asked (the CLI decides: a terminal, no NO_COLOR).
#pragma once

#include <fmt/format.h>

#include <string_view>

namespace shmlab {

enum class Level { kInfo, kSuccess, kWarning, kError, kRace };

class Log {
 public:
  Log() = default;
  Log(int fd, bool color, bool quiet) : fd_(fd), color_(color), quiet_(quiet) {}

  void line(Level level, std::string_view text) const;
  template <class... Args>
  void info(fmt::format_string<Args...> f, Args&&... args) const {
    line(Level::kInfo, fmt::format(f, std::forward<Args>(args)...));
  }
  template <class... Args>
  void success(fmt::format_string<Args...> f, Args&&... args) const {
    line(Level::kSuccess, fmt::format(f, std::forward<Args>(args)...));
  }
  template <class... Args>
  void warning(fmt::format_string<Args...> f, Args&&... args) const {
    line(Level::kWarning, fmt::format(f, std::forward<Args>(args)...));
  }
  template <class... Args>
  void error(fmt::format_string<Args...> f, Args&&... args) const {
    line(Level::kError, fmt::format(f, std::forward<Args>(args)...));
  }
  template <class... Args>
  void race(fmt::format_string<Args...> f, Args&&... args) const {
    line(Level::kRace, fmt::format(f, std::forward<Args>(args)...));
  }
  // Writes text as it is (one write), for reports that are not log lines.
  void raw(std::string_view text) const;
  bool quiet() const { return quiet_; }
  bool color() const { return color_; }
  int fd() const { return fd_; }

 private:
  int fd_ = 2;
  bool color_ = false;
  bool quiet_ = false;
};

}  // namespace shmlab
