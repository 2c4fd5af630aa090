// Running iproute2's `ip` for the simulated hosts (network namespaces, veth links, addresses):
// finding the program, and running it to the end with its output captured for the error message.
// No shell: the arguments go to posix_spawn as they are.
#pragma once

#include <string>
#include <vector>

namespace shmlab::hosts {

// The `ip` program: /usr/sbin/ip, /sbin/ip, /usr/bin/ip or /bin/ip. Throws std::system_error
// (ENOENT) naming Debian's iproute2 package when none is there.
std::string ip_program();

// Runs `ip ARGS…` and waits for it. Throws std::system_error naming the command and what `ip`
// printed when it fails.
void run_ip(const std::vector<std::string>& args);

// The same, for cleanup: false (and no throw) when it fails. Never throws.
bool try_run_ip(const std::vector<std::string>& args) noexcept;

// Whether this process may create network namespaces, veth links and mounts: "" when it may,
// else what is missing ("CAP_NET_ADMIN and CAP_SYS_ADMIN (run as root)"). Never throws.
std::string missing_network_privileges() noexcept;

}  // namespace shmlab::hosts
