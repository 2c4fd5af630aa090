// RunRecord: everything the coordinator collected from one run before it removed the shared
// objects — raw facts, no verdicts. analysis/ turns it into a result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shmlab/control/control_block.hpp"
#include "shmlab/control/lock_table.hpp"
#include "shmlab/region/record.hpp"
#include "shmlab/schedule/schedule.hpp"
#include "shmlab/sys/process.hpp"

namespace shmlab {

enum class WorkerEnd {
  kOk,            // exited 0 after all its operations
  kFailed,        // exited with an error of its own (environment), message in `error`
  kCrashed,       // killed by a signal nobody in shmlab sent (or by --crash)
  kKilled,        // stopped by the coordinator (watchdog, interrupt, another worker's failure)
  kTimeout,       // stopped by the watchdog while it made no progress
  kDisconnected,  // lost its connection to the server mid-run (--partition), message in `error`
};

struct WorkerRecord {
  std::uint32_t number = 0;  // 1-based
  std::int32_t pid = 0;
  WorkerEnd end = WorkerEnd::kOk;
  sys::ExitStatus status;
  std::uint64_t ops = 0;
  std::uint64_t completed = 0;   // operations that took effect (a sale, a transfer)
  std::uint64_t declined = 0;    // operations declined (no stock, not enough money)
  std::uint64_t overdrafts = 0;  // steps that left a cell below 0
  std::uint64_t retries = 0;
  std::uint64_t lock_wait_ns = 0;
  std::uint64_t verify_changed = 0;
  std::uint64_t verify_overwritten = 0;
  std::uint64_t torn_reads = 0;
  std::uint64_t recoveries = 0;
  std::int64_t paused_ns = 0;        // --pause: when it stopped itself (CLOCK_MONOTONIC; 0: never)
  std::int64_t resumed_ns = 0;       // when the coordinator resumed it (0: never)
  std::uint64_t leases_expired = 0;  // lease: grants it lost to expiry while it believed it held
  std::uint64_t fenced_out = 0;      // lease --fencing: its late writes the storage refused
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  std::string error;
  std::string stuck_in;             // what the watchdog saw it doing ("waiting for the mutex")
  std::vector<WriteEntry> writes;   // its write log (empty when not logged)
  std::vector<TraceEvent> trace;    // its trace ring, oldest first
  std::uint64_t trace_dropped = 0;  // events its full ring overwrote
};

enum class RunEnd {
  kCompleted,    // every worker ended on its own
  kWorkerFault,  // a worker crashed or failed; the rest were stopped or finished
  kTimeout,      // the watchdog stopped a run that made no progress
  kInterrupted,  // SIGINT or SIGTERM reached the coordinator
  kDeadlock,     // the lock table showed a cycle of waiting workers; the run was stopped
};

struct RunRecord {
  RunParams params;
  std::string control_name;
  RunEnd end = RunEnd::kCompleted;
  int signal = 0;  // the signal that interrupted the run
  std::optional<CounterRecord> final_record;
  std::int64_t final_total = 0;
  std::vector<CounterRecord> final_cells;  // every cell of the scenario, in order
  std::vector<WaitLink> deadlock;          // the cycle, when end == kDeadlock
  std::uint64_t audits = 0;                // bank --auditor: snapshots read, and wrong ones
  std::uint64_t audits_inconsistent = 0;
  std::vector<WorkerRecord> workers;
  std::int64_t elapsed_ns = 0;  // spawn to cleanup
  std::int64_t go_ns = 0;       // CLOCK_MONOTONIC when the workers were released (trace origin)
  bool writes_logged = false;
  std::string watchdog_report;
  std::string schedule;          // as given, or as drawn for random:SEED; empty: not scheduled
  std::string schedule_taken;    // every step granted, in order
  std::string schedule_blocked;  // L steps granted at a deadlock and never completed
  std::string schedule_error;    // the schedule could not be followed (bad usage, exit 2)
  std::vector<SkippedToken> schedule_skipped;  // tokens of workers that had died
  // Where the run ran, for its replay line (params.region_path holds the run's own region then).
  std::uint32_t hosts = 0;         // --hosts N; 0: none
  bool remote_workers = false;     // --remote-workers: started elsewhere, watched through rows
  PauseSpec partition;             // --partition; worker 0: none
  bool partition_server = false;   // --partition …:server
  std::optional<std::string> dsn;  // --dsn as given ("": libpq's PG* environment); none: own server
};

}  // namespace shmlab
