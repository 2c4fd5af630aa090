// PgbenchPeer: the reference of `shmlab bench --backends postgres` — pgbench, PostgreSQL's own
// load generator, running a strategy's statements with as many clients as the bench has workers,
// against the bench's server (its throwaway one, or --dsn's), on a table of its own (the run's
// `cells`, in a schema fresh for each measurement, dropped after it). Under root, against the
// throwaway server, it runs as the user who owns the server's directory, as the server does.
//
// Owned by the bench command for one invocation; each run() spawns one pgbench, waits for it
// (watching the runner's signals), parses its report and reads the row back: the count is checked,
// not taken on trust. Its files (script, output, log, passfile) live in a private directory (the
// throwaway server's, or the bench's own) and are removed after each run. Never crosses
// processes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "shmlab/bench/bench_runner.hpp"
#include "shmlab/control/bench_block.hpp"
#include "shmlab/pg/user_process.hpp"
#include "shmlab/sys/signals.hpp"

namespace shmlab {

namespace pg {
class ThrowawayServer;
}

// A DSN split for pgbench: everything but the password as a keyword/value conninfo (what goes on
// pgbench's command line, where every user can read it), and the password apart (what goes into a
// 0600 passfile). Parsed by libpq (PQconninfoParse), so a URI and quoting read as libpq reads
// them. Throws std::invalid_argument with libpq's message when libpq cannot parse it.
struct PgbenchDsn {
  std::string conninfo;                 // "" for "": libpq's PG* environment
  std::optional<std::string> password;  // none when the DSN names none
};
PgbenchDsn split_pgbench_dsn(const std::string& dsn);
// A libpq passfile line that matches any server with `password` (':' and '\' escaped).
std::string pgpass_line(const std::string& password);

// Where pgbench connects, and where its files go.
struct PgbenchServer {
  std::string dsn;                 // as --dsn takes it; "": libpq's environment
  std::string dir;                 // private (0700): the script, output, log and passfile
  std::optional<pg::RunAs> owner;  // run pgbench as this user; none: as we are
  // The throwaway server's: its Unix socket, its directory, its user.
  static PgbenchServer of(const pg::ThrowawayServer& server);
};

// What pgbench printed that the bench uses.
struct PgbenchReport {
  std::uint64_t processed = 0;  // "number of transactions actually processed: N/M"
  std::uint64_t failed = 0;     // "number of failed transactions: N (x%)"
  std::uint64_t retries = 0;    // "total number of retries: N" (only with --max-tries > 1)
  double tps = 0;               // "tps = X (without initial connection time)"
  double latency_avg_ms = 0;    // "latency average = X ms"
};

// Parses pgbench's summary; nullopt when a line it needs is missing.
std::optional<PgbenchReport> parse_pgbench_report(const std::string& output);

// What pgbench's per-transaction log (-l: "client transaction latency_us script epoch_s us …" per
// line) says about the window after the warm-up, timed as the bench times its workers: the
// transactions that started at least `warmup_s` after the first one, over the time from then to
// the last one's end. Without any (a run shorter than the warm-up), the whole run.
struct PgbenchWindow {
  std::uint64_t transactions = 0;  // logged, all (failed ones are not counted)
  std::uint64_t measured = 0;      // inside the window
  std::uint64_t retries = 0;       // of the measured ones (the log's last field with --max-tries)
  double window_s = 0;
  double ops_per_s = 0;
  double p50_ns = 0;  // latency of the measured transactions
  double p99_ns = 0;
};
// Calls its argument with each line of the log, from the start, each time it is called.
using PgbenchLogLines = std::function<void(const std::function<void(const std::string&)>&)>;
PgbenchWindow pgbench_window(const PgbenchLogLines& each_line, double warmup_s);
// The same over a log in memory.
PgbenchWindow pgbench_window(const std::string& log, double warmup_s);

// The strategy whose statements a pgbench primitive runs (its row's measured work sets -t).
Strategy pgbench_strategy(BarePrimitive primitive);

// The pgbench script of `primitive` on `table` (an already quoted, schema-qualified name);
// `lock_key`: advisory's key, hashed as shmlab hashes it (the run's schema name).
std::string pgbench_script(BarePrimitive primitive, const std::string& table,
                           const std::string& lock_key = {});

// What pgbench's -t bounds its retries to (--max-tries) for the scripts that retry: far beyond
// what a measurement needs; a transaction that exhausts it is failed, and the count says so.
inline constexpr std::uint32_t kPgbenchMaxTries = 1'000'000;

// The query protocol pgbench uses (-M), as shmlab's workers do: `extended` (the default), as
// PQexecParams does (a parse, bind and execute per statement, no prepared statement kept), or
// `prepared`, as PQprepare once and PQexecPrepared after (bench --pg-query-mode prepared).
inline constexpr const char* kPgbenchQueryMode = "extended";

// A private directory (0700) for pgbench's files when the server is not ours (--dsn):
// <parent>/<run id>-pgbench-XXXXXX, removed with its contents when it goes. Move-only; never
// crosses processes.
class PgbenchDir {
 public:
  // Throws std::system_error naming mkdtemp and the path.
  explicit PgbenchDir(const std::string& parent);
  ~PgbenchDir();
  PgbenchDir(const PgbenchDir&) = delete;
  PgbenchDir& operator=(const PgbenchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class PgbenchPeer {
 public:
  // The pgbench to run: $SHMLAB_PGBENCH when set, else pgbench beside the server's initdb
  // (Debian's postgresql-<major> ships it). nullopt when there is none, with why in `why`.
  static std::optional<std::string> find(std::string& why);

  PgbenchPeer(std::string pgbench, PgbenchServer server, std::string query_mode = kPgbenchQueryMode)
      : pgbench_(std::move(pgbench)),
        server_(std::move(server)),
        query_mode_(std::move(query_mode)) {}

  const std::string& path() const { return pgbench_; }

  // One measurement: `clients` clients (-c, -j), `transactions` each (-t), timed after `warmup_s`
  // (pgbench_window). Throws
  // std::system_error when pgbench fails (its output's last lines in the message) or runs past
  // `timeout`, BenchInterrupted on SIGINT/SIGTERM from `signals` (pgbench killed, files removed).
  BenchSample run(BarePrimitive primitive, std::uint32_t clients, std::uint64_t transactions,
                  double warmup_s, sys::SignalFd& signals, std::chrono::milliseconds timeout) const;

 private:
  std::string pgbench_;
  PgbenchServer server_;
  std::string query_mode_;
};

}  // namespace shmlab
