#include "shmlab/hosts/stale_hosts.hpp"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "shmlab/hosts/ip_command.hpp"
#include "shmlab/hosts/simulated_hosts.hpp"

namespace shmlab::hosts {
namespace {

// "shmlab-<pid>-<hex>-h<k>" → run id, pid and k; false for any other name.
bool parse_netns(const std::string& name, std::string& run_id, pid_t& pid, std::uint32_t& k) {
  constexpr std::string_view kNetnsPrefix = "shmlab-";
  if (name.rfind(kNetnsPrefix, 0) != 0) return false;
  const std::size_t h = name.rfind("-h");
  const std::size_t dash = name.find('-', kNetnsPrefix.size());
  if (h == std::string::npos || dash == std::string::npos || dash >= h) return false;
  const char* first = name.data() + kNetnsPrefix.size();
  if (std::from_chars(first, name.data() + dash, pid).ptr != name.data() + dash || pid <= 0)
    return false;
  if (std::from_chars(name.data() + h + 2, name.data() + name.size(), k).ptr !=
      name.data() + name.size())
    return false;
  run_id = name.substr(0, h);
  return true;
}

bool alive(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

}  // namespace

std::vector<StaleHost> find_stale_hosts() {
  std::vector<StaleHost> out;
  DIR* d = ::opendir("/run/netns");
  if (d == nullptr) return out;
  while (const dirent* e = ::readdir(d)) {
    StaleHost h;
    std::uint32_t k = 0;
    h.netns = e->d_name;
    if (!parse_netns(h.netns, h.run_id, h.owner, k) || alive(h.owner)) continue;
    // The caller's only, as every object `clean` removes (the name is a file of its creator's).
    struct stat st {};
    const std::string path = "/run/netns/" + h.netns;
    if (::lstat(path.c_str(), &st) != 0 || st.st_uid != ::geteuid()) continue;
    h.link = link_name(h.run_id, k);
    out.push_back(std::move(h));
  }
  ::closedir(d);
  return out;
}

std::string remove_stale_host(const StaleHost& h) {
  if (const std::string missing = missing_network_privileges(); !missing.empty())
    return "this process lacks " + missing;
  return remove_host(h.netns, h.link) ? std::string() : "ip netns del / ip link del failed";
}

}  // namespace shmlab::hosts
