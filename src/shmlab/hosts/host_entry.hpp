// The worker's side of `--hosts`: entering its host (the network namespace the coordinator made,
// and a mount namespace of its own whose /dev/shm is an empty tmpfs), and what it then sees of
// the machine, which the worker reports so that a test can check the isolation it relies on.
#pragma once

#include <string>

namespace shmlab::hosts {

// Joins /run/netns/<netns> (setns), then unshares the mount namespace, makes every mount private
// to it and mounts a fresh tmpfs on /dev/shm. What was mapped before (the control block) stays
// mapped; nothing in the coordinator's /dev/shm can be opened after. Throws std::system_error
// naming the call. The mounts go with the process: nothing to remove.
void enter_host(const std::string& netns);

// What a worker sees from inside its host.
struct HostView {
  std::string interface;         // its non-loopback link ("eth0"); "" if none
  std::string address;           // "10.173.0.2/30" on it
  int shm_entries = 0;           // entries in its /dev/shm
  bool control_visible = false;  // shm_open(control block) succeeded
};

// Looks at this process's own interfaces and /dev/shm. Throws std::system_error on failure.
HostView observe_host(const std::string& control_name);

}  // namespace shmlab::hosts
