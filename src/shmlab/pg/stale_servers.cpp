#include "shmlab/pg/stale_servers.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <memory>

#include "shmlab/pg/server_shutdown.hpp"
#include "shmlab/pg/user_process.hpp"
#include "shmlab/sys/unique_fd.hpp"

namespace shmlab::pg {
namespace {

constexpr std::chrono::milliseconds kStopBound{10'000};

bool alive(pid_t pid) {
  // EPERM: the pid exists but belongs to someone else — not ours to call dead.
  return ::kill(pid, 0) == 0 || errno == EPERM;
}

// "shmlab-12-0abc1234-pg-Xy12Ab" → "shmlab-12-0abc1234"; "" for other names.
std::string run_id_of(const std::string& name) {
  if (name.rfind("shmlab-", 0) != 0) return {};
  const std::size_t pg = name.rfind("-pg-");
  if (pg == std::string::npos || name.size() - pg != 10) return {};
  return name.substr(0, pg);
}

}  // namespace

std::vector<StaleServer> find_stale_servers(const std::string& temp_dir) {
  std::vector<StaleServer> out;
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(temp_dir.c_str()), &::closedir);
  if (!d) return out;
  while (const dirent* e = ::readdir(d.get())) {
    StaleServer s;
    s.run_id = run_id_of(e->d_name);
    if (s.run_id.empty()) continue;
    struct stat st {};
    if (::fstatat(::dirfd(d.get()), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISDIR(st.st_mode))
      continue;
    s.dir = temp_dir + "/" + e->d_name;
    // The state file is the owner's (the directory may be the server user's).
    auto state = read_server_state(s.dir);
    if (!state || alive(state->owner)) continue;
    // Only a data directory inside this directory: a state file never points elsewhere.
    std::array<char, PATH_MAX> real{};
    if (::realpath(s.dir.c_str(), real.data()) == nullptr ||
        state->data_dir != std::string(real.data()) + "/data")
      continue;
    s.state = *state;
    s.running = !server_processes(s.state.data_dir).empty();
    out.push_back(std::move(s));
  }
  return out;
}

std::string remove_stale_server(const StaleServer& server) {
  sys::UniqueFd postmaster;
  if (server.state.postmaster > 0) {
    postmaster.reset(open_pidfd(server.state.postmaster));
    // Checked after the pidfd is open, so the pid cannot be reused between check and signal.
    bool ours = false;
    for (const pid_t p : server_processes(server.state.data_dir))
      ours = ours || p == server.state.postmaster;
    if (!ours) postmaster.reset();
  }
  shutdown_server(postmaster.get(), server.state.data_dir, kStopBound);
  return remove_server_dir(server.dir);
}

}  // namespace shmlab::pg
