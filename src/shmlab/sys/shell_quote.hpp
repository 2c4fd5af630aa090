// shell_quote: one word for a POSIX shell, for the commands shmlab prints for a person to run.
#pragma once

#include <string>
#include <string_view>

namespace shmlab::sys {

// `s` in single quotes, each ' in it written as '\'' (whatever `s` holds).
inline std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace shmlab::sys
