#include "shmlab/hosts/link_cut.hpp"

#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>
#include <future>
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

LinkCut::LinkCut(std::string interface, std::chrono::milliseconds ms, sys::UniqueFd netns)
    : interface_(std::move(interface)) {
  if (!netns) {
    set_link_up(interface_, false);
    restore_ = std::thread([name = interface_, ms] {
      std::this_thread::sleep_for(ms);
      try {
        set_link_up(name, true);
      } catch (...) {
        // The namespace goes with the run; nothing else to do from here.
      }
    });
    return;
  }
  // The other namespace's link: down and up from one thread that joins it, so the worker's own
  // threads stay in the host's namespace. The cut is made before the constructor returns.
  std::promise<void> down;
  std::future<void> cut = down.get_future();
  restore_ =
      std::thread([name = interface_, ms, fd = std::move(netns), down = std::move(down)]() mutable {
        try {
          sys::check("setns", "CLONE_NEWNET", [&] { return ::setns(fd.get(), CLONE_NEWNET); });
          set_link_up(name, false);
          down.set_value();
        } catch (...) {
          down.set_exception(std::current_exception());
          return;
        }
        std::this_thread::sleep_for(ms);
        try {
          set_link_up(name, true);
        } catch (...) {
          // The coordinator deletes the link with the host (ip link del) whatever its state.
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
