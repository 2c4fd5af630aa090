// LinkCut: --partition from inside a worker's host: takes the host's link down now and brings it
// up again `ms` later, from a thread of its own, while the worker goes on (its statements then
// time out: region/pg_region.cpp's TCP timeouts). The destructor waits for the link to be up
// again, so a worker that fails on the lost connection still restores it for the host's other
// workers. One per worker process; never crosses processes.
#pragma once

#include <chrono>
#include <string>
#include <thread>

namespace shmlab::hosts {

class LinkCut {
 public:
  // Throws std::system_error naming the ioctl when the link cannot be taken down.
  LinkCut(std::string interface, std::chrono::milliseconds ms);
  LinkCut(const LinkCut&) = delete;
  LinkCut& operator=(const LinkCut&) = delete;
  ~LinkCut();

 private:
  std::string interface_;
  std::thread restore_;  // sleeps `ms`, then sets the link up
};

// Sets IFF_UP on or off on `interface` (in this process's network namespace). Throws
// std::system_error naming the ioctl.
void set_link_up(const std::string& interface, bool up);

}  // namespace shmlab::hosts
