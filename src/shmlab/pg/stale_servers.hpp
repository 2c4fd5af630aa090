// Throwaway PostgreSQL servers left behind by owners that died (SIGKILL, power loss): their
// private directories <temp dir>/<run id>-pg-XXXXXX with a state file (server_state.hpp) of the
// caller's uid whose owner pid is gone. Used by `shmlab clean`.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "shmlab/pg/server_state.hpp"

namespace shmlab::pg {

struct StaleServer {
  std::string dir;     // the private directory
  std::string run_id;  // "shmlab-<pid>-<hex>": the directory's name before "-pg-"
  ServerState state;
  bool running = false;  // its postmaster still runs
};

// Scans `temp_dir` for servers whose owner is dead. Never throws.
std::vector<StaleServer> find_stale_servers(const std::string& temp_dir);

// Stops the server if it still runs (only a process whose working directory is the recorded data
// directory is signalled) and removes its directory. Returns "" or why not. Never throws.
std::string remove_stale_server(const StaleServer& server);

}  // namespace shmlab::pg
