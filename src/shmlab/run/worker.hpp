// The worker process: what `shmlab worker` runs. It attaches to the control block and the region by
// name (or, on a `--hosts` host, keeps a replica of the block joined through the database), waits
// at the start barrier, runs its operations as steps, and reports through its slot.
#pragma once

#include <cstdint>
#include <string>

#include "shmlab/control/params.hpp"

namespace shmlab {

// Exit codes of a worker process (the coordinator reads them; users never see them directly).
inline constexpr int kWorkerOk = 0;
inline constexpr int kWorkerFailed = 1;   // environment failure, message in the slot
inline constexpr int kWorkerAborted = 5;  // the coordinator asked every worker to stop

// --hosts: the simulated host a worker runs on (hosts/host_entry.hpp) and the server's address as
// seen from there.
struct WorkerHost {
  std::uint32_t number = 0;  // 1-based
  std::string netns;         // /run/netns/<netns>
  std::string server;        // the server's address on the host's link
  PauseSpec partition;       // --partition: cut the host's link at this point; worker 0: never
};

// `pooled`: a worker of explore's pool (explore/worker_pool.hpp), which runs one interleaving per
// round of the control block until the pool is stopped, instead of one run.
int worker_main(const std::string& control_name, std::uint32_t worker_index, bool pooled = false);

// A worker that shares nothing with its coordinator but the database (`--hosts`): `shmlab worker
// --dsn URI --run NAME --index K`, the password in PGPASSWORD (or ~/.pgpass), never on argv.
struct RemoteWorker {
  std::string dsn;     // the server, without password ("" : libpq's environment)
  std::string run_id;  // "shmlab-<pid>-<hex>": the run's schema
  std::uint32_t index = 0;
  WorkerHost host;  // netns "": runs where it is; server "": the DSN's own host
};

// Enters its host (if any), reads the run's params row, keeps a private control block that a
// relay thread mirrors with the run's schema (run/control_relay.hpp), and runs as worker_main.
int remote_worker_main(const RemoteWorker& worker);

}  // namespace shmlab
