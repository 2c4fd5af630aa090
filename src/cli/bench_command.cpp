// `shmlab bench`: every valid strategy × backend × worker count, K repetitions each, side by side
// with the bare loop of each primitive and the Boost.Interprocess mutex, measured in the same run;
// on postgres (one throwaway server for the invocation) beside pgbench running the same statements.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/version.hpp"
#include "shmlab/analysis/bench_result.hpp"
#include "shmlab/bench/bench_runner.hpp"
#include "shmlab/bench/bench_worker.hpp"
#include "shmlab/bench/pgbench_peer.hpp"
#include "shmlab/pg/connection.hpp"
#include "shmlab/pg/throwaway_server.hpp"
#include "shmlab/region/backend.hpp"
#include "shmlab/region/pg_region.hpp"
#include "shmlab/report/bench_output.hpp"
#include "shmlab/report/bench_plot.hpp"
#include "shmlab/scenario/registry.hpp"
#include "shmlab/sync/bare_primitive.hpp"
#include "shmlab/sync/strategy.hpp"
#include "shmlab/sys/syscall.hpp"
#include "shmlab/sys/unique_fd.hpp"
#include "shmlab/usage_error.hpp"

namespace shmlab::cli {
namespace {

struct BenchOptions {
  std::string scenario = "counter";  // what one operation is: counter, inventory, bank
  std::string strategies = "all";
  std::string backends = "all";
  std::string workers = "1,2,4";  // worker counts, each 1..1024
  double duration_s = 0.5;        // measured window of each repetition
  double warmup_s = 0.1;          // unmeasured run before it
  std::uint32_t repeat = 3;       // repetitions; the table shows their median
  bool pin = false;
  bool json = false;
  std::string csv;
  std::string plot;
  std::optional<std::string> dsn;  // postgres: an existing server ("": libpq's PG* environment)
  std::string pg_query_mode = kPgbenchQueryMode;  // postgres: extended or prepared, both sides
};

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    out.push_back(item);
  }
  return out;
}

template <class T, class Parse, class All, class Name>
std::vector<T> parse_list(const std::string& option, const std::string& list, Parse parse, All all,
                          Name name) {
  std::vector<T> out;
  if (list == "all") {
    for (const auto& x : all()) out.push_back(x);
    return out;
  }
  const auto items = split(list);
  if (items.empty()) throw UsageError(fmt::format("{}: empty list", option));
  for (const std::string& item : items) {
    const std::optional<T> v = parse(item);
    if (!v) {
      std::vector<std::string> known;
      for (const auto& x : all()) known.emplace_back(name(x));
      throw UsageError(fmt::format("{}: unknown name '{}' (known: {}, or all)", option, item,
                                   fmt::join(known, ", ")));
    }
    if (std::find(out.begin(), out.end(), *v) == out.end()) out.push_back(*v);
  }
  return out;
}

