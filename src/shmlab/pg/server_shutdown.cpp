#include "shmlab/pg/server_shutdown.hpp"

#include <dirent.h>
#include <signal.h>
#include <sys/shm.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>

#include "shmlab/pg/user_process.hpp"
#include "shmlab/sys/unique_fd.hpp"

namespace shmlab::pg {
namespace {

std::string cwd_of(pid_t pid) {
  std::array<char, 4096> buf{};
  const std::string link = "/proc/" + std::to_string(pid) + "/cwd";
  const ssize_t n = ::readlink(link.c_str(), buf.data(), buf.size() - 1);
  return n > 0 ? std::string(buf.data(), static_cast<std::size_t>(n)) : std::string();
}

// postmaster.pid's 7th line: the key and id of the server's small System V segment ("5432001 7").
struct SysvSegment {
  long key = 0;
  int id = -1;
};

SysvSegment sysv_segment(const std::string& data_dir) {
  std::ifstream in(data_dir + "/postmaster.pid");
  std::string line;
  for (int i = 0; i < 7; ++i) {
    if (!std::getline(in, line)) return {};
  }
  SysvSegment seg;
  std::istringstream fields(line);
  if (!(fields >> seg.key >> seg.id)) return {};
  return seg;
}

// A server that shuts down removes its segment; one killed leaves it. Removed only when it is
// still that key's and nothing has it attached.
void remove_orphaned_segment(const SysvSegment& seg) {
  if (seg.id < 0) return;
  shmid_ds ds{};
  if (::shmctl(seg.id, IPC_STAT, &ds) != 0) return;  // already gone: the usual case
  if (static_cast<long>(ds.shm_perm.__key) != seg.key || ds.shm_nattch != 0) return;
  ::shmctl(seg.id, IPC_RMID, nullptr);
}

}  // namespace

std::vector<pid_t> server_processes(const std::string& data_dir) {
  std::vector<pid_t> out;
  const std::string deleted = data_dir + " (deleted)";
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir("/proc"), &::closedir);
  if (!d) return out;
  while (const dirent* e = ::readdir(d.get())) {
    char* end = nullptr;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0' || pid <= 0) continue;
    const std::string cwd = cwd_of(static_cast<pid_t>(pid));
    if (cwd == data_dir || cwd == deleted) out.push_back(static_cast<pid_t>(pid));
  }
  return out;
}

void shutdown_server(int pidfd, const std::string& data_dir,
                     std::chrono::milliseconds bound) noexcept {
  SysvSegment seg;
  try {
    seg = sysv_segment(data_dir);
  } catch (...) {
    // Without it, at most a segment of a few dozen bytes stays after a SIGKILL.
  }
  if (pidfd >= 0) {
    signal_pidfd(pidfd, SIGINT);
    if (!wait_readable(pidfd, bound)) {
      signal_pidfd(pidfd, SIGKILL);
      wait_readable(pidfd, bound);
    }
  }
  // A killed postmaster's backends notice its death only at their next wait; do not wait for it.
  // Each is checked again through its own pidfd, so a reused pid is never signalled.
  for (const pid_t pid : server_processes(data_dir)) {
    sys::UniqueFd fd(open_pidfd(pid));
    if (!fd) continue;
    const std::string cwd = cwd_of(pid);
    if (cwd != data_dir && cwd != data_dir + " (deleted)") continue;
    signal_pidfd(fd.get(), SIGKILL);
    wait_readable(fd.get(), bound);
  }
  remove_orphaned_segment(seg);
}

std::string remove_server_dir(const std::string& dir) noexcept {
  std::error_code ec;
  // remove_all removes a symlink itself, never what it points to.
  std::filesystem::remove_all(dir, ec);
  return ec ? ec.message() : std::string();
}

}  // namespace shmlab::pg
