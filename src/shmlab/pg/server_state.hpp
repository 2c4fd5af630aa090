// The small file a throwaway server's private directory holds so that `shmlab clean` can stop a
// server whose owner was killed (SIGKILL, power loss) and remove its directory: who started the
// server, its postmaster's pid and its data directory. Written by the owner, owned by the owner's
// uid (also when the directory belongs to the server's unprivileged user), read by `shmlab clean`.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace shmlab::pg {

inline constexpr const char* kServerStateFile = "shmlab-server.state";

struct ServerState {
  pid_t owner = 0;       // the process that started the server; the server is stale once it died
  pid_t postmaster = 0;  // 0 until the postmaster has been started
  std::string data_dir;  // the postmaster's working directory, which identifies it in /proc
};

// Writes `dir`/kServerStateFile (mode 0600) through a temporary file and rename, so that a reader
// sees the old or the new state, never half of one. Throws std::system_error.
void write_server_state(const std::string& dir, const ServerState& state);

// Reads it back; nullopt when it is missing, a symlink, not a regular file of the caller's uid, or
// malformed. Never throws.
std::optional<ServerState> read_server_state(const std::string& dir);

}  // namespace shmlab::pg