std::vector<std::uint32_t> parse_workers(const std::string& list) {
  std::vector<std::uint32_t> out;
  const auto items = split(list);
  if (items.empty()) throw UsageError("--workers: empty list");
  for (const std::string& item : items) {
    if (item.empty() || item.size() > 5 ||
        item.find_first_not_of("0123456789") != std::string::npos || std::stoul(item) < 1 ||
        std::stoul(item) > kMaxWorkers) {
      throw UsageError(
          fmt::format("--workers: '{}' is not a worker count (1..{})", item, kMaxWorkers));
    }
    const auto w = static_cast<std::uint32_t>(std::stoul(item));
    if (std::find(out.begin(), out.end(), w) == out.end()) out.push_back(w);
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Plan {
  Scenario scenario = Scenario::kCounter;
  std::vector<std::pair<std::string, std::string>> skipped;  // strategy, why
  std::vector<std::pair<Strategy, Backend>> pairs;
  std::vector<BenchTarget> targets;  // strategies first, then bare loops and peers
};

// Why `s` is not measured for `scenario`; empty when it is.
std::string skip_reason(Scenario scenario, Strategy s) {
  std::string why = scenario_of(scenario).refusal(s);
  if (why.empty() && s == Strategy::kLease)
    why = "a lease is about expiry and late writes, not speed (run --strategy lease shows it)";
  if (why.empty() && s == Strategy::kAccountLocks) {
    why =
        "its transfers deadlock once the workers close a cycle of accounts (run --strategy "
        "account-locks shows it); ordered-locks is the same locks, taken in order";
  }
  return why;
}

Plan make_plan(const BenchOptions& o) {
  Plan plan;
  const std::optional<Scenario> scenario = parse_scenario(o.scenario);
  if (!scenario) {
    std::vector<std::string> known;
    for (const ScenarioDef* s : all_scenarios()) known.emplace_back(s->name());
    throw UsageError(fmt::format("--scenario: unknown name '{}' (known: {})", o.scenario,
                                 fmt::join(known, ", ")));
  }
  plan.scenario = *scenario;
  auto strategies = parse_list<Strategy>(
      "--strategies", o.strategies, [](const std::string& s) { return parse_strategy(s); },
      [] {
        std::vector<Strategy> v;
        for (const StrategyInfo& s : all_strategies()) v.push_back(s.id);
        return v;
      },
      [](Strategy s) { return strategy_name(s); });
  const auto backends = parse_list<Backend>(
      "--backends", o.backends, [](const std::string& s) { return parse_backend(s); },
      [] {
        std::vector<Backend> v(all_backends().begin(), all_backends().end());
        // A server to start: asked for by name (--backends postgres or a list naming it).
        std::erase(v, Backend::kPostgres);
        return v;
      },
      [](Backend b) { return backend_name(b); });
  std::erase_if(strategies, [&](Strategy s) {
    const std::string why = skip_reason(plan.scenario, s);
    if (why.empty()) return false;
    // The counter's full list has no per-account locks at all: they are the bank's.
    const bool bank_only = s == Strategy::kAccountLocks || s == Strategy::kOrderedLocks;
    // Nor has any full list a lease: it is studied by `run` (docs/lease.md), not timed.
    const bool unlisted =
        o.strategies == "all" &&
        (s == Strategy::kLease || (plan.scenario == Scenario::kCounter && bank_only));
    if (!unlisted) plan.skipped.emplace_back(strategy_name(s), why);
    return true;
  });
  if (strategies.empty()) {
    std::string why;
    for (const auto& [s, reason] : plan.skipped) why += fmt::format("; {}: {}", s, reason);
    throw UsageError(fmt::format("--strategies {} with --scenario {}: none can run it{}",
                                 o.strategies, o.scenario, why));
  }
  for (Strategy s : strategies) {
    for (Backend b : backends) {
      if (fits(s, b)) plan.pairs.emplace_back(s, b);
    }
  }
  if (plan.pairs.empty()) {
    std::string why;
    for (Strategy s : strategies) why += "; " + fitting_backends_message(s);
    throw UsageError(fmt::format("--strategies {} with --backends {}: no pair fits{}", o.strategies,
                                 o.backends, why));
  }
  for (const auto& [s, b] : plan.pairs) {
    plan.targets.push_back({BenchMode::kStrategy, s, BarePrimitive::kPlainStore, b, plan.scenario});
  }
  // The bare loops increment a counter: beside the counter's rows only.
  if (plan.scenario != Scenario::kCounter) return plan;
  auto add_bare = [&](BarePrimitive p, Backend b) {
    const BenchTarget t{BenchMode::kBare, Strategy::kNone, p, b};
    if (std::find(plan.targets.begin(), plan.targets.end(), t) == plan.targets.end())
      plan.targets.push_back(t);
  };
  for (const auto& [s, b] : plan.pairs) {
    if (auto p = bare_primitive_for(s, b)) add_bare(*p, b);
  }
  // The library peer beside every robust-mutex row (when this build has it: see bare_primitive;
  // postgres: pgbench, added above).
  for (const auto& [s, b] : plan.pairs) {
    if (s != Strategy::kMutex || b == Backend::kSqlite || b == Backend::kPostgres) continue;
    if (bare::kBoostPeerBuilt) {
      add_bare(BarePrimitive::kBoostMutex, b);
    } else if (plan.skipped.empty() || plan.skipped.back().first != "boost-interprocess-mutex") {
      plan.skipped.emplace_back("boost-interprocess-mutex",
                                "this shmlab was built without Boost's headers (make demo does not "
                                "install libboost-dev; make test, or install-deps.sh deb, does)");
    }
  }
  return plan;
}

class BenchProgress {
 public:
  BenchProgress(std::size_t total, bool on) : total_(total), on_(on) {}
  void show(std::size_t done, const std::string& what) const {
    if (!on_) return;
    constexpr std::size_t kWidth = 30;
    const std::size_t filled = total_ == 0 ? kWidth : done * kWidth / total_;
    fmt::print(stderr, "\r\033[K[{}{}] {}/{} {}", std::string(filled, '#'),
               std::string(kWidth - filled, '.'), done, total_, what);
    std::fflush(stderr);
  }
  void clear() const {
    if (on_) fmt::print(stderr, "\r\033[K");
  }

 private:
  std::size_t total_;
  bool on_;
};

std::string describe(const BenchTarget& t) {
  if (t.mode == BenchMode::kStrategy)
    return fmt::format("{} on {}", strategy_name(t.strategy), backend_name(t.backend));
  return fmt::format("{} {} on {}", bare::is_peer(t.primitive) ? "peer" : "bare",
                     bare::primitive_name(t.primitive), backend_name(t.backend));
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// An output file opened before anything is measured, so that a path that cannot be written fails
// at once instead of after minutes of measurement. Written (truncated first) at the end; removed
// if this run created it and never wrote it.
class OutputFile {
 public:
  OutputFile() = default;
  explicit OutputFile(std::string path) : path_(std::move(path)) {
    struct stat st {};
    created_ = ::stat(path_.c_str(), &st) != 0;
    fd_ = sys::UniqueFd(sys::check(sys::call_name("open", path_), [&] {
      return ::open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    }));
  }
  ~OutputFile() {
    if (fd_.get() >= 0 && created_ && !written_) ::unlink(path_.c_str());
  }
  OutputFile(OutputFile&&) = default;
  OutputFile& operator=(OutputFile&&) = default;

  bool wanted() const { return !path_.empty(); }
  const std::string& path() const { return path_; }
  void write(const std::string& text) {
    struct stat st {};
    if (::fstat(fd_.get(), &st) == 0 && S_ISREG(st.st_mode)) {
      sys::check(sys::call_name("ftruncate", path_), [&] { return ::ftruncate(fd_.get(), 0); });
    }
    for (std::size_t done = 0; done < text.size();) {
      const ssize_t n = sys::check(sys::call_name("write", path_), [&] {
        return ::write(fd_.get(), text.data() + done, text.size() - done);
      });
      done += static_cast<std::size_t>(n);
    }
    written_ = true;
  }

 private:
  std::string path_;
  sys::UniqueFd fd_;
  bool created_ = false;
  bool written_ = false;
};

// The chart's format comes from the name: refused before measuring when it is neither.
bool plot_is_html(const std::string& path) {
  if (ends_with(path, ".html") || ends_with(path, ".htm")) return true;
  if (ends_with(path, ".svg")) return false;
  const auto dot = path.find_last_of("./");
  throw UsageError(
      fmt::format("--plot {}: unknown extension '{}' (the chart is written as .svg or .html)", path,
                  dot == std::string::npos || path[dot] == '/' ? std::string() : path.substr(dot)));
}

#ifndef SHMLAB_VERSION
#define SHMLAB_VERSION "0.0.0"
#endif

using Samples = std::vector<std::vector<std::vector<BenchSample>>>;  // [target][workers][rep]

BenchResult make_result(const BenchOptions& o, const Plan& plan,
                        const std::vector<std::uint32_t>& workers, const Samples& samples) {
  BenchResult result;
  const BenchMachine machine = this_machine();
  result.settings = {workers, o.duration_s, o.warmup_s, o.repeat,
                     o.pin,   machine.cpus, o.scenario, plan.skipped};
  result.provenance = {machine, SHMLAB_VERSION, build_commit()};
  auto summary_of = [&](const BenchTarget& t, std::size_t wi) -> std::optional<BenchSummary> {
    for (std::size_t ti = 0; ti < plan.targets.size(); ++ti) {
      if (plan.targets[ti] == t && !samples[ti][wi].empty()) return summarize(samples[ti][wi]);
    }
    return std::nullopt;
  };
  for (std::size_t ti = 0; ti < plan.targets.size(); ++ti) {
    const BenchTarget& t = plan.targets[ti];
    for (std::size_t wi = 0; wi < workers.size(); ++wi) {
      if (samples[ti][wi].empty()) continue;  // interrupted before it was measured
      const BenchSummary s = summarize(samples[ti][wi]);
      if (t.mode == BenchMode::kStrategy) {
        BenchResultRow row{t.strategy, t.backend, workers[wi], s, std::nullopt, std::nullopt, {}};
        // Only a reference that was measured (no pgbench: none).
        const auto bare = bare_primitive_for(t.strategy, t.backend);
        if (plan.scenario == Scenario::kCounter && bare &&
            std::find(plan.targets.begin(), plan.targets.end(),
                      BenchTarget{BenchMode::kBare, Strategy::kNone, *bare, t.backend}) !=
                plan.targets.end()) {
          row.bare = bare;
        }
        if (row.bare) {
          const auto reference =
              summary_of({BenchMode::kBare, Strategy::kNone, *row.bare, t.backend}, wi);
          row.ratio_to_bare = ratio_to_bare(s, reference);
          row.ratios_to_bare = paired_ratios(s, reference);
        }
        result.results.push_back(row);
      } else {
        result.peers.push_back(
            {t.primitive, t.backend, workers[wi], s, bare::is_peer(t.primitive)});
      }
    }
  }
  return result;
}

bool uses_postgres(const Plan& plan) {
  return std::any_of(plan.targets.begin(), plan.targets.end(),
                     [](const BenchTarget& t) { return t.backend == Backend::kPostgres; });
}

double seconds(std::chrono::nanoseconds ns) { return std::chrono::duration<double>(ns).count(); }

int execute(const BenchOptions& o) {
  Plan plan = make_plan(o);
  const std::vector<std::uint32_t> workers = parse_workers(o.workers);
  const bool html = !o.plot.empty() && plot_is_html(o.plot);
  // Opened now: a path that cannot be written fails before minutes of measurement.
  OutputFile csv_file = o.csv.empty() ? OutputFile() : OutputFile(o.csv);
  OutputFile plot_file = o.plot.empty() ? OutputFile() : OutputFile(o.plot);

  BenchConfig config;
  config.duration_s = o.duration_s;
  config.warmup_s = o.warmup_s;
  config.pin = o.pin;
  config.self_exe = self_exe();
  config.temp_dir = temp_dir();

  // Postgres: pgbench first (without it there are no peer rows, and the bench goes on), then one
  // server for every measurement of the invocation. The runner exists first: a Ctrl-C during the
  // server's start-up waits in its signal descriptor and stops the first measurement; the server
  // is stopped and its directory removed when `server` goes, on every path.
  if (o.dsn && !uses_postgres(plan))
    throw UsageError("--dsn: only --backends postgres connects to a server");
  if (o.dsn) {
    if (std::string(kDsnPrefix).size() + o.dsn->size() + 64 >= sizeof(RunParams::region_path)) {
      throw UsageError(
          fmt::format("--dsn: at most {} characters", sizeof(RunParams::region_path) - 64));
    }
    try {
      split_pgbench_dsn(*o.dsn);  // libpq's reading of it, before anything is measured
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
  }
  BenchRunner runner;
  std::optional<pg::ThrowawayServer> server;
  std::optional<PgbenchDir> pgbench_dir;  // --dsn: pgbench's files
  std::optional<PgbenchPeer> pgbench;
  std::optional<BenchPostgres> postgres;
  if (uses_postgres(plan)) {
    postgres.emplace();
    postgres->query_mode = o.pg_query_mode;
    config.pg_prepared = o.pg_query_mode == "prepared";
    const bool wants_pgbench =
        std::any_of(plan.targets.begin(), plan.targets.end(),
                    [](const BenchTarget& t) { return bare::is_pgbench(t.primitive); });
    std::optional<std::string> pgbench_path;
    if (wants_pgbench) pgbench_path = PgbenchPeer::find(postgres->pgbench_missing);
    if (wants_pgbench && !pgbench_path) {
      fmt::print(stderr, "shmlab bench: no pgbench rows: {}\n", postgres->pgbench_missing);
      std::erase_if(plan.targets, [](const BenchTarget& t) {
        return t.mode == BenchMode::kBare && bare::is_pgbench(t.primitive);
      });
    }
    PgbenchServer peer_server;
    if (o.dsn) {
      // Each measurement makes its schema on it and drops it after (PgRegionStore with a DSN).
      postgres->throwaway = false;
      postgres->dsn = pg::redact_password(*o.dsn);
      config.pg_dsn = *o.dsn;
      if (pgbench_path) {
        pgbench_dir.emplace(config.temp_dir);
        peer_server = {*o.dsn, pgbench_dir->path(), std::nullopt};
      }
    } else {
      pg::ThrowawayServerOptions so;
      so.temp_dir = config.temp_dir;
      // Every worker's connection, pgbench's clients, the runner's own two, and some to spare.
      so.max_connections = static_cast<int>(workers.back()) + 10;
      server.emplace(pg::ThrowawayServer::start(so));
      postgres->startup_s = seconds(server->startup_time());
      postgres->initdb_s = seconds(server->initdb_time());
      fmt::print(stderr,
                 "shmlab bench: started a throwaway PostgreSQL server in {:.1f} s (initdb {:.1f} "
                 "s), shared by every postgres measurement: {}\n",
                 postgres->startup_s, postgres->initdb_s, server->dir());
      config.pg_dsn = server->dsn();
      peer_server = PgbenchServer::of(*server);
    }
    if (pgbench_path) {
      pgbench.emplace(*pgbench_path, peer_server, o.pg_query_mode);
      postgres->pgbench = *pgbench_path;
      config.pgbench = &*pgbench;
    }
  }

  const std::size_t runs = plan.targets.size() * workers.size() * o.repeat;
  BenchProgress progress(runs, ::isatty(2) == 1);
  if (::isatty(2) == 1) {
    fmt::print(stderr, "shmlab bench: {} measurements, about {:.0f} s\n", runs,
               static_cast<double>(runs) * (o.duration_s + o.warmup_s + 0.02));
  }

  // Repetitions are the outer loop, so that drift of a busy machine spreads over every target
  // instead of landing on a few.
  Samples samples(plan.targets.size(), std::vector<std::vector<BenchSample>>(workers.size()));
  // Whether each target's latest measurement (this repetition's, once it has run) succeeded.
  std::vector<std::vector<bool>> measured(plan.targets.size(),
                                          std::vector<bool>(workers.size(), false));
  // A pgbench row does the work its strategy's row did in this repetition, warm-up included
  // (measured just before it: strategies come first), as transactions per client; at least one.
  // None when that row failed in this repetition: there is nothing to pair with.
  auto pgbench_transactions = [&](const BenchTarget& t,
                                  std::size_t wi) -> std::optional<std::uint64_t> {
    const BenchTarget strategy{BenchMode::kStrategy, pgbench_strategy(t.primitive),
                               BarePrimitive::kPlainStore, Backend::kPostgres, plan.scenario};
    for (std::size_t ti = 0; ti < plan.targets.size(); ++ti) {
      if (plan.targets[ti] != strategy) continue;
      if (!measured[ti][wi]) return std::nullopt;
      return std::max<std::uint64_t>(1, samples[ti][wi].back().ops_total / workers[wi]);
    }
    return 1;
  };
  std::size_t done = 0;
  std::optional<int> interrupted_by;
  std::vector<BenchFailure> failures;
  // A failed measurement (its objects are gone) is noted and the bench goes on: the others stand.
  auto fail = [&](std::size_t ti, std::size_t wi, std::uint32_t rep, const std::string& why) {
    const BenchTarget& t = plan.targets[ti];
    const std::string kind = t.mode == BenchMode::kStrategy ? "strategy"
                             : bare::is_peer(t.primitive)   ? "peer"
                                                            : "bare";
    const std::string name = t.mode == BenchMode::kStrategy
                                 ? std::string(strategy_name(t.strategy))
                                 : std::string(bare::primitive_name(t.primitive));
    failures.push_back({kind, name, t.backend, workers[wi], rep + 1, why});
    progress.clear();
    fmt::print(stderr, "shmlab bench: {}, {} worker(s), repetition {}/{} failed: {}; going on\n",
               describe(t), workers[wi], rep + 1, o.repeat, why);
  };
  auto measure = [&](std::size_t ti, std::size_t wi, std::uint32_t rep) {
    measured[ti][wi] = false;
    try {
      samples[ti][wi].push_back(runner.run(plan.targets[ti], config));
      measured[ti][wi] = true;
    } catch (const BenchMeasurementFailed& e) {
      fail(ti, wi, rep, e.what());
    }
  };
  try {
    for (std::uint32_t rep = 0; rep < o.repeat; ++rep) {
      for (std::size_t wi = 0; wi < workers.size(); ++wi) {
        config.workers = workers[wi];
        for (std::size_t ti = 0; ti < plan.targets.size(); ++ti) {
          progress.show(done,
                        fmt::format("{}, {} workers, repetition {}/{}", describe(plan.targets[ti]),
                                    workers[wi], rep + 1, o.repeat));
          if (bare::is_pgbench(plan.targets[ti].primitive)) {
            const std::optional<std::uint64_t> n = pgbench_transactions(plan.targets[ti], wi);
            if (!n) {
              // Another repetition's count would pair it with work its row did not do here.
              measured[ti][wi] = false;
              fail(ti, wi, rep,
                   "not measured: its shmlab row failed in this repetition, nothing to pair with");
              ++done;
              continue;
            }
            config.pgbench_transactions = *n;
          }
          measure(ti, wi, rep);
          ++done;
        }
      }
    }
  } catch (const BenchInterrupted& e) {
    progress.clear();
    interrupted_by = e.signal;
    fmt::print(
        stderr, "shmlab bench: interrupted by {} after {} of {} measurements; cleaned up{}\n",
        ::sigabbrev_np(e.signal), done, runs, done == 0 ? "" : ", writing what was measured");
  } catch (...) {
    progress.clear();
    throw;
  }
  progress.clear();
  if (interrupted_by && done == 0) return 128 + *interrupted_by;

  BenchResult result = make_result(o, plan, workers, samples);
  result.postgres = postgres;
  result.interrupted = interrupted_by.has_value();
  result.measurements_done = done;
  result.measurements_planned = runs;
  result.failures = std::move(failures);

  if (o.json) {
    std::cout << bench_json(result).dump(2) << std::endl;
  } else {
    std::cout << bench_table(result) << std::flush;
  }
  std::vector<std::string> wrote;
  if (csv_file.wanted()) {
    csv_file.write(bench_csv(result));
    wrote.push_back(csv_file.path());
  }
  if (plot_file.wanted()) {
    plot_file.write(html ? bench_html(result) : bench_svg(result));
    wrote.push_back(plot_file.path());
  }
  if (!wrote.empty()) fmt::print(stderr, "shmlab bench: wrote {}\n", fmt::join(wrote, ", "));
  if (interrupted_by) return 128 + *interrupted_by;
  // A failed measurement is a worker's failure (SPEC §5: exit 4), whatever the others showed.
  if (!result.failures.empty()) return kExitFault;
  // A correct strategy that lost an update broke its invariant (SPEC §5: exit 3); `none` is
  // there to lose them.
  const bool broken = std::any_of(result.results.begin(), result.results.end(), [](const auto& r) {
    return r.strategy != Strategy::kNone && r.summary.lost_updates != 0;
  });
  return broken ? kExitLost : kExitOk;
}

}  // namespace

Command add_bench(CLI::App& app) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* sub = app.add_subcommand(
      "bench",
      "Throughput and latency of every strategy x backend x worker count, beside the bare "
      "primitive");
  sub->add_option("--scenario", o->scenario,
                  "What one operation is: counter (an increment), inventory (a purchase), bank (a "
                  "transfer)")
      ->check(CLI::IsMember([] {
        std::vector<std::string> names;
        for (const ScenarioDef* s : all_scenarios()) names.emplace_back(s->name());
        return names;
      }()))
      ->type_name("NAME")
      ->capture_default_str();
  sub->add_option("--strategies", o->strategies, "Comma-separated strategies, or all")
      ->capture_default_str();
  sub->add_option("--backends", o->backends, "Comma-separated backends, or all")
      ->capture_default_str();
  sub->add_option("-w,--workers", o->workers, "Comma-separated worker counts (1..1024)")
      ->capture_default_str();
  sub->add_option("--duration", o->duration_s, "Seconds measured per repetition")
      ->check(CLI::Range(0.01, 3600.0))
      ->capture_default_str();
  sub->add_option("--warmup", o->warmup_s, "Seconds run, unmeasured, before each measurement")
      ->check(CLI::Range(0.0, 60.0))
      ->capture_default_str();
  sub->add_option("--repeat", o->repeat, "Repetitions; the table shows their median (p10-p90)")
      ->check(CLI::Range(1u, 1000u))
      ->capture_default_str();
  sub->add_flag("--pin", o->pin, "Pin worker i to CPU i mod the CPU count");
  sub->add_flag("--json", o->json, "Print the results as JSON on stdout instead of the table");
  sub->add_option("--dsn", o->dsn,
                  "postgres: measure on this server (URI or key=value; '' for libpq's PG* "
                  "environment) instead of a throwaway one; each measurement's table lives in a "
                  "schema of its own, dropped after it, and pgbench runs against the same server")
      ->type_name("URI");
  sub->add_option("--pg-query-mode", o->pg_query_mode,
                  "postgres: extended (parse, bind, execute at every statement) or prepared (each "
                  "statement prepared once per connection), for shmlab's workers and pgbench's -M "
                  "alike")
      ->check(CLI::IsMember({"extended", "prepared"}))
      ->type_name("MODE")
      ->capture_default_str();
  sub->add_option("--csv", o->csv, "Also write the results as CSV to FILE");
  sub->add_option("--plot", o->plot,
                  "Also write a chart of ops/s vs workers to FILE.svg (SVG) or FILE.html");
  sub->footer(
      "Examples:\n"
      "  shmlab bench --strategies none,mutex --backends file,shm --workers 1,2,4\n"
      "  shmlab bench --strategies all --backends shm --duration 1 --repeat 5 --plot bench.svg\n"
      "  shmlab bench --strategies atomic --backends shm --json | jq '.results[].ops_per_s'\n"
      "  shmlab bench --scenario bank --backends shm,sqlite     (strategies that cannot run it\n"
      "                                                         are skipped, with the reason)\n"
      "  shmlab bench --backends sqlite,postgres --strategies atomic,for-update,transaction\n"
      "      (one throwaway PostgreSQL server for the whole bench; each SQL strategy beside\n"
      "      pgbench running the same statements with as many clients; all backends but postgres\n"
      "      by default)\n"
      "  shmlab bench --backends postgres --dsn postgresql://me@db.example/lab\n"
      "      (an existing server instead: a schema per measurement, dropped after it)\n"
      "Output files are opened before measuring; Ctrl-C prints and writes what was measured.\n"
      "A measurement whose worker (or pgbench) fails is listed as failed, with why, and the\n"
      "others go on.\n"
      "Exit codes: 0 done, 3 a correct strategy lost an update, 4 a measurement failed (the\n"
      "others are printed), 2 bad usage, 1 environment failure, 130/143 interrupted.");
  return {sub, [o] { return execute(*o); }};
}

Command add_bench_worker(CLI::App& app) {
  auto bench = std::make_shared<std::string>();
  auto index = std::make_shared<std::uint32_t>(0);
  CLI::App* sub = app.add_subcommand("bench-worker", "internal: one worker of a bench measurement");
  sub->group("");  // hidden from --help
  sub->add_option("--bench", *bench, "Bench block name")->required();
  sub->add_option("--index", *index, "0-based worker index")->required();
  return {sub, [bench, index] { return bench_worker_main(*bench, *index); }};
}

}  // namespace shmlab::cli
