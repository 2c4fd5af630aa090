// Finds the processes of one test's run through /proc: a run's processes inherit the test's
// TMPDIR (a fresh directory per test), so their environment tells them apart from every other
// test's. Header-only helpers for the multi-process fault tests.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace shmlab::test {

inline std::string read_proc_file(pid_t pid, const char* what) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/" + what, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), {});
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
