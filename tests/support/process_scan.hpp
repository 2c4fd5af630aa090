// Finds the processes of one test's run through /proc: a run's processes inherit the test's
// TMPDIR (a fresh directory per test), so their environment tells them apart from every other
// test's. Header-only helpers for the multi-process fault tests.
#pragma once

#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <vector>

namespace shmlab::test {

// "" when the process is gone, even midway: a read of a vanishing process's file fails with ESRCH,
// which std::ifstream (libstdc++) turns into an exception whatever its exception mask.
inline std::string read_proc_file(pid_t pid, const char* what) {
  const std::string path = "/proc/" + std::to_string(pid) + "/" + what;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd == -1) return {};
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n > 0) {
      out.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      out.clear();
      break;
    }
  }
  ::close(fd);
  return out;
}

// Live (not zombie) processes whose environment holds TMPDIR=tmp and whose argv holds `arg`.
inline std::vector<pid_t> processes_of(const std::string& tmp, const std::string& arg = "") {
  std::vector<pid_t> out;
  const std::string var = "TMPDIR=" + tmp + '\0';
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = std::stoi(name);
    if (read_proc_file(pid, "environ").find(var) == std::string::npos) continue;
    if (!arg.empty() && read_proc_file(pid, "cmdline").find(arg + '\0') == std::string::npos)
      continue;
    const std::string stat = read_proc_file(pid, "stat");
    const auto paren = stat.rfind(')');
    if (paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] == 'Z') continue;
    out.push_back(pid);
  }
  return out;
}

inline pid_t parent_of(pid_t pid) {
  const std::string stat = read_proc_file(pid, "stat");
  const auto paren = stat.rfind(')');
  if (paren == std::string::npos) return -1;
  // ") S PPID ..."
  return static_cast<pid_t>(std::stol(stat.substr(paren + 4)));
}

}  // namespace shmlab::test
