// LinkCut: --partition from inside a worker's host: takes a link down now and brings it up again
// `ms` later, from a thread of its own, while the worker goes on (its statements then time out:
// region/pg_region.cpp's TCP timeouts). The link is the host's eth0, or with --partition …:server
// the server's end of the host's veth pair, in the network namespace the worker started in (the
// thread joins it with setns, which moves only that thread). The destructor waits for the link to
// be up again, so a worker that fails on the lost connection still restores it for the host's
// other workers. One per worker process; never crosses processes.
#pragma once

#include <chrono>
#include <string>
#include <thread>

#include "shmlab/sys/unique_fd.hpp"

namespace shmlab::hosts {

class LinkCut {
 public:
  // `netns`: an open /proc/<pid>/ns/net of the namespace that holds `interface`; none (-1): this
  // thread's. Throws std::system_error naming the setns or the ioctl when the link cannot be taken
  // down (then nothing was changed).
  LinkCut(std::string interface, std::chrono::milliseconds ms, sys::UniqueFd netns = {});
  LinkCut(const LinkCut&) = delete;
  LinkCut& operator=(const LinkCut&) = delete;
  ~LinkCut();

 private:
  std::string interface_;
  std::thread restore_;  // sleeps `ms`, then sets the link up
};

// Sets IFF_UP on or off on `interface` (in this thread's network namespace). Throws
// std::system_error naming the ioctl.
void set_link_up(const std::string& interface, bool up);

}  // namespace shmlab::hosts
