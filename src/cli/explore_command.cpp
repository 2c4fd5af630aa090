// `shmlab explore`: options → ExploreOptions, explore, report (docs/schedules.md).
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "shmlab/explore/explorer.hpp"
#include "shmlab/region/backend.hpp"
#include "shmlab/report/explore_report.hpp"
#include "shmlab/scenario/registry.hpp"
#include "shmlab/sync/strategy.hpp"
#include "shmlab/sys/clock.hpp"
#include "shmlab/usage_error.hpp"

namespace shmlab::cli {
namespace {

// Explore is for small sizes: every step of every interleaving is a grant on real processes.
constexpr std::uint32_t kMaxExploreWorkers = 16;
constexpr std::uint64_t kMaxExploreIncrements = 1000;

struct ExploreCliOptions {
  std::uint32_t workers = 2;     // the classic puzzle: 2 workers ...
  std::uint64_t increments = 3;  // ... x 3 increments: 924 interleavings under none
  std::string backend = "file";
  std::string strategy = "none";
  std::string scenario = "counter";
  ScenarioParams scenario_params;
  std::optional<std::string> dsn;        // postgres: an existing server ("": libpq's PG* env)
  std::optional<std::string> isolation;  // postgres `transaction`: serializable when absent
  // Run every interleaving when there are at most this many; none: what fits in about a minute at
  // the rate measured on the first of them.
  std::optional<std::uint64_t> limit;
  std::string goal = "both";
  std::uint64_t samples = 100;  // search: random interleavings run for the histogram
  std::uint64_t seed = 1;
  double timeout_s = 30;
  bool json = false;
  bool fresh_processes = false;  // new worker processes for every interleaving (no pool)
  bool reduce = false;           // one interleaving per class of conflicting-step orders
};

// "\r..." on a terminal's stderr, at most ten times a second; nothing when stderr is not one.
class ExploreProgress {
 public:
  ExploreProgress() : on_(::isatty(2) == 1) {}
  ~ExploreProgress() {
    if (on_ && shown_) fmt::print(stderr, "\r\033[K");
  }
  void operator()(std::string_view what, std::uint64_t done, std::uint64_t total) {
    if (!on_) return;
    const std::int64_t now = sys::monotonic_ns();
    if (now - last_ < 100'000'000 && done != total) return;
    last_ = now;
    shown_ = true;
    fmt::print(stderr, "\r\033[Kexplore: {} {}/{}", what, done, total);
    std::fflush(stderr);
  }

