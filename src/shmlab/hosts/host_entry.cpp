#include "shmlab/hosts/host_entry.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>

#include <array>
#include <bit>
#include <cstring>

#include "shmlab/sys/syscall.hpp"
#include "shmlab/sys/unique_fd.hpp"

namespace shmlab::hosts {

void enter_host(const std::string& netns) {
  const std::string path = "/run/netns/" + netns;
  const sys::UniqueFd ns(sys::check(
      "open", path, [&] { return ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC); }));
  sys::check("setns", path, [&] { return ::setns(ns.get(), CLONE_NEWNET); });
  sys::check("unshare", "CLONE_NEWNS", [] { return ::unshare(CLONE_NEWNS); });
  // Without this, the tmpfs below would propagate back to the machine's /dev/shm (systemd makes /
  // a shared mount).
  sys::check("mount", "/ (MS_REC|MS_PRIVATE)",
             [] { return ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr); });
  sys::check("mount", "tmpfs on /dev/shm", [] {
    return ::mount("shmlab-host", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                   "mode=1777,size=16m");
  });
}

HostView observe_host(const std::string& control_name) {
  HostView v;
  ifaddrs* list = nullptr;
  sys::check("getifaddrs", [&] { return ::getifaddrs(&list); });
  for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
    if ((i->ifa_flags & IFF_LOOPBACK) != 0) continue;
    const auto* a = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
    const auto* m = reinterpret_cast<const sockaddr_in*>(i->ifa_netmask);
    std::array<char, INET_ADDRSTRLEN> text{};
    ::inet_ntop(AF_INET, &a->sin_addr, text.data(), text.size());
    const int prefix = m != nullptr ? std::popcount(ntohl(m->sin_addr.s_addr)) : 32;
    v.interface = i->ifa_name;
    v.address = fmt::format("{}/{}", text.data(), prefix);
    break;
  }
  ::freeifaddrs(list);
  if (DIR* d = ::opendir("/dev/shm")) {
    while (const dirent* e = ::readdir(d)) {
      if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) ++v.shm_entries;
    }
    ::closedir(d);
  }
  const int fd = ::shm_open(control_name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
  v.control_visible = fd >= 0;
  if (fd >= 0) ::close(fd);
  return v;
}

}  // namespace shmlab::hosts
