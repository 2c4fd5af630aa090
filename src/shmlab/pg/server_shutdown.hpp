// Stopping a PostgreSQL server and removing what it leaves: shared by ThrowawayServer (its own
// child) and `shmlab clean` (a server whose owner died). The postmaster and every process it forks
// run with the data directory as working directory, which is how they are told from others.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace shmlab::pg {

// Processes whose working directory is `data_dir`, also after the directory was removed: a
// server's postmaster and its backends. Never throws.
std::vector<pid_t> server_processes(const std::string& data_dir);

// Stops the server whose postmaster is behind `pidfd` (a pidfd of a child or of any process):
// SIGINT, PostgreSQL's fast shutdown (aborts open transactions, does not wait for clients); SIGKILL
// after `bound`; then SIGKILLs any process of it still running (backends outlive a killed
// postmaster for a moment). Returns when the postmaster has exited (a child still needs reaping)
// or after another `bound`. Never throws.
void shutdown_server(int pidfd, const std::string& data_dir,
                     std::chrono::milliseconds bound) noexcept;

// Removes `dir` and everything in it, never following a symlink. Returns "" or why not.
std::string remove_server_dir(const std::string& dir) noexcept;

}  // namespace shmlab::pg
