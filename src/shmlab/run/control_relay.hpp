// The control data of a `--hosts` run through the database instead of shared memory: two replicas
// of the control block joined by the run's schema. A worker on another host keeps a private block
// (ControlBlock::create_private) filled from the params row, and a WorkerRelay thread mirrors it
// with the schema; the coordinator's CoordinatorRelay thread mirrors the schema into its real
// block, so that its scheduler, watchdog and reports read the control block as in any other run.
//
// Tables of the run's schema (created by the coordinator, dropped with the schema):
//   control_params  (version, body)           the RunParams, region_path without its password
//   control_run     (go, abort, granted[])    the coordinator's: start, stop, each worker's grants
//   control_workers (idx, arrived, slot[], gate_wanted, gate_seq, error)   each worker's slot
//   control_writes  (id, idx, first, body)    write-log entries from `first` on, as stored
//   control_trace   (id, idx, body)           trace events, in the order appended
// A change is announced with NOTIFY on "<schema>_down" (coordinator → workers) or "<schema>_up";
// each side also looks every kSafetyPullMs. Both ends are owned by one thread of one process.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "shmlab/control/control_block.hpp"
#include "shmlab/pg/connection.hpp"

namespace shmlab {

// The params row (for `params`, as a worker elsewhere reads it): region_path "schema=NAME DSN"
// with the DSN's password left out.
RunParams params_without_password(const RunParams& params);

// Reads the params row the coordinator published. Throws std::system_error (EPROTO) when the
// row was written by another build of shmlab, PgError when it cannot be read.
RunParams read_control_params(pg::Connection& connection, const std::string& schema);

class CoordinatorRelay {
 public:
  // Creates the tables in `schema` through a connection of its own to `dsn`, publishes `control`'s
  // params (without the password) and starts relaying. Throws PgError.
  CoordinatorRelay(const std::string& dsn, const std::string& schema, ControlBlock& control);
  CoordinatorRelay(const CoordinatorRelay&) = delete;
  CoordinatorRelay& operator=(const CoordinatorRelay&) = delete;
  ~CoordinatorRelay();  // stops the thread; never throws

  // Stops relaying and copies into the control block everything the workers published: once they
  // have ended, all they did (each publishes its last state before it exits). The block is then
  // the caller's alone.
  void finish();
  // Why relaying stopped ("" while it works).
  std::string error() const;
  // --remote-workers: ends the server sessions of worker `index` (0-based: its data and relay
  // sessions, named by worker_session_name) with pg_terminate_backend; returns how many it ended,
  // -1 when it could not ask. Never throws.
  int terminate_worker(std::uint32_t index) noexcept;
  // --remote-workers: the workers that arrived, have not ended (done or failed), and have no
  // session on the server any more: their process or machine is gone. One query for all; for a
  // worker without a session, the rows are read again first, so that an end it wrote just before
  // it closed its sessions is in its slot and it is not listed. Throws PgError.
  std::vector<std::uint32_t> workers_gone();

 private:
  void loop();
  void pull();
  void push();

  // Whether worker `idx`'s slot says it ended (done or failed).
  bool ended(std::uint32_t idx) const;

  ControlBlock& control_;
  std::string schema_;
  pg::Connection conn_;
  mutable std::mutex mutex_;  // conn_ and what follows
  std::vector<bool> arrived_;
  std::int64_t last_write_id_ = 0;
  std::int64_t last_trace_id_ = 0;
  std::string pushed_;  // control_run's last published state
  std::string error_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class WorkerRelay {
 public:
  // Relays `control` (a private block whose params came from `schema`) as worker `index`, over
  // `connection`; `dsn` (no password: libpq's PGPASSWORD) reconnects after a lost connection.
  // Its session is named as the worker's data session plus kRelaySessionSuffix.
  WorkerRelay(pg::Connection connection, std::string dsn, const std::string& schema,
              ControlBlock& control, std::uint32_t index);
  WorkerRelay(const WorkerRelay&) = delete;
  WorkerRelay& operator=(const WorkerRelay&) = delete;
  ~WorkerRelay();  // stops the thread; never throws

  // Publishes the worker's state now (before it stops itself or crashes at a fault point).
  void flush() noexcept;
  // Stops the thread and publishes the last state, reconnecting for a while if the connection was
  // lost (a partition). Never throws.
  void finish() noexcept;

 private:
  void loop();
  // `owner`: called on the worker's own thread, which may read what it is writing (the operation
  // in progress); the relay's thread reads finished operations only.
  void push(bool owner);
  void push_writes(bool owner);
  void push_trace();
  void pull();
  bool ensure_connected();
  // Names the session (kRelaySessionSuffix) and listens for the coordinator's notifications.
  void open_session();

  ControlBlock& control_;
  std::uint32_t index_;
  std::string dsn_;
  std::string schema_;
  std::string session_name_;
  pg::Connection conn_;
  bool connected_ = true;
  std::int64_t next_connect_ns_ = 0;
  std::mutex mutex_;             // conn_ and what follows
  std::string pushed_;           // control_workers' last published row
  std::uint32_t grants_ = 0;     // grants applied to the private slot
  std::uint64_t final_ops_ = 0;  // operations whose write-log entries were published final
  std::uint64_t sent_first_ = UINT64_MAX;  // the entries last published from here on
  std::vector<char> sent_bytes_;
  std::uint64_t trace_sent_ = 0;  // trace events published
  std::int64_t last_pull_ns_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace shmlab