 private:
  bool on_;
  bool shown_ = false;
  std::int64_t last_ = 0;
};

int execute(const ExploreCliOptions& o) {
  ExploreOptions e;
  RunParams& p = e.run.params;
  p.workers = o.workers;
  p.increments = o.increments;
  p.backend = *parse_backend(o.backend);
  p.strategy = *parse_strategy(o.strategy);
  p.scenario = *parse_scenario(o.scenario);
  p.scenario_params = o.scenario_params;
  check_scenario(p, o.scenario, o.strategy, o.backend);
  check_postgres_options(p, o.dsn, o.isolation);
  if (p.strategy == Strategy::kLease) {
    throw UsageError(
        "--strategy lease: explore's model has no clock, and a lease is about time (its holder "
        "outliving its grant); run --strategy lease --schedule ... --pause shows it "
        "(docs/lease.md)");
  }
  // Where the server's locks behave otherwise than the step model's (docs/postgres.md, explore).
  if (p.backend == Backend::kPostgres && p.strategy == Strategy::kAccountLocks) {
    throw UsageError(
        "explore --backend postgres --strategy account-locks: the step model's deadlocks are "
        "broken by the server (40P01, the transfer retried), which the step model does not know; "
        "shmlab run --backend postgres --scenario bank --strategy account-locks --schedule "
        "\"1L 2L 1L 2L\" shows one");
  }
  if (p.backend == Backend::kPostgres && p.scenario == Scenario::kBank &&
      p.strategy == Strategy::kAtomic) {
    throw UsageError(
        "explore --backend postgres --scenario bank --strategy atomic: a transfer's two adds are "
        "one transaction that holds both accounts' rows from the first add to the last, which the "
        "step model (one indivisible add at a time) does not know; shmlab run --backend postgres "
        "--schedule runs one interleaving");
  }
  p.quiet = true;
  p.log_stderr = true;
  e.run.self_exe = self_exe();
  e.run.temp_dir = temp_dir();
  e.run.timeout_s = o.timeout_s;
  e.limit = o.limit;
  e.goal = o.goal == "min"   ? ExploreGoal::kMin
           : o.goal == "max" ? ExploreGoal::kMax
                             : ExploreGoal::kBoth;
  e.samples = o.samples;
  e.seed = o.seed;
  e.fresh_processes = o.fresh_processes;
  e.reduce = o.reduce;
  auto progress = std::make_shared<ExploreProgress>();
  e.progress = [progress](std::string_view what, std::uint64_t done, std::uint64_t total) {
    (*progress)(what, done, total);
  };
  ExploreResult r;
  try {
    r = explore(e);
  } catch (const ExploreInterrupted& i) {
    progress.reset();
    fmt::print(stderr, "shmlab explore: interrupted; the run in progress was cleaned up\n");
    return 128 + i.signal;
  } catch (const ExploreFault& f) {
    progress.reset();
    fmt::print(stderr, "shmlab explore: {}\n", f.what());
    return kExitFault;
  }
  progress.reset();
  const auto unconfirmed = [](const std::optional<Witness>& w) { return w && !w->confirmed; };
  int code = kExitOk;
  if (unconfirmed(r.min) || unconfirmed(r.max) || unconfirmed(r.shortest_losing) ||
      unconfirmed(r.shortest_deadlock) || r.model_mismatches != 0) {
    code = kExitFault;
  } else if (r.deadlocks != 0 || r.shortest_deadlock) {
    code = kExitFault;  // interleavings that deadlock: a stuck run, as `run` exits for one
  } else if (r.shortest_losing || (r.min && r.min->final_value != r.expected) ||
             (r.max && r.max->final_value != r.expected) ||
             (!r.histogram.empty() && (r.histogram.begin()->first != r.expected ||
                                       r.histogram.rbegin()->first != r.expected))) {
    code = kExitLost;
  }
  if (o.json) {
    std::cout << explore_json(r, p, code).dump(2) << std::endl;
  } else {
    print_explore(stdout, r, p);
  }
  return code;
}

}  // namespace

Command add_explore(CLI::App& app) {
  auto o = std::make_shared<ExploreCliOptions>();
  std::vector<std::string> backends, strategies;
  for (Backend b : all_backends()) backends.emplace_back(backend_name(b));
  for (const StrategyInfo& s : all_strategies()) strategies.emplace_back(s.name);
  const CLI::Validator digits(
      [](std::string& s) -> std::string {
        if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) {
          return "'" + s + "' is not a non-negative integer";
        }
        return {};
      },
      "UINT");
  CLI::App* sub = app.add_subcommand(
      "explore", "Run the interleavings of a scenario on real processes: all of them, or a search");
  sub->add_option("-w,--workers", o->workers, "Worker processes (1..16)")
      ->check(digits)
      ->check(CLI::Range(1u, kMaxExploreWorkers))
      ->capture_default_str();
  sub->add_option("-n,--increments", o->increments, "Operations per worker (1..1000)")
      ->check(digits)
      ->check(CLI::Range(std::uint64_t{1}, kMaxExploreIncrements))
      ->capture_default_str();
  sub->add_option("--backend", o->backend, "Where the shared data lives")
      ->check(CLI::IsMember(backends))
      ->capture_default_str();
  sub->add_option("--strategy", o->strategy, "What guards the read-modify-write")
      ->check(CLI::IsMember(strategies))
      ->capture_default_str();
  std::vector<std::string> scenarios;
  for (const ScenarioDef* s : all_scenarios()) scenarios.emplace_back(s->name());
  sub->add_option("--scenario", o->scenario, "The work the workers do (docs/scenarios.md)")
      ->check(CLI::IsMember(scenarios))
      ->capture_default_str();
  add_scenario_options(*sub, o->scenario_params);
  add_postgres_options(*sub, o->dsn, o->isolation);
  sub->add_option("--limit", o->limit,
                  "Run every interleaving when there are at most this many; otherwise search "
                  "(default: as many as fit in about a minute at the rate measured on the first "
                  "ones)")
      ->check(digits)
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100'000'000}));
  sub->add_option("--goal", o->goal, "Which extreme to find and replay: min, max or both")
      ->check(CLI::IsMember({"min", "max", "both"}))
      ->capture_default_str();
  sub->add_option("--samples", o->samples,
                  "When searching: random interleavings run on real processes for the histogram")
      ->check(digits)
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1'000'000}))
      ->capture_default_str();
  sub->add_option("--seed", o->seed, "Seed of the sampled interleavings")
      ->check(digits)
      ->capture_default_str();
  sub->add_option("--timeout", o->timeout_s, "Watchdog of each run, in seconds")
      ->check(CLI::Range(0.1, 86400.0))
      ->capture_default_str();
  sub->add_flag("--json", o->json, "Print the result as JSON on stdout");
  sub->add_flag("--reduce", o->reduce,
                "Partial-order reduction: run one interleaving per class of interleavings that "
                "differ only in the order of steps that do not conflict; the histogram then "
                "counts classes, not schedules");
  sub->add_flag("--fresh-processes", o->fresh_processes,
                "Run every interleaving on new worker processes instead of one reused pool "
                "(slower; witnesses are replayed on new processes either way)");
  sub->footer(
      "Examples:\n"
      "  shmlab explore                            2 x 3 under none: all 924 interleavings\n"
      "  shmlab explore -w 2 -n 10 --goal min      the classic puzzle: the smallest final is 2\n"
      "  shmlab explore -w 2 -n 2 --strategy mutex no interleaving loses an update\n"
      "  shmlab explore -w 3 -n 2 --reduce         one run per class of conflicting-step orders\n"
      "  shmlab explore --json | jq .histogram\n"
      "  shmlab explore --backend postgres -w 2 -n 1 --strategy transaction --isolation "
      "read-committed\n"
      "                                            Hermitage's lost update: 20 of 30 lose one\n"
      "Exit codes: 0 no interleaving loses an update, 3 some do, 4 a run failed or a witness\n"
      "did not replay, 2 bad usage, 1 environment failure, 130/143 interrupted.");
  return {sub, [o] { return execute(*o); }};
}

}  // namespace shmlab::cli
