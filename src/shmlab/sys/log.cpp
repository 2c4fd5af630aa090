#include "shmlab/sys/log.hpp"

#include <unistd.h>

#include <array>
#include <cstdlib>
#include <ctime>
#include <string>
#include <utility>

#include "shmlab/sys/syscall.hpp"

namespace shmlab {
namespace {

struct Style {
  std::string_view icon;
  std::string_view ascii_icon;
  std::string_view color;
};

Style style(Level level) {
  switch (level) {
    case Level::kInfo:
      return {"ℹ", "i", "\x1b[36m"};
    case Level::kSuccess:
      return {"✓", "+", "\x1b[32m"};
    case Level::kWarning:
      return {"⚠", "!", "\x1b[33m"};
    case Level::kError:
      return {"✗", "x", "\x1b[31m"};
    case Level::kRace:
      return {"⚡", "!!", "\x1b[35;1m"};
  }
  return {"?", "?", ""};
}

// The symbols shmlab prints, in ASCII.
constexpr std::array<std::pair<std::string_view, std::string_view>, 18> kAscii = {{
    {"→", "->"},
    {"←", "<-"},
    {"│", "|"},
    {"─", "-"},
    {"┼", "+"},
    {"…", "..."},
    {"—", "-"},
    {"–", "-"},
    {"×", "x"},
    {"»", ">>"},
    {"✗", "x"},
    {"✓", "+"},
    {"ℹ", "i"},
    {"⚠", "!"},
    {"⚡", "!!"},
    {"≤", "<="},
    {"≥", ">="},
    {"µ", "u"},
}};

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
  const std::string_view icon = ascii_ ? s.ascii_icon : s.icon;
  std::string out;
  if (color_) {
    out = fmt::format("\x1b[2m[{:02}:{:02}:{:02}.{:03}] [PID {}]\x1b[0m {}{} {}\x1b[0m\n",
                      local.tm_hour, local.tm_min, local.tm_sec, ts.tv_nsec / 1'000'000, ::getpid(),
                      s.color, icon, text);
  } else {
    out = fmt::format("[{:02}:{:02}:{:02}.{:03}] [PID {}] {} {}\n", local.tm_hour, local.tm_min,
                      local.tm_sec, ts.tv_nsec / 1'000'000, ::getpid(), icon, text);
  }
  write_all(fd_, ascii_ ? to_ascii(out) : out);
}

void Log::raw(std::string_view text) const { write_all(fd_, ascii_ ? to_ascii(text) : text); }

std::string to_ascii(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const auto c = static_cast<unsigned char>(text.front());
    if (c < 0x80) {
      out += text.front();
      text.remove_prefix(1);
      continue;
    }
    bool known = false;
    for (const auto& [glyph, spelt] : kAscii) {
      if (text.starts_with(glyph)) {
        out += spelt;
        text.remove_prefix(glyph.size());
        known = true;
        break;
      }
    }
    if (known) continue;
    // An unknown character: skip its UTF-8 continuation bytes.
    out += '?';
    text.remove_prefix(1);
    while (!text.empty() && (static_cast<unsigned char>(text.front()) & 0xC0) == 0x80)
      text.remove_prefix(1);
  }
  return out;
}

bool wants_color(int fd, bool no_color_flag) {
  const char* nc = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  return !no_color_flag && (nc == nullptr || *nc == '\0') &&
         (term == nullptr || std::string_view(term) != "dumb") && ::isatty(fd) == 1;
}

bool locale_is_utf8() {
  for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"}) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') continue;
    const std::string_view s(v);
    for (std::string_view utf8 : {"UTF-8", "utf-8", "UTF8", "utf8"})
      if (s.find(utf8) != std::string_view::npos) return true;
    return false;
  }
  return true;
}

std::string grouped(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string count_of(std::uint64_t n, std::string_view singular, std::string_view plural) {
  return fmt::format("{} {}", grouped(n), n == 1 ? singular : plural);
}

}  // namespace shmlab
