#include "shmlab/bench/pgbench_peer.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "shmlab/analysis/bench_stats.hpp"
#include "shmlab/control/latency_histogram.hpp"
#include "shmlab/pg/connection.hpp"
#include "shmlab/pg/libpq.hpp"
#include "shmlab/pg/run_schema.hpp"
#include "shmlab/pg/server_binaries.hpp"
#include "shmlab/pg/throwaway_server.hpp"
#include "shmlab/pg/user_process.hpp"
#include "shmlab/region/pg_region.hpp"
#include "shmlab/region/region.hpp"
#include "shmlab/run/coordinator.hpp"
#include "shmlab/sync/strategy.hpp"
#include "shmlab/sys/syscall.hpp"
#include "shmlab/sys/unique_fd.hpp"

namespace shmlab {
namespace {

constexpr std::size_t kOutputTailLines = 15;

// A file of ours in the server's directory, created exclusively, removed when it goes.
class OwnFile {
 public:
  OwnFile(std::string path, const std::optional<pg::RunAs>& owner) : path_(std::move(path)) {
    fd_ = sys::UniqueFd(sys::check(sys::call_name("open", path_), [&] {
      return ::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    }));
    created_ = true;
    if (owner) {
      sys::check(sys::call_name("fchown", path_),
                 [&] { return ::fchown(fd_.get(), owner->uid, owner->gid); });
    }
  }
  ~OwnFile() {
    if (created_) ::unlink(path_.c_str());
  }
  OwnFile(const OwnFile&) = delete;
  OwnFile& operator=(const OwnFile&) = delete;
  int fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }
  void write(const std::string& text) {
    for (std::size_t done = 0; done < text.size();) {
      done += static_cast<std::size_t>(sys::check(sys::call_name("write", path_), [&] {
        return ::write(fd_.get(), text.data() + done, text.size() - done);
      }));
    }
  }
  std::string read() const {
    std::ifstream in(path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  std::string path_;
  sys::UniqueFd fd_;
  bool created_ = false;
};

// Who pgbench runs as: the owner of the server's directory when that is not us (we are root and
// the server runs as its system user); nullopt: as we are.
std::optional<pg::RunAs> server_owner(const std::string& dir) {
  struct stat st {};
  sys::check(sys::call_name("stat", dir), [&] { return ::stat(dir.c_str(), &st); });
  if (::geteuid() != 0 || st.st_uid == 0) return std::nullopt;
  const passwd* pw = ::getpwuid(st.st_uid);
  return pg::RunAs{st.st_uid, st.st_gid, pw != nullptr ? pw->pw_name : std::to_string(st.st_uid)};
}

// The last `lines` lines of `text`, indented, for an error message.
std::string tail(const std::string& text, std::size_t lines) {
  std::vector<std::string> all;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) all.push_back("  " + line);
  const std::size_t from = all.size() > lines ? all.size() - lines : 0;
  return fmt::format("{}",
                     fmt::join(all.begin() + static_cast<std::ptrdiff_t>(from), all.end(), "\n"));
}

}  // namespace

std::optional<PgbenchReport> parse_pgbench_report(const std::string& output) {
  PgbenchReport r;
  bool processed = false;
  bool tps = false;
  std::istringstream in(output);
  std::string line;
  auto after = [&](std::string_view prefix) -> std::optional<std::string> {
    if (line.rfind(prefix, 0) != 0) return std::nullopt;
    return line.substr(prefix.size());
  };
  while (std::getline(in, line)) {
    if (auto v = after("number of transactions actually processed: ")) {
      processed = std::sscanf(v->c_str(), "%lu", &r.processed) == 1;
    } else if (auto f = after("number of failed transactions: ")) {
      std::sscanf(f->c_str(), "%lu", &r.failed);
    } else if (auto t = after("total number of retries: ")) {
      std::sscanf(t->c_str(), "%lu", &r.retries);
    } else if (auto v2 = after("latency average = ")) {
      std::sscanf(v2->c_str(), "%lf", &r.latency_avg_ms);
    } else if (auto v3 = after("tps = ")) {
      tps = std::sscanf(v3->c_str(), "%lf", &r.tps) == 1;
    }
  }
  if (!processed || !tps) return std::nullopt;
  return r;
}

namespace {

// One line of the per-transaction log; false for a failed or skipped transaction, which has a word
// in place of its latency, or for anything else. `retries`: the last field, which pgbench writes
// with --max-tries other than 1 (0 without it).
bool parse_log_line(const std::string& line, double& start_s, double& end_s, double& latency_ns,
                    unsigned long& retries) {
  long client = 0;
  long number = 0;
  double latency_us = 0;
  int script = 0;
  long epoch_s = 0;
  long epoch_us = 0;
  retries = 0;
  if (std::sscanf(line.c_str(), "%ld %ld %lf %d %ld %ld %lu", &client, &number, &latency_us,
                  &script, &epoch_s, &epoch_us, &retries) < 6) {
    return false;
  }
  end_s = static_cast<double>(epoch_s) + static_cast<double>(epoch_us) * 1e-6;
  start_s = end_s - latency_us * 1e-6;
  latency_ns = latency_us * 1e3;
  return true;
}

}  // namespace

PgbenchWindow pgbench_window(const PgbenchLogLines& each_line, double warmup_s) {
  // Two passes, nothing kept per transaction: memory stays flat however long pgbench ran.
  PgbenchWindow w;
  double first = std::numeric_limits<double>::max();
  double last_start = 0;
  double last_end = 0;
  each_line([&](const std::string& line) {
    double start = 0, end = 0, latency = 0;
    unsigned long retries = 0;
    if (!parse_log_line(line, start, end, latency, retries)) return;
    ++w.transactions;
    first = std::min(first, start);
    last_start = std::max(last_start, start);
    last_end = std::max(last_end, end);
  });
  if (w.transactions == 0) return w;
  const double from = last_start >= first + warmup_s ? first + warmup_s : first;
  LatencyHistogram latency;
  each_line([&](const std::string& line) {
    double start = 0, end = 0, ns = 0;
    unsigned long retries = 0;
    if (!parse_log_line(line, start, end, ns, retries) || start < from) return;
    ++w.measured;
    w.retries += retries;
    latency.add(ns, 1);
  });
  w.window_s = last_end - from;
  w.ops_per_s = w.window_s > 0 ? static_cast<double>(w.measured) / w.window_s : 0;
  w.p50_ns = latency.quantile(0.50);
  w.p99_ns = latency.quantile(0.99);
  return w;
}

PgbenchWindow pgbench_window(const std::string& log, double warmup_s) {
  return pgbench_window(
      [&](const std::function<void(const std::string&)>& fn) {
        std::istringstream in(log);
        for (std::string line; std::getline(in, line);) fn(line);
      },
      warmup_s);
}

PgbenchDsn split_pgbench_dsn(const std::string& dsn) {
  PgbenchDsn out;
  if (dsn.empty()) return out;
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> options(
      pg::libpq().PQconninfoParse(dsn.c_str(), &error), pg::libpq().PQconninfoFree);
  if (!options) {
    std::string why = error != nullptr ? error : "out of memory";
    if (error != nullptr) pg::libpq().PQfreemem(error);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    throw std::invalid_argument(fmt::format("--dsn {}: {}", pg::redact_password(dsn), why));
  }
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    if (std::strcmp(o->keyword, "password") == 0) {
      out.password = o->val;
      continue;
    }
    out.conninfo += fmt::format("{}{}={}", out.conninfo.empty() ? "" : " ", o->keyword,
                                pg::conninfo_quote(o->val));
  }
  return out;
}

