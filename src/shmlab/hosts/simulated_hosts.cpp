#include "shmlab/hosts/simulated_hosts.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include "shmlab/hosts/ip_command.hpp"
#include "shmlab/sys/syscall.hpp"
#include "shmlab/sys/unique_fd.hpp"

namespace shmlab::hosts {
namespace {

// 10.173.0.0/16 in /30s: 16384 point-to-point subnets. Private (RFC 1918) and rarely used; any
// subnet that overlaps this machine's addresses or routes is skipped all the same.
constexpr std::uint32_t kPoolBase = (10u << 24) | (173u << 16);
constexpr std::uint32_t kPoolSize = 1u << 16;
constexpr std::uint32_t kSubnetSize = 4;
constexpr int kPrefix = 30;
constexpr int kLockWaitMs = 10'000;

struct Net {
  std::uint32_t base;  // host byte order
  std::uint32_t mask;
};

bool overlaps(const Net& a, const Net& b) {
  const std::uint32_t mask = a.mask & b.mask;  // the shorter prefix decides
  return (a.base & mask) == (b.base & mask);
}

std::uint32_t prefix_mask(int len) { return len == 0 ? 0 : ~std::uint32_t{0} << (32 - len); }

std::string dotted(std::uint32_t a) {
  return fmt::format("{}.{}.{}.{}", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

// Every IPv4 network this namespace has: its addresses (with their prefixes) and its routes.
std::vector<Net> taken_networks() {
  std::vector<Net> out;
  ifaddrs* list = nullptr;
  sys::check("getifaddrs", [&] { return ::getifaddrs(&list); });
  for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
    const auto* a = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
    const auto* m = reinterpret_cast<const sockaddr_in*>(i->ifa_netmask);
    const std::uint32_t mask = m != nullptr ? ntohl(m->sin_addr.s_addr) : ~std::uint32_t{0};
    out.push_back({ntohl(a->sin_addr.s_addr) & mask, mask});
  }
  ::freeifaddrs(list);
  // /proc/net/route: the main table, destination and mask in hex, network byte order.
  std::ifstream routes("/proc/net/route");
  std::string line;
  std::getline(routes, line);  // the header
  while (std::getline(routes, line)) {
    std::istringstream in(line);
    std::string iface, dest, gateway, flags, refcnt, use, metric, mask;
    if (!(in >> iface >> dest >> gateway >> flags >> refcnt >> use >> metric >> mask)) continue;
    const auto d = static_cast<std::uint32_t>(std::stoul(dest, nullptr, 16));
    const auto m = static_cast<std::uint32_t>(std::stoul(mask, nullptr, 16));
    if (m == 0) continue;  // the default route overlaps everything and routes nothing of ours
    out.push_back({ntohl(d), ntohl(m)});
  }
  return out;
}

// Serializes subnet choice between concurrent runs in this network namespace: an abstract Unix
// socket bound under a fixed name is held by one process at a time and vanishes with it, so a
// killed coordinator leaves no lock behind (a lock file would stay in $TMPDIR).
sys::UniqueFd lock_subnets() {
  constexpr std::string_view kName = "shmlab-hosts-subnets";
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::memcpy(sa.sun_path + 1, kName.data(), kName.size());  // sun_path[0] == 0: abstract
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + kName.size());
  sys::UniqueFd fd(sys::check("socket", "AF_UNIX",
                              [] { return ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0); }));
  for (int waited_ms = 0;; ++waited_ms) {
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&sa), len) == 0) return fd;
    if (errno != EADDRINUSE) sys::throw_errno("bind", "@shmlab-hosts-subnets", errno);
    if (waited_ms == kLockWaitMs) {
      throw std::system_error(
          std::make_error_code(std::errc::timed_out),
          fmt::format("--hosts: another process has held @{} (the lock of subnet choice) for {} "
                      "s",
                      kName, kLockWaitMs / 1000));
    }
    ::usleep(1000);
  }
}

std::string run_hex(const std::string& run_id) {
  const std::size_t dash = run_id.rfind('-');
  return dash == std::string::npos ? run_id : run_id.substr(dash + 1);
}

}  // namespace

std::string link_name(const std::string& run_id, std::uint32_t k) {
  return fmt::format("sl{}h{}", run_hex(run_id).substr(0, 8), k);
}

bool remove_host(const std::string& netns, const std::string& link) noexcept {
  // Deleting one end of a veth pair deletes both; a namespace whose processes have all gone is
  // destroyed with its end once its name is removed.
  try_run_ip({"link", "del", link});
  try_run_ip({"netns", "del", netns});
  const bool netns_gone = ::access(("/run/netns/" + netns).c_str(), F_OK) != 0;
  const bool link_gone = ::access(("/sys/class/net/" + link).c_str(), F_OK) != 0;
  return netns_gone && link_gone;
}

SimulatedHosts SimulatedHosts::create(const std::string& run_id, std::uint32_t count) {
  if (const std::string missing = missing_network_privileges(); !missing.empty()) {
    throw std::system_error(std::make_error_code(std::errc::operation_not_permitted),
                            "--hosts: this process lacks " + missing);
  }
  ip_program();      // a missing iproute2 is said before anything is made
  SimulatedHosts s;  // from here on, a throw removes what was made
  const sys::UniqueFd lock = lock_subnets();
  const std::vector<Net> taken = taken_networks();
  std::uint32_t next = 0;
  for (std::uint32_t k = 1; k <= count; ++k) {
    Net subnet{};
    for (;; next += kSubnetSize) {
      if (next >= kPoolSize) {
        throw std::system_error(
            std::make_error_code(std::errc::address_not_available),
            fmt::format("--hosts: no free /30 left in {}/16 (every one overlaps an address or a "
                        "route of this machine)",
                        dotted(kPoolBase)));
      }
      subnet = {kPoolBase + next, prefix_mask(kPrefix)};
      bool clash = false;
      for (const Net& t : taken) clash = clash || overlaps(subnet, t);
      if (!clash) break;
    }
    next += kSubnetSize;
    Host h;
    h.netns = fmt::format("{}-h{}", run_id, k);
    h.link = link_name(run_id, k);
    h.server_address = dotted(subnet.base + 1);
    h.worker_address = dotted(subnet.base + 2);
    h.subnet = fmt::format("{}/{}", dotted(subnet.base), kPrefix);
    s.hosts_.push_back(h);
    run_ip({"netns", "add", h.netns});
    run_ip({"link", "add", h.link, "type", "veth", "peer", "name", "eth0", "netns", h.netns});
    run_ip({"addr", "add", fmt::format("{}/{}", h.server_address, kPrefix), "dev", h.link});
    run_ip({"link", "set", h.link, "up"});
    run_ip({"-n", h.netns, "addr", "add", fmt::format("{}/{}", h.worker_address, kPrefix), "dev",
            "eth0"});
    run_ip({"-n", h.netns, "link", "set", "eth0", "up"});
    run_ip({"-n", h.netns, "link", "set", "lo", "up"});
  }
  return s;
}

SimulatedHosts& SimulatedHosts::operator=(SimulatedHosts&& other) noexcept {
  if (this != &other) {
    remove();
    hosts_ = std::move(other.hosts_);
    other.hosts_.clear();
  }
  return *this;
}

void SimulatedHosts::remove() noexcept {
  for (const Host& h : hosts_) remove_host(h.netns, h.link);
  hosts_.clear();
}

}  // namespace shmlab::hosts
