// LinkCut: --partition from inside a worker's host. For `ms`, every packet one end of the host's
// link sends to the other is addressed to a hardware address that nobody has (a permanent ARP
// entry for the peer's IPv4 address), so the other end drops it as not its own, while the
// sender's TCP believes it was sent: the connection times out (region/pg_region.cpp's
// tcp_user_timeout and keepalives) as over a network that loses packets. Taking the link down
// would not do that: Linux counts a send that fails inside the machine as local congestion, not
// as a lost packet, and the statement would fail only once the link came back. The link stays up
// (`ip link` shows it so); `ip neigh` shows the entry while the cut lasts.
//
// The end that drops is the host's eth0 (packets to the server), or with --partition …:server
// the server's end of the host's veth pair (packets to the host), in the network namespace the
// worker started in (the thread joins it with setns, which moves only that thread). Then the
// entry is deleted and ARP finds the real address again. The destructor waits for that, so a
// worker that fails on the lost connection still restores the link for the host's other workers;
// an entry a killed worker left goes with the link, which the run deletes. One per worker
// process; never crosses processes.
#pragma once

#include <chrono>
#include <string>
#include <thread>

#include "shmlab/sys/unique_fd.hpp"

namespace shmlab::hosts {

class LinkCut {
 public:
  // `peer`: the IPv4 address (dotted) on the other end of `interface`. `netns`: an open
  // /proc/<pid>/ns/net of the namespace that holds `interface`; none (-1): this thread's. Throws
  // std::system_error naming the setns or the ioctl when the cut cannot be made (then nothing was
  // changed), std::invalid_argument for an address that is not IPv4.
  LinkCut(std::string interface, std::string peer, std::chrono::milliseconds ms,
          sys::UniqueFd netns = {});
  LinkCut(const LinkCut&) = delete;
  LinkCut& operator=(const LinkCut&) = delete;
  ~LinkCut();

 private:
  std::thread restore_;  // sleeps `ms`, then deletes the entry
};

// Whether packets from `interface` to `peer` go nowhere (SIOCSARP of a permanent entry with a
// hardware address nobody has) or to whoever answers ARP for it (SIOCDARP), in this thread's
// network namespace. Throws std::system_error naming the ioctl.
void set_blackhole(const std::string& interface, const std::string& peer, bool on);

// The IPv4 address (dotted) of `interface` in this thread's network namespace (SIOCGIFADDR).
// Throws std::system_error naming the ioctl.
std::string interface_address(const std::string& interface);

}  // namespace shmlab::hosts