std::string pgpass_line(const std::string& password) {
  std::string escaped;
  for (char c : password) {
    if (c == ':' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return "*:*:*:*:" + escaped + "\n";
}

PgbenchServer PgbenchServer::of(const pg::ThrowawayServer& server) {
  return {server.dsn(), server.dir(), server_owner(server.dir())};
}

PgbenchDir::PgbenchDir(const std::string& parent) {
  std::string pattern = fmt::format("{}/{}-pgbench-XXXXXX", parent, make_run_id());
  if (::mkdtemp(pattern.data()) == nullptr) sys::throw_errno("mkdtemp", pattern, errno);
  path_ = std::move(pattern);
}

PgbenchDir::~PgbenchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Strategy pgbench_strategy(BarePrimitive primitive) {
  // The inverse of bare_primitive_for on postgres: one table of which script is whose.
  for (const StrategyInfo& s : all_strategies()) {
    if (bare_primitive_for(s.id, Backend::kPostgres) == primitive) return s.id;
  }
  throw std::logic_error("pgbench_strategy: not a pgbench primitive");
}

std::string pgbench_script(BarePrimitive primitive, const std::string& table,
                           const std::string& lock_key) {
  // In each, the value travels to the client (\gset) and back, as in shmlab's read-modify-write.
  switch (primitive) {
    case BarePrimitive::kPgbenchUpdate:
      return fmt::format("UPDATE {} SET value = value + 1 WHERE id = 0;\n", table);
    case BarePrimitive::kPgbenchForUpdate:
      return fmt::format(
          "BEGIN;\n"
          "SELECT value AS v FROM {0} WHERE id = 0 FOR UPDATE \\gset\n"
          "UPDATE {0} SET value = :v + 1 WHERE id = 0;\n"
          "COMMIT;\n",
          table);
    case BarePrimitive::kPgbenchCas:
      // pgbench has no loop: a failed compare (no row returned, so \aset leaves ok at 0) raises a
      // serialization failure of its own, which --max-tries retries from the script's start, as
      // cas retries from its read. That costs one statement (the DO) per failed compare, which
      // shmlab does not send.
      return fmt::format(
          "\\set ok 0\n"
          "\\set wid random(1, 1000000000000)\n"
          "SELECT value AS v, write_id AS w FROM {0} WHERE id = 0 \\gset\n"
          "UPDATE {0} SET value = :v + 1, write_id = :wid"
          " WHERE id = 0 AND value = :v AND write_id = :w RETURNING 1 AS ok \\aset\n"
          "\\if :ok = 0\n"
          "DO $$BEGIN RAISE EXCEPTION 'cas: the row changed since it was read'"
          " USING ERRCODE = 'serialization_failure'; END$$;\n"
          "\\endif\n",
          table);
    case BarePrimitive::kPgbenchTransaction:
      // The server's own 40001 is retried by --max-tries, after pgbench's ROLLBACK.
      return fmt::format(
          "BEGIN ISOLATION LEVEL SERIALIZABLE;\n"
          "SELECT value AS v FROM {0} WHERE id = 0 \\gset\n"
          "UPDATE {0} SET value = :v + 1 WHERE id = 0;\n"
          "COMMIT;\n",
          table);
    case BarePrimitive::kPgbenchAdvisory: {
      std::string key;  // an SQL literal: ' doubled
      for (char c : lock_key) key += c == '\'' ? std::string("''") : std::string(1, c);
      return fmt::format(
          "BEGIN ISOLATION LEVEL READ COMMITTED;\n"
          "SELECT pg_advisory_xact_lock(hashtext('{1}'));\n"
          "SELECT value AS v FROM {0} WHERE id = 0 \\gset\n"
          "UPDATE {0} SET value = :v + 1 WHERE id = 0;\n"
          "COMMIT;\n",
          table, key);
    }
    default:
      break;
  }
  throw std::logic_error("pgbench_script: not a pgbench primitive");
}

std::optional<std::string> PgbenchPeer::find(std::string& why) {
  if (const char* given = std::getenv("SHMLAB_PGBENCH"); given != nullptr && *given != '\0') {
    if (::access(given, X_OK) == 0) return std::string(given);
    why = fmt::format("SHMLAB_PGBENCH={} is not an executable program", given);
    return std::nullopt;
  }
  std::string bindir;
  try {
    bindir = pg::find_server_bindir();
  } catch (const std::exception& e) {
    why = e.what();
    return std::nullopt;
  }
  const std::string path = bindir + "/pgbench";
  if (::access(path.c_str(), X_OK) == 0) return path;
  why = fmt::format("no pgbench in {} (it comes with the PostgreSQL server's package)", bindir);
  return std::nullopt;
}

BenchSample PgbenchPeer::run(BarePrimitive primitive, std::uint32_t clients,
                             std::uint64_t transactions, double warmup_s, sys::SignalFd& signals,
                             std::chrono::milliseconds timeout) const {
  // The table exactly as a strategy's measurement gets it: a fresh schema with its one row.
  RunParams p;
  p.workers = clients;
  p.backend = Backend::kPostgres;
  p.strategy = pgbench_strategy(primitive);
  p.quiet = true;
  const std::string id = make_run_id();
  std::memcpy(p.run_id, id.data(), std::min(id.size(), sizeof(p.run_id) - 1));
  const std::string dsn = std::string(kDsnPrefix) + server_.dsn;
  if (dsn.size() >= sizeof(p.region_path))
    sys::throw_errno(sys::call_name("bench", dsn) + ": DSN too long", ENAMETOOLONG);
  std::memcpy(p.region_path, dsn.data(), dsn.size());
  std::unique_ptr<RegionStore> store = create_region(p, server_.dir);
  constexpr std::string_view kSchemaKey = "schema=";  // region_path: "schema=<name> <dsn>"
  const std::string_view path = p.region_path;
  const std::string schema(path.substr(kSchemaKey.size(), path.find(' ') - kSchemaKey.size()));
  const std::string table = pg::quote_identifier(schema) + ".\"cells\"";

  const std::optional<pg::RunAs>& owner = server_.owner;
  OwnFile script(fmt::format("{}/{}-pgbench.sql", server_.dir, id), owner);
  script.write(pgbench_script(primitive, table, schema));
  OwnFile output(fmt::format("{}/{}-pgbench.out", server_.dir, id), std::nullopt);
  // The password, if any, in a passfile (0600, pgbench's user's): never on its command line.
  const PgbenchDsn connect = split_pgbench_dsn(server_.dsn);
  std::optional<OwnFile> passfile;
  std::string conninfo = connect.conninfo;
  if (connect.password) {
    passfile.emplace(fmt::format("{}/{}-pgpass", server_.dir, id), owner);
    passfile->write(pgpass_line(*connect.password));
    conninfo +=
        (conninfo.empty() ? "" : " ") + ("passfile=" + pg::conninfo_quote(passfile->path()));
  }
  // pgbench writes its per-transaction log as <prefix>.<pid>[.<thread>], as its user.
  const std::string log_prefix = fmt::format("{}/{}-pgbench-log", server_.dir, id);
  struct RemoveLogs {
    std::string dir;
    std::string stem;
    ~RemoveLogs() {
      std::error_code ec;
      for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        if (e.path().filename().string().rfind(stem, 0) == 0) std::filesystem::remove(e.path(), ec);
      }
    }
  } remove_logs{server_.dir, id + "-pgbench-log."};

  pg::SpawnOptions o;
  o.argv = {pgbench_,
            "-n",  // no VACUUM of pgbench's own tables: there are none
            "-M",           query_mode_,
            "-c",           std::to_string(clients),
            "-j",           std::to_string(clients),
            "-t",           std::to_string(std::max<std::uint64_t>(1, transactions)),
            "-f",           script.path(),
            "-l",  // one line per transaction: its latency and end, for the window and percentiles
            "--log-prefix", log_prefix};
  // The server as a conninfo in pgbench's database argument (libpq expands it); none: libpq's
  // PG* environment, which pgbench inherits.
  // cas and transaction: a serialization failure (the server's, or cas's own) is retried.
  const bool retries =
      primitive == BarePrimitive::kPgbenchCas || primitive == BarePrimitive::kPgbenchTransaction;
  if (retries) o.argv.push_back(fmt::format("--max-tries={}", kPgbenchMaxTries));
  if (!conninfo.empty()) o.argv.push_back(conninfo);
  o.cwd = server_.dir;
  o.output_fd = output.fd();
  o.user = owner;
  o.own_process_group = true;  // the terminal's Ctrl-C reaches us; we stop it
  pg::UserProcess pgbench = pg::UserProcess::spawn(o);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::optional<sys::ExitStatus> status;
  while (!(status = pgbench.wait_for(std::chrono::milliseconds(0)))) {
    if (auto sig = signals.wait(20); sig && *sig != SIGCHLD) throw BenchInterrupted(*sig);
    if (std::chrono::steady_clock::now() > deadline) {
      throw BenchMeasurementFailed(fmt::format(
          "pgbench did not finish within {:.0f} s; its last lines:\n{}",
          static_cast<double>(timeout.count()) / 1000.0, tail(output.read(), kOutputTailLines)));
    }
  }
  const std::string text = output.read();
  const std::optional<PgbenchReport> report = parse_pgbench_report(text);
  if (!status->exited || status->code != 0 || !report) {
    const std::string why = !status->exited     ? fmt::format("killed by signal {}", status->signal)
                            : status->code != 0 ? fmt::format("exit {}", status->code)
                                                : std::string("no summary in its output");
    const std::string last = tail(text, kOutputTailLines);
    throw BenchMeasurementFailed(
        fmt::format("pgbench failed ({}): {}{}", why, fmt::join(o.argv, " "),
                    last.empty() ? std::string(" (it printed nothing)")
                                 : fmt::format("; its last lines:\n{}\n", last)));
  }

  // The log files (one per pgbench thread), read line by line.
  auto each_line = [&](const std::function<void(const std::string&)>& fn) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(server_.dir, ec)) {
      if (e.path().filename().string().rfind(remove_logs.stem, 0) != 0) continue;
      std::ifstream in(e.path());
      for (std::string line; std::getline(in, line);) fn(line);
    }
  };
  const PgbenchWindow window = pgbench_window(each_line, warmup_s);
  if (window.transactions != report->processed) {
    throw BenchMeasurementFailed(fmt::format("pgbench processed {} transactions but logged {}",
                                             report->processed, window.transactions));
  }

  BenchSample out;
  out.ops_per_s = window.ops_per_s;
  out.ops_measured = window.measured;
  out.ops_total = report->processed;
  // The row says what pgbench did: every transaction adds one, none may be lost.
  out.final_value = attach_region(p)->total();
  out.retries = window.retries;
  out.lost_updates = static_cast<std::int64_t>(report->processed) - out.final_value;
  out.window_s = window.window_s;
  out.batch = 1;
  out.p50_ns = window.p50_ns;
  out.p99_ns = window.p99_ns;
  out.latency_avg_ns = report->latency_avg_ms * 1e6;  // pgbench's own, over the whole run
  return out;
}

}  // namespace shmlab
