// BenchRunner: one measurement of `shmlab bench` — one target (a strategy on a backend, or a bare
// primitive), one worker count, one repetition. It creates the objects (control block and region,
// or the bare loop's data), spawns the workers (`shmlab bench-worker`), releases them from a
// barrier, runs the warm-up and the measured window, stops them, collects, and removes everything
// it created, whatever happened.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "shmlab/control/bench_block.hpp"
#include "shmlab/control/params.hpp"
#include "shmlab/sys/signals.hpp"

namespace shmlab {

class PgbenchPeer;

// The stock, and each account's balance, of a scenario bench: no measurement runs out of either
// (the largest value a cell holds on every backend: 2^36, 687 million transfers of 100).
inline constexpr std::int64_t kBenchScenarioPlenty = kMaxCellValue;

struct BenchTarget {
  BenchMode mode = BenchMode::kStrategy;
  Strategy strategy = Strategy::kNone;                   // kStrategy
  BarePrimitive primitive = BarePrimitive::kPlainStore;  // kBare
  Backend backend = Backend::kShm;
  Scenario scenario = Scenario::kCounter;  // kStrategy: what one operation is
  // Whether the operation acquires a lock whose wait is measured (lock_wait_share).
  bool has_lock() const;
  bool operator==(const BenchTarget&) const = default;
};

struct BenchConfig {
  std::uint32_t workers = 1;
  double warmup_s = 0.1;    // run, unmeasured, before the window (caches, batch calibration)
  double duration_s = 1.0;  // the measured window
  bool pin = false;         // worker i on CPU i mod ncpu
  std::string self_exe;     // the shmlab binary workers are spawned from
  std::string temp_dir = "/tmp";
  double stop_timeout_s = 10;  // a worker that has not stopped this long after `stop` is killed
  // mmap/shm: start the cells' 40-bit counters this far below the top of their range instead of
  // at 0 (0: at 0). Lets a test wrap them in a short measurement; final_value counts from there.
  std::uint64_t counter_headroom = 0;
  // postgres: the server every measurement of the invocation shares (a libpq DSN); each makes its
  // own schema and table on it and drops them after.
  std::string pg_dsn;
  // postgres: the workers prepare each statement once per connection (--pg-query-mode prepared).
  bool pg_prepared = false;
  // postgres: runs the pgbench rows (kPgbench* primitives), with this many transactions per client
  // (the strategy row's measured operations per worker, so both do the same work).
  const PgbenchPeer* pgbench = nullptr;
  std::uint64_t pgbench_transactions = 1;
};

// One repetition's numbers.
struct BenchSample {
  double ops_per_s = 0;  // sum over workers of their operations / their measured window
  double p50_ns = 0;     // per-operation latency (batches timed as a whole)
  double p99_ns = 0;
  std::uint64_t ops_measured = 0;
  std::uint64_t ops_total = 0;    // warm-up included
  std::int64_t final_value = 0;   // the counter at the end (its progress: see counter_headroom)
  std::int64_t lost_updates = 0;  // ops_total - final_value
  std::uint64_t retries = 0;      // in the measured window
  double lock_wait_share = -1;    // of the workers' measured time; < 0: no lock
  double window_s = 0;            // mean measured window per worker
  std::uint64_t batch = 0;        // operations per timed batch at the end, smallest over workers
  // The region's counter words wrapped their 40 bits at least once and were followed through
  // (WrappingCounter): final_value is still exact.
  bool counter_wrapped = false;
  // pgbench's mean latency per transaction (its report has no percentiles: p50/p99 stay 0); 0 for
  // every other row.
  double latency_avg_ns = 0;
};

// The machine a bench ran on, as the kernel describes it.
struct BenchMachine {
  std::string cpu_model;  // /proc/cpuinfo "model name" (or "unknown")
  unsigned cpus = 0;      // online CPUs
  std::string kernel;     // uname: system, release, machine
};
BenchMachine this_machine();

// SIGINT/SIGTERM reached the runner; everything was stopped and removed.
class BenchInterrupted : public std::runtime_error {
 public:
  explicit BenchInterrupted(int sig) : std::runtime_error("interrupted"), signal(sig) {}
  int signal;
};

// One measurement failed on its own (a worker or pgbench exited with an error or died, or did not
// start, measure or stop in time); everything it made was removed. The bench records it and goes
// on with the next measurement; a std::system_error is the environment's and ends the bench.
class BenchMeasurementFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class BenchRunner {
 public:
  // Takes SIGCHLD/SIGINT/SIGTERM for its lifetime (see sys::SignalFd).
  BenchRunner() = default;
  // Throws BenchMeasurementFailed when a worker fails, std::system_error when the environment
  // does, BenchInterrupted on a signal.
  BenchSample run(const BenchTarget& target, const BenchConfig& config);

 private:
  sys::SignalFd signals_;
};

}  // namespace shmlab
