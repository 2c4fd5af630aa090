#include "shmlab/hosts/link_cut.hpp"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>
#include <utility>

#include "shmlab/sys/syscall.hpp"
#include "shmlab/sys/unique_fd.hpp"

namespace shmlab::hosts {

void set_link_up(const std::string& interface, bool up) {
  const sys::UniqueFd fd(sys::check(
      "socket", "AF_INET", [] { return ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0); }));
  ifreq req{};
  std::strncpy(req.ifr_name, interface.c_str(), IFNAMSIZ - 1);
  sys::check("ioctl(SIOCGIFFLAGS)", interface,
             [&] { return ::ioctl(fd.get(), SIOCGIFFLAGS, &req); });
  if (up) {
    req.ifr_flags = static_cast<short>(req.ifr_flags | IFF_UP);
  } else {
    req.ifr_flags = static_cast<short>(req.ifr_flags & ~IFF_UP);
  }
  sys::check("ioctl(SIOCSIFFLAGS)", interface,
             [&] { return ::ioctl(fd.get(), SIOCSIFFLAGS, &req); });
}

LinkCut::LinkCut(std::string interface, std::chrono::milliseconds ms)
    : interface_(std::move(interface)) {
  set_link_up(interface_, false);
  restore_ = std::thread([name = interface_, ms] {
    std::this_thread::sleep_for(ms);
    try {
      set_link_up(name, true);
    } catch (...) {
      // The namespace goes with the run; nothing else to do from here.
    }
  });
}

LinkCut::~LinkCut() {
  if (restore_.joinable()) restore_.join();
}

}  // namespace shmlab::hosts
