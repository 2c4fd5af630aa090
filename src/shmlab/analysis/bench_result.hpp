// BenchResult: everything one `shmlab bench` invocation measured, summarised — one row per
// strategy × backend × workers, and the bare loops and the Boost peer run beside them with the
// same worker counts. report/ turns it into a table, JSON, CSV and a chart.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shmlab/analysis/bench_stats.hpp"

namespace shmlab {

struct BenchResultRow {
  Strategy strategy;
  Backend backend;
  std::uint32_t workers = 0;
  BenchSummary summary;
  std::optional<BarePrimitive> bare;    // the primitive it is compared with
  std::optional<double> ratio_to_bare;  // ops/s ÷ the bare loop's, same backend and workers
  std::vector<double> ratios_to_bare;   // the same per repetition, each pair measured side by side
};

struct BenchPeerRow {
  BarePrimitive primitive;
  Backend backend;
  std::uint32_t workers = 0;
  BenchSummary summary;
  bool library_peer = false;  // Boost.Interprocess or pgbench, not a bare loop of ours
};

// One measurement that failed (a worker or pgbench failed): the bench went on without it.
struct BenchFailure {
  std::string kind;  // strategy, bare or peer, as the CSV's kind
  std::string name;  // the strategy or primitive
  Backend backend;
  std::uint32_t workers = 0;
  std::uint32_t repetition = 0;  // 1-based
  std::string reason;            // what the runner said, e.g. "bench worker 1 (PID 42): ..."
};

// The server of the postgres rows: one per invocation, shared by every measurement.
struct BenchPostgres {
  bool throwaway = true;  // started for the bench; false: --dsn's
  std::string dsn;        // --dsn's, its password masked; "" for a throwaway server
  double startup_s = 0;   // initdb and start until it accepted connections (throwaway only)
  double initdb_s = 0;
  std::string pgbench;          // the pgbench the peer rows ran; "" when none
  std::string pgbench_missing;  // why there are no pgbench rows; "" when there are
  std::string query_mode;       // pgbench -M
};

struct BenchSettings {
  std::vector<std::uint32_t> workers;
  double duration_s = 0;
  double warmup_s = 0;
  std::uint32_t repeat = 0;
  bool pin = false;
  unsigned cpus = 0;                 // online CPUs of the machine that measured
  std::string scenario = "counter";  // what one operation is (bench --scenario)
  // Strategies asked for that cannot run the scenario, each with why.
  std::vector<std::pair<std::string, std::string>> skipped;
};

// Where and with what the numbers were measured: absolute rates hold only on this machine.
struct BenchProvenance {
  BenchMachine machine;
  std::string version;  // shmlab --version
  std::string commit;   // git describe of the build's source tree ("-dirty": uncommitted changes)
};

struct BenchResult {
  BenchSettings settings;
  BenchProvenance provenance;
  // Ctrl-C (or SIGTERM) ended the run: the rows hold the repetitions measured before it.
  bool interrupted = false;
  std::size_t measurements_done = 0;
  std::size_t measurements_planned = 0;
  std::vector<BenchResultRow> results;
  std::vector<BenchPeerRow> peers;
  // Measurements that failed, in the order measured; their rows summarise the repetitions that
  // did not (none: no row).
  std::vector<BenchFailure> failures;
  std::optional<BenchPostgres> postgres;  // when a postgres row was asked for
};

}  // namespace shmlab
