#include "shmlab/hosts/link_cut.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <array>
#include <cstring>
#include <future>
#include <stdexcept>
#include <utility>

#include "shmlab/sys/syscall.hpp"
#include "shmlab/sys/unique_fd.hpp"

namespace shmlab::hosts {
namespace {

// Locally administered, unicast, and on no interface of a run (veth pairs get random ones, which
// the kernel draws with the same bit set, but 02:73:68:6d:6c:62, "shmlb", is a fixed one).
constexpr std::array<unsigned char, 6> kNobody = {0x02, 0x73, 0x68, 0x6d, 0x6c, 0x62};

sys::UniqueFd inet_socket() {
  return sys::UniqueFd(sys::check("socket", "AF_INET",
                                  [] { return ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0); }));
}

}  // namespace

void set_blackhole(const std::string& interface, const std::string& peer, bool on) {
  arpreq req{};
  auto* pa = reinterpret_cast<sockaddr_in*>(&req.arp_pa);
  pa->sin_family = AF_INET;
  if (::inet_pton(AF_INET, peer.c_str(), &pa->sin_addr) != 1)
    throw std::invalid_argument("--partition: not an IPv4 address: " + peer);
  std::strncpy(req.arp_dev, interface.c_str(), sizeof(req.arp_dev) - 1);
  const sys::UniqueFd fd = inet_socket();
  if (!on) {
    sys::check("ioctl(SIOCDARP)", peer + " on " + interface,
               [&] { return ::ioctl(fd.get(), SIOCDARP, &req); });
    return;
  }
  req.arp_ha.sa_family = ARPHRD_ETHER;
  std::memcpy(req.arp_ha.sa_data, kNobody.data(), kNobody.size());
  req.arp_flags = ATF_PERM | ATF_COM;
  sys::check("ioctl(SIOCSARP)", peer + " on " + interface,
             [&] { return ::ioctl(fd.get(), SIOCSARP, &req); });
}

std::string interface_address(const std::string& interface) {
  ifreq req{};
  std::strncpy(req.ifr_name, interface.c_str(), IFNAMSIZ - 1);
  req.ifr_addr.sa_family = AF_INET;
  const sys::UniqueFd fd = inet_socket();
  sys::check("ioctl(SIOCGIFADDR)", interface, [&] { return ::ioctl(fd.get(), SIOCGIFADDR, &req); });
  std::array<char, INET_ADDRSTRLEN> text{};
  ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&req.ifr_addr)->sin_addr, text.data(),
              text.size());
  return text.data();
}

LinkCut::LinkCut(std::string interface, std::string peer, std::chrono::milliseconds ms,
                 sys::UniqueFd netns) {
  // One thread makes the cut and undoes it, in the link's namespace (setns moves only that
  // thread, so the worker's own threads stay in the host's). The cut is made before the
  // constructor returns.
  std::promise<void> made;
  std::future<void> cut = made.get_future();
  restore_ = std::thread([interface = std::move(interface), peer = std::move(peer), ms,
                          fd = std::move(netns), made = std::move(made)]() mutable {
    try {
      if (fd) sys::check("setns", "CLONE_NEWNET", [&] { return ::setns(fd.get(), CLONE_NEWNET); });
      set_blackhole(interface, peer, true);
      made.set_value();
    } catch (...) {
      made.set_exception(std::current_exception());
      return;
    }
    std::this_thread::sleep_for(ms);
    try {
      set_blackhole(interface, peer, false);
    } catch (...) {
      // The entry goes with the link, which the coordinator deletes with the host.
    }
  });
  try {
    cut.get();
  } catch (...) {
    restore_.join();
    throw;
  }
}

LinkCut::~LinkCut() {
  if (restore_.joinable()) restore_.join();
}

}  // namespace shmlab::hosts
