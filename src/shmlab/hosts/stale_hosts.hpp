// The simulated hosts (network namespaces "shmlab-<pid>-<hex>-h<k>" and their veth links) of runs
// whose coordinator is dead (a SIGKILL leaves them): what `shmlab clean` finds and removes.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace shmlab::hosts {

struct StaleHost {
  std::string netns;   // under /run/netns
  std::string link;    // the coordinator's end of its veth pair (may be gone already)
  std::string run_id;  // "shmlab-<pid>-<hex>"
  pid_t owner = 0;     // the coordinator, gone
};

// Scans /run/netns for names of the caller's uid. Never throws (an unreadable directory: none).
std::vector<StaleHost> find_stale_hosts();

// Removes its link and namespace; "" on success, else why not. Never throws.
std::string remove_stale_host(const StaleHost& h);

}  // namespace shmlab::hosts
