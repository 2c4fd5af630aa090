// Log: the seed's log lines, "[HH:MM:SS.mmm] [PID p] <icon> text", each written with a single
// write(2) so that lines of different processes never interleave mid-line (a pipe keeps writes of
// up to PIPE_BUF bytes whole). Colour only when asked (the CLI decides: a terminal, no NO_COLOR,
// TERM not dumb); ASCII instead of ℹ ✓ ⚡ → │ … when the locale's charset is not UTF-8.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace shmlab {

enum class Level { kInfo, kSuccess, kWarning, kError, kRace };

class Log {
 public:
  Log() = default;
  Log(int fd, bool color, bool quiet, bool ascii = false)
      : fd_(fd), color_(color), quiet_(quiet), ascii_(ascii) {}

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
  // Writes text as it is (one write; in ASCII when the log is), for reports that are not log lines.
  void raw(std::string_view text) const;
  bool quiet() const { return quiet_; }
  bool color() const { return color_; }
  bool ascii() const { return ascii_; }
  int fd() const { return fd_; }

 private:
  int fd_ = 2;
  bool color_ = false;
  bool quiet_ = false;
  bool ascii_ = false;
};

// The text with shmlab's symbols spelt in ASCII ("→" "->", "│" "|", "…" "..."); any other non-ASCII
// character becomes '?'. ASCII text comes back unchanged.
std::string to_ascii(std::string_view text);

// Whether the environment asks for colour on fd: a terminal, NO_COLOR unset or empty, TERM not
// "dumb", and no --no-color.
bool wants_color(int fd, bool no_color_flag);

// Whether the locale can show UTF-8: false when LC_ALL, LC_CTYPE or LANG (the first one set) names
// another charset ("C", "POSIX", "en_US.ISO-8859-1"); true when none is set.
bool locale_is_utf8();

// "1 worker", "3 workers", "100,000 increments": the count grouped by thousands, the noun agreed.
std::string count_of(std::uint64_t n, std::string_view singular, std::string_view plural);
// 279940 → "279,940"
std::string grouped(std::uint64_t n);

}  // namespace shmlab
