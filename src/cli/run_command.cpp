// `shmlab run`: options → RunParams, coordinate, analyse, report.
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <random>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/run_outputs.hpp"
#include "cli/step_input.hpp"
#include "shmlab/analysis/replay_check.hpp"
#include "shmlab/hosts/simulated_hosts.hpp"
#include "shmlab/region/backend.hpp"
#include "shmlab/region/pg_region.hpp"
#include "shmlab/report/json_result.hpp"
#include "shmlab/report/replay_line.hpp"
#include "shmlab/report/summary.hpp"
#include "shmlab/run/coordinator.hpp"
#include "shmlab/run/crash_spec.hpp"
#include "shmlab/run/delay.hpp"
#include "shmlab/run/stale_objects.hpp"
#include "shmlab/run/worker.hpp"
#include "shmlab/scenario/registry.hpp"
#include "shmlab/schedule/schedule.hpp"
#include "shmlab/sync/strategy.hpp"
#include "shmlab/sys/log.hpp"
#include "shmlab/usage_error.hpp"

namespace shmlab::cli {
namespace {

struct RunOptions {
  std::uint32_t workers = 3;      // the seed's 3 worker processes
  std::uint64_t increments = 5;   // the seed's 5 increments each
  std::string backend = "file";   // the seed's file acting as shared memory
  std::string strategy = "none";  // the seed's unprotected read-modify-write
  std::string scenario = "counter";
  std::optional<std::string> dsn;        // postgres: an existing server ("": libpq's PG* env)
  std::optional<std::string> isolation;  // postgres `transaction`: serializable when absent
  std::optional<std::uint32_t> hosts;    // --hosts N (postgres): workers on N simulated hosts
  std::optional<std::string> partition;  // --partition W@POINT:MS (with --hosts)
  bool remote_workers = false;           // --remote-workers (postgres --dsn): started elsewhere
  ScenarioParams scenario_params;        // --stock, --accounts, --balance, --amount, --auditor
  // Inventory's defaults apply to what was not given.
  CLI::Option* workers_option = nullptr;
  CLI::Option* increments_option = nullptr;
  std::string delay = "0-50:0-30:10";     // the seed's sleeps, in ms
  std::optional<std::uint64_t> seed;      // random when absent, printed either way
  std::optional<std::string> schedule;    // SPEC §3: tokens, random:SEED or random
  std::optional<std::string> crash;       // --crash W@POINT[:K]; no crash when absent
  std::optional<std::string> pause;       // --pause W@POINT:MS; no pause when absent
  std::optional<std::uint32_t> lease_ms;  // --lease MS (strategy lease; 200 when absent)
  bool fencing = false;                   // --fencing (strategy lease)
  double timeout_s = 30;
  bool json = false;
  bool keep = false;
  bool replay_check = false;            // run the observed schedule again and compare
  bool step = false;                    // the person chooses every step (stdin)
  bool until_race = false;              // run again until an update is lost (at most --repeat runs)
  std::optional<std::uint64_t> repeat;  // at most this many runs, the first racy one kept
  bool quiet = false;
  bool no_color = false;
  std::string lost = "100";  // --lost N|all: lost updates listed in the JSON
  std::string log;           // --log N|all: operations per worker with step lines; empty: bounded
  OutputOptions outputs;     // --trace FILE, --report FILE, --timeline
};

// Without --log, the step lines of about this many operations in all (then a count of the rest).
constexpr std::uint64_t kLoggedOpsTotal = 100;
// The watchdog under --step (the largest --timeout): the person takes the time, not the workers.
constexpr double kStepTimeoutS = 86400;
// A run whose delays alone take longer says so at the start, with the command that skips them.
constexpr double kLongRunS = 10;

// "N" or "all" (options --lost and --log); "all" is the largest count.
std::uint64_t count_or_all(std::string_view option, const std::string& v) {
  if (v == "all") return UINT64_MAX;
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size())
    throw UsageError(fmt::format("{} {}: expected a count or 'all'", option, v));
  return n;
}

// 5400.2 → "1 h 30 min", 200 → "3 min 20 s", 12.3 → "12 s"
std::string duration_text(double s) {
  const auto secs = static_cast<std::uint64_t>(s + 0.5);
  if (secs >= 3600) return fmt::format("{} h {} min", secs / 3600, secs % 3600 / 60);
  if (secs >= 60) return fmt::format("{} min {} s", secs / 60, secs % 60);
  return fmt::format("{} s", secs);
}

// The mean time one worker's operations sleep, from the delay ranges (workers sleep in parallel).
double sleep_estimate_s(const RunParams& p) {
  auto mean_us = [](const DelayRange& r) { return (static_cast<double>(r.lo_us) + r.hi_us) / 2; };
  const double per_op_us =
      mean_us(p.delays.before_read) + mean_us(p.delays.window) + mean_us(p.delays.before_verify);
  return per_op_us * static_cast<double>(p.increments) / 1e6;
}

// CLI11 reads "-1" into an unsigned integer as 2^64-1; counts and seeds are digits only.
const CLI::Validator kDigits(
    [](std::string& s) -> std::string {
      if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) {
        return "'" + s + "' is not a non-negative integer";
      }
      std::uint64_t v = 0;  // CLI11 would saturate a value past 2^64-1 silently
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc() || end != s.data() + s.size()) return "'" + s + "' is too large";
      return {};
    },
    "");

// CLI::Range lets NaN through (every comparison with it is false).
const CLI::Validator kFinite(
    [](std::string& s) -> std::string {
      double v = 0;
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) {
        return "'" + s + "' is not a number of seconds";
      }
      return {};
    },
    "");

std::vector<std::string> names_of_backends() {
  std::vector<std::string> out;
  for (Backend b : all_backends()) out.emplace_back(backend_name(b));
  return out;
}

std::vector<std::string> names_of_scenarios() {
  std::vector<std::string> out;
  for (const ScenarioDef* s : all_scenarios()) out.emplace_back(s->name());
  return out;
}

std::string scenario_summary(const RunParams& p) {
  const ScenarioParams& s = p.scenario_params;
  if (p.scenario == Scenario::kInventory) return fmt::format("stock {}", s.stock);
  return fmt::format("{} accounts of {}, transfers of {}{}", s.accounts, s.balance, s.amount,
                     s.auditor ? ", auditor" : "");
}

std::vector<std::string> names_of_strategies() {
  std::vector<std::string> out;
  for (const StrategyInfo& s : all_strategies()) out.emplace_back(s.name);
  return out;
}

// Strategies whose coordination is the server's: a lock in the coordinator's shared memory is out
// of reach of a worker on another host.
void check_server_strategy(std::string_view option, const RunOptions& o, const RunParams& p) {
  switch (p.strategy) {
    case Strategy::kNone:
    case Strategy::kAtomic:
    case Strategy::kCas:
    case Strategy::kTransaction:
    case Strategy::kForUpdate:
    case Strategy::kAdvisory:
    case Strategy::kAccountLocks:
    case Strategy::kOrderedLocks:
    case Strategy::kLease:  // a row of the run's schema, with the server's clock
      return;
    default:
      throw UsageError(fmt::format(
          "{}: --strategy {} keeps its lock in the coordinator's shared memory, out of reach "
          "of a worker on another host; use none, atomic, cas, transaction, for-update, advisory "
          "or lease (bank: account-locks, ordered-locks)",
          option, o.strategy));
  }
}

// --hosts: a throwaway postgres server, and strategies whose coordination is the server's (a lock
// in the coordinator's shared memory is out of a remote worker's reach).
void check_hosts(const RunOptions& o, const RunParams& p) {
  if (!o.hosts) return;
  if (p.backend != Backend::kPostgres)
    throw UsageError("--hosts: only --backend postgres is reached over the network");
  if (o.dsn) {
    throw UsageError(
        "--hosts: the workers reach shmlab's own throwaway server over their links; --dsn names "
        "another server");
  }
  check_server_strategy("--hosts", o, p);
}

// --remote-workers: workers started by hand on other machines, which reach only the server the
// run names (--dsn) and are no children of ours: nothing that needs a signal or shared memory.
void check_remote_workers(const RunOptions& o, const RunParams& p) {
  if (!o.remote_workers) return;
  if (p.backend != Backend::kPostgres)
    throw UsageError("--remote-workers: only --backend postgres is reached over the network");
  if (!o.dsn) {
    throw UsageError(
        "--remote-workers: shmlab's throwaway server listens on a Unix socket only, out of another "
        "machine's reach; name a server the workers' machines can reach with --dsn URI");
  }
  if (o.hosts) throw UsageError("--remote-workers: --hosts spawns its workers itself");
  const auto refuse = [](std::string_view option, std::string_view why) {
    throw UsageError(
        fmt::format("--remote-workers: {} {}; the workers elsewhere are not this "
                    "process's children",
                    option, why));
  };
  if (o.pause) refuse("--pause", "stops and resumes a worker with SIGSTOP and SIGCONT");
  if (o.crash) refuse("--crash", "kills a worker and reaps it");
  if (o.partition) refuse("--partition", "cuts a simulated host's link");
  if (p.scenario_params.auditor) refuse("--auditor", "is a process spawned beside the workers");
  if (o.until_race || o.repeat || o.replay_check)
    refuse("--until-race, --repeat and --replay-check", "run again with workers spawned anew");
  check_server_strategy("--remote-workers", o, p);
}

// --partition W@POINT:MS[:server]: --pause's syntax and points; a link to cut needs --hosts.
// `:server` cuts the server's end of W's link instead of W's eth0 (`server_side`).
PauseSpec to_partition(std::string text, const RunOptions& o, const RunParams& p,
                       bool& server_side) {
  if (!o.hosts) throw UsageError("--partition: only a worker on a --hosts host has a link to cut");
  constexpr std::string_view kServer = ":server";
  server_side = text.size() > kServer.size() && text.ends_with(kServer);
  if (server_side) text.resize(text.size() - kServer.size());
  try {
    PauseSpec spec = parse_pause_spec(text);
    check_pause_spec(spec, p);
    return spec;
  } catch (const UsageError& e) {
    std::string why = e.what();
    if (why.rfind("--pause", 0) == 0) why.replace(0, 7, "--partition");
    for (const std::string_view from : {"stops at POINT", "is resumed MS ms later"}) {
      if (const std::size_t at = why.find(from); at != std::string::npos)
        why.replace(at, from.size(),
                    from == "stops at POINT" ? "has its host's link cut at POINT"
                                             : "the link is up again MS ms later");
    }
    throw UsageError(why);
  }
}

RunParams to_params(const RunOptions& o) {
  RunParams p;
  p.workers = o.workers;
  p.increments = o.increments;
  p.backend = *parse_backend(o.backend);  // CLI11's IsMember checked the names
  p.strategy = *parse_strategy(o.strategy);
  p.scenario = *parse_scenario(o.scenario);
  p.scenario_params = o.scenario_params;
  // Inventory: the original's 15 buyers x 1 purchase of 10 units, unless told otherwise.
  if (p.scenario == Scenario::kInventory) {
    if (o.workers_option->count() == 0) p.workers = 15;
    if (o.increments_option->count() == 0) p.increments = 1;
  }
  p.delays = parse_delay_spec(o.delay);
  check_scenario(p, o.scenario, o.strategy, o.backend);
  check_postgres_options(p, o.dsn, o.isolation);
  check_hosts(o, p);
  check_remote_workers(o, p);
  if (o.seed) {
    p.seed = *o.seed;
  } else {
    std::random_device rd;
    p.seed = (std::uint64_t{rd()} << 32 | rd()) % 1'000'000'000;
  }
  if (o.crash) {
    p.crash = parse_crash_spec(*o.crash);
    check_crash_spec(p.crash, p);
  }
  if (o.pause) {
    p.pause = parse_pause_spec(*o.pause);
    check_pause_spec(p.pause, p);
  }
  if ((o.lease_ms || o.fencing) && p.strategy != Strategy::kLease) {
    throw UsageError(fmt::format("{}: only --strategy lease has a lease (this run: {})",
                                 o.lease_ms ? "--lease" : "--fencing", o.strategy));
  }
  if (o.lease_ms) p.lease.ms = *o.lease_ms;
  p.lease.fencing = o.fencing;
  // Every grant has a token of its own in the record's 26 bits (region/memory_cells.hpp), with
  // room for refused writes redone.
  if (p.strategy == Strategy::kLease &&
      std::uint64_t{p.workers} * p.increments > (std::uint64_t{1} << 24)) {
    throw UsageError(fmt::format("--strategy lease: at most {} operations in all (-w × -n), not {}",
                                 std::uint64_t{1} << 24, std::uint64_t{p.workers} * p.increments));
  }
  p.quiet = o.quiet;
  p.log_stderr = o.json;
  p.color = use_color(p.log_stderr ? 2 : 1, o.no_color);
  p.ascii = !locale_is_utf8();
  p.log_ops = o.log.empty() ? std::max<std::uint64_t>(1, kLoggedOpsTotal / p.workers)
                            : count_or_all("--log", o.log);
  return p;
}

}  // namespace

void check_scenario(const RunParams& p, const std::string& scenario, const std::string& strategy,
                    const std::string& backend) {
  const ScenarioDef& def = scenario_of(p.scenario);
  if (const std::string why = def.refusal(p.strategy); !why.empty()) {
    throw UsageError(
        fmt::format("--strategy {} cannot express --scenario {}: {}", strategy, scenario, why));
  }
  if (!fits(p.strategy, p.backend)) {
    throw UsageError(fmt::format("--strategy {} does not fit --backend {}: {}", strategy, backend,
                                 fitting_backends_message(p.strategy)));
  }
  def.check(p);
  if (p.scenario_params.initial != 0 && p.scenario != Scenario::kCounter) {
    throw UsageError(fmt::format(
        "--initial: only the counter scenario has one start value; --scenario {} starts from {}",
        scenario, p.scenario == Scenario::kInventory ? "--stock" : "--balance"));
  }
  if (p.scenario_params.auditor && p.scenario != Scenario::kBank)
    throw UsageError("--auditor: only the bank scenario has balances to audit");
}

namespace {

void warn_stale_objects(const std::string& tmp, const Log& log) {
  std::size_t n = 0;
  for (const StaleObject& s : find_stale_objects({"/dev/shm", tmp})) n += s.kept ? 0 : 1;
  if (n != 0) {
    log.warning(
        "{} object(s) of earlier runs whose coordinator died are left in /dev/shm or {}: "
        "'shmlab clean' removes them",
        n, tmp);
  }
}

// --schedule: "random" alone draws a seed, printed with the schedule so the run can be repeated.
std::optional<ScheduleSpec> to_schedule(const RunOptions& o, const RunParams& p) {
  if (!o.schedule) return std::nullopt;
  ScheduleSpec spec;
  if (*o.schedule == "random") {
    std::random_device rd;
    spec.random_seed = (std::uint64_t{rd()} << 32 | rd()) % 1'000'000'000;
  } else {
    spec = parse_schedule_spec(*o.schedule);
  }
  validate_schedule(spec.tokens, p);
  return spec;
}

// --until-race without --repeat: this many runs at most.
constexpr std::uint64_t kUntilRaceRuns = 100;

// --until-race / --repeat K: runs (silently, each with the next seed) until one loses an update or
// breaks an invariant, or K times; the first such run is the one kept and reported.
RunRecord run_until_race(const CoordinatorOptions& base, std::uint64_t runs, const Log& log) {
  const Log silent(log.fd(), false, true, log.ascii());
  for (std::uint64_t i = 1;; ++i) {
    CoordinatorOptions c = base;
    c.params.seed = base.params.seed + i - 1;
    c.params.quiet = true;
    RunRecord record = coordinate(c, silent);
    const RunResult probe = analyse(record);
    if (probe.outcome != Outcome::kCorrect) {
      log.info("Run {} of at most {} (seed {}): {}; keeping this run", i, runs, c.params.seed,
               probe.outcome == Outcome::kLost ? "updates lost" : "the run failed");
      return record;
    }
    if (i == runs) {
      log.info("Run {} of {} (seed {}): no update lost in any of them; keeping the last", i, runs,
               c.params.seed);
      return record;
    }
    log.info("Run {} of at most {} (seed {}): no update lost, running again", i, runs,
             c.params.seed);
  }
}

// --replay-check: the observed schedule, run right away on fresh processes (same backend,
// strategy, scenario; its own log silent), must give the same result.
void check_replay(const CoordinatorOptions& run, RunResult& result, const Log& log) {
  if (!result.observed.captured()) {
    log.warning("Replay check: nothing to replay ({})", result.observed.reason);
    return;
  }
  CoordinatorOptions c = run;
  c.schedule = ScheduleSpec{result.observed.tokens, std::nullopt};
  c.params.quiet = true;
  c.keep = false;
  c.progress = nullptr;
  const Log silent(log.fd(), false, true, log.ascii());
  RunRecord record = coordinate(c, silent);
  if (!record.schedule_error.empty()) {
    result.replay_checked = true;
    result.replay_differences = {"the schedule could not be followed: " + record.schedule_error};
  } else {
    const ReplayCheck check = compare_replay(result, analyse(std::move(record)));
    result.replay_checked = true;
    result.replay_differences = check.differences;
  }
  if (result.replay_differences.empty()) {
    log.success(
        "Replay check: confirmed by replay ({} steps on fresh processes: the same final "
        "value, lost updates and erasers, VERIFY verdicts)",
        result.observed.tokens.size());
    return;
  }
  log.error("Replay check: the replay differed:");
  for (const std::string& d : result.replay_differences) log.error("  {}", d);
}

int execute(const RunOptions& o) {
  CoordinatorOptions c;
  c.params = to_params(o);
  c.schedule = to_schedule(o, c.params);
  std::optional<StepInput> step_input;
  if (o.step) {
    if (c.schedule || o.until_race || o.repeat || o.replay_check)
      throw UsageError(
          "--step: you choose every step; --schedule, --until-race, --repeat and "
          "--replay-check choose them otherwise");
    c.schedule = ScheduleSpec{};
    c.params.scheduled = true;
    step_input.emplace(STDIN_FILENO, c.params.log_stderr ? 2 : 1);
    c.step_chooser = [&step_input](const std::vector<GateView>& views) {
      return (*step_input)(views);
    };
  }
  c.self_exe = self_exe();
  c.temp_dir = temp_dir();
  // --step: a person may think as long as they like; Ctrl-C, not the watchdog, ends a wait.
  c.timeout_s = o.step ? kStepTimeoutS : o.timeout_s;
  c.keep = o.keep;
  c.hosts = o.hosts.value_or(0);
  c.remote_workers = o.remote_workers;
  if (o.partition) c.partition = to_partition(*o.partition, o, c.params, c.partition_server);
  const Log log(c.params.log_stderr ? 2 : 1, c.params.color, c.params.quiet, c.params.ascii);
  // What must reach the user even with --quiet: a long wait ahead, the name of a kept run.
  const Log notice(2, use_color(2, o.no_color), false, c.params.ascii);
  const std::uint64_t max_lost = count_or_all("--lost", o.lost);
  const RunOutputs outputs(o.outputs);  // before the run: an unwritable path wastes nothing
  const std::string pacing =
      o.step
          ? std::string(step_input->terminal() ? "you choose each step" : "steps read from stdin")
      : !c.schedule ? fmt::format("delay {}", format_delay_spec(c.params.delays))
      : c.schedule->random_seed
          ? fmt::format("schedule random:{}", *c.schedule->random_seed)
          : fmt::format("schedule \"{}\"", format_schedule(c.schedule->tokens));
  if (c.params.scenario == Scenario::kCounter) {
    log.info("shmlab run: {} × {}, strategy {}, backend {}, {}, seed {}",
             count_of(c.params.workers, "worker", "workers"),
             count_of(c.params.increments, "increment", "increments"), o.strategy, o.backend,
             pacing, c.params.seed);
  } else {
    log.info(
        "shmlab run: scenario {} ({}), {} workers x {} operations, strategy {}, backend {}, "
        "{}, seed {}",
        o.scenario, scenario_summary(c.params), c.params.workers, c.params.increments, o.strategy,
        o.backend, pacing, c.params.seed);
  }
  if (const double s = sleep_estimate_s(c.params); !c.schedule && s > kLongRunS) {
    notice.warning(
        "This run will take about {}: its delays sleep {} ms per increment on average. The same "
        "work without sleeps takes well under a minute: shmlab run -w {} -n {} --strategy {} "
        "--backend {} --delay none",
        duration_text(s), s * 1e3 / static_cast<double>(c.params.increments), c.params.workers,
        c.params.increments, o.strategy, o.backend);
  }
  if (c.params.increments > c.params.log_ops) {
    log.info("Step lines: the first {} of each worker; --log all shows every step",
             count_of(c.params.log_ops, "operation", "operations"));
  }
  warn_stale_objects(c.temp_dir, log);
  if (c.params.crash.worker != 0)
    log.warning("Crash injection: --crash {}", format_crash_spec(c.params.crash));
  if (c.params.pause.worker != 0)
    log.warning("Pause injection: --pause {} (SIGSTOP, then SIGCONT from the coordinator)",
                format_pause_spec(c.params.pause));
  if (c.params.strategy == Strategy::kLease) {
    log.info("Lease: {} ms per grant{}", c.params.lease.ms,
             c.params.lease.fencing ? ", fencing tokens: the storage refuses late writes"
                                    : ", no fencing: a late write is not refused");
  }
  ProgressLine progress(log.fd(), std::uint64_t{c.params.workers} * c.params.increments);
  if (progress.active() && !o.quiet && !c.schedule) {
    // Once the step lines have stopped: a line being rewritten between log lines would mix with
    // them.
    const std::uint64_t logged = c.params.log_ops > UINT64_MAX / c.params.workers
                                     ? UINT64_MAX
                                     : c.params.log_ops * c.params.workers;
    c.progress = [&progress, logged](std::uint64_t done) {
      if (done >= logged) progress.update(done);
    };
  }
  const std::uint64_t runs = o.repeat ? *o.repeat : o.until_race ? kUntilRaceRuns : 1;
  if (runs > 1 && c.schedule)
    throw UsageError("--until-race/--repeat: a schedule gives the same run every time");
  RunRecord record = runs > 1 ? run_until_race(c, runs, log) : coordinate(c, log);
  if (step_input) step_input->restore();  // the terminal as it was, before the summary
  progress.clear();
  if (!record.schedule_error.empty()) throw UsageError(record.schedule_error);
  const std::string record_taken = record.schedule_taken;
  if (c.schedule) {
    log.info("Steps taken: {}", record.schedule_taken);
    if (!record.schedule_blocked.empty()) {
      log.warning("Steps granted that never completed (each worker blocked in its lock): {}",
                  record.schedule_blocked);
    }
    if (!record.schedule_skipped.empty()) {
      std::string tokens;
      for (const SkippedToken& t : record.schedule_skipped)
        tokens += fmt::format("{}token {} '{}'", tokens.empty() ? "" : ", ", t.position, t.token);
      log.warning("Schedule: skipped {}: a dead worker takes no more steps", tokens);
    }
    if (c.schedule->random_seed) {
      log.info("Schedule drawn by random:{} (replay it with --schedule): {}",
               *c.schedule->random_seed, record.schedule);
    }
  }
  RunResult result = analyse(std::move(record));
  const int code = exit_code_for(result);
  std::uint64_t unlogged_ops = 0;
  for (const WorkerRecord& w : result.record.workers)
    unlogged_ops += w.ops > c.params.log_ops ? w.ops - c.params.log_ops : 0;
  if (unlogged_ops != 0) {
    log.info("… the step lines of {} more {} not shown; --log all shows every step",
             grouped(unlogged_ops), unlogged_ops == 1 ? "operation" : "operations");
  }
  outputs.print_timeline(result, Log(log.fd(), log.color(), false, log.ascii()));
  print_summary(result, log);
  outputs.write_files(result, log);
  if (!c.schedule) log.info("{}", replay_line(result));
  if (o.step && result.record.end == RunEnd::kInterrupted) {
    log.info("No replay schedule: the run was interrupted");
  } else if (o.step) {
    log.info("Replay this interleaving: {}", schedule_command(result.record, record_taken));
  }
  if (o.replay_check && !c.schedule) check_replay(c, result, log);
  // As `inspect` and `clean` take it: "shmlab-<pid>-<hex>", without the shm name's leading '/'.
  const std::string run_name =
      result.record.control_name.substr(result.record.control_name.starts_with('/') ? 1 : 0);
  if (o.keep) {
    // The name is the whole point of --keep: said even with --quiet.
    (o.quiet ? notice : log).info("Kept the run's objects (--keep): shmlab inspect {}", run_name);
  } else {
    log.info("Cleaned up the run's shared objects");
  }
  if (o.json) {
    write_result_json(std::cout, result, code,
                      {.max_lost = max_lost, .run_name = o.keep ? run_name : std::string()});
  }
  return code;
}

}  // namespace

namespace {

// The options of `run`; `play` (run --step) has them all but those that choose the steps
// otherwise (--step itself, --schedule, --until-race, --repeat, --replay-check).
void add_run_options(CLI::App* sub, RunOptions* opts, bool play) {
  opts->workers_option =
      sub->add_option("-w,--workers", opts->workers, "Worker processes (1..1024; inventory: 15)")
          ->check(kDigits)
          ->check(CLI::Range(1u, kMaxWorkers).description(""))
          ->type_name("N")
          ->capture_default_str();
  opts->increments_option =
      sub->add_option("-n,--increments", opts->increments,
                      "Operations per worker (1..10^9; inventory: 1)")
          ->check(kDigits)
          ->check(CLI::Range(std::uint64_t{1}, kMaxIncrements).description(""))
          ->type_name("N")
          ->capture_default_str();
  sub->add_option("--backend", opts->backend, "Where the shared data lives")
      ->check(CLI::IsMember(names_of_backends()))
      ->type_name("NAME")
      ->capture_default_str();
  sub->add_option("--strategy", opts->strategy, "What guards the read-modify-write")
      ->check(CLI::IsMember(names_of_strategies()))
      ->type_name("NAME")
      ->capture_default_str();
  add_postgres_options(*sub, opts->dsn, opts->isolation);
  sub->add_option("--hosts", opts->hosts,
                  "postgres: run the workers on N simulated hosts (network namespaces joined by "
                  "veth links; worker k on host ((k-1) mod N)+1); needs root (docs/postgres.md)")
      ->check(kDigits)
      ->check(CLI::Range(1u, hosts::kMaxHosts).description(""))
      ->type_name("N");
  sub->add_option("--partition", opts->partition,
                  "--hosts: cut worker W's link at POINT of its first operation that passes it, "
                  "for MS ms: its packets to the server are dropped (its statements time out; "
                  "docs/postgres.md); W@POINT:MS:server drops the server's packets to it instead")
      ->type_name("W@POINT:MS[:server]");
  sub->add_flag("--remote-workers", opts->remote_workers,
                "postgres --dsn: spawn no worker; print the command that starts each one on "
                "another machine, wait for them and watch them through the run's schema "
                "(docs/postgres.md)");
  sub->add_option("--scenario", opts->scenario,
                  "The work the workers do: counter (the seed), inventory (buyers of the last "
                  "items in stock), bank (transfers between accounts); docs/scenarios.md")
      ->check(CLI::IsMember(names_of_scenarios()))
      ->type_name("NAME")
      ->capture_default_str();
  add_scenario_options(*sub, opts->scenario_params);
  sub->add_option("--delay", opts->delay,
                  "Milliseconds BEFORE:WINDOW:VERIFY, each N or LO-HI; 'none' for no sleeps")
      ->type_name("SPEC")
      ->capture_default_str();
  sub->add_option("--seed", opts->seed, "Seed of the delays (random and printed when absent)")
      ->check(kDigits)
      ->type_name("N");
  sub->add_option("--crash", opts->crash,
                  "SIGKILL worker W at POINT of its K-th operation: W@POINT[:K], POINT one of "
                  "before-lock, locked, after-read, after-write, before-unlock")
      ->type_name("W@POINT[:K]");
  sub->add_option("--pause", opts->pause,
                  "Stop worker W with SIGSTOP at POINT of its first operation that passes it; the "
                  "coordinator resumes it MS ms later (docs/lease.md)")
      ->type_name("W@POINT:MS");
  sub->add_option("--lease", opts->lease_ms,
                  "strategy lease: milliseconds a grant lasts unless released (default 200)")
      ->check(kDigits)
      ->check(CLI::Range(1u, kMaxLeaseMs).description(""))
      ->type_name("MS");
  sub->add_flag("--fencing", opts->fencing,
                "strategy lease: writes carry the grant's token; the storage refuses a write "
                "whose token is older than its newest grant");
  if (!play) {
    sub->add_flag("--step", opts->step,
                  "You are the scheduler: choose every step, one worker at a time (on a pipe: "
                  "tokens such as '1 2 1W 2' from stdin); also 'shmlab play'; docs/replay.md");
    sub->add_option("--schedule", opts->schedule,
                    "Deterministic interleaving: tokens like \"1R 2R 1W 2W\", or random:SEED "
                    "(docs/schedules.md); delays are ignored")
        ->type_name("SCHED");
  }
  sub->add_option("--timeout", opts->timeout_s,
                  "Watchdog: seconds without progress before the run is stopped (0.1..86400)")
      ->check(kFinite)
      ->check(CLI::Range(0.1, 86400.0).description(""))
      ->type_name("SECONDS")
      ->capture_default_str();
  sub->add_option("--lost", opts->lost,
                  "Lost updates listed in --json's `lost` (the total is always there), or 'all'")
      ->type_name("N|all")
      ->capture_default_str();
  sub->add_option("--log", opts->log,
                  "Step lines for the first N operations of each worker, or 'all' (default: about "
                  "100 operations in all, then a count)")
      ->type_name("N|all");
  sub->add_option("--trace", opts->outputs.trace_path,
                  "Write a Chrome trace-event JSON of every step (Perfetto, chrome://tracing)")
      ->type_name("FILE");
  sub->add_option("--report", opts->outputs.report_path,
                  "Write a self-contained HTML report with an SVG timeline")
      ->type_name("FILE");
  sub->add_flag("--timeline", opts->outputs.timeline, "Print per-worker swimlanes of the steps");
  sub->add_flag("--json", opts->json, "Print the result as JSON on stdout; log lines go to stderr");
  sub->add_flag("--keep", opts->keep, "Keep the run's objects for 'shmlab inspect'");
  if (!play) {
    sub->add_flag("--until-race", opts->until_race,
                  "Run again until an update is lost (at most --repeat runs, 100 by default); "
                  "report that run: its summary, schedule, trace and report");
    sub->add_option("--repeat", opts->repeat,
                    "At most N runs, stopping at the first that loses an update (or breaks an "
                    "invariant)")
        ->type_name("N")
        ->check(kDigits)
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000}).description(""));
    sub->add_flag("--replay-check", opts->replay_check,
                  "Run the observed schedule again on fresh processes and say whether it gives "
                  "the same result");
  }
  sub->add_flag("-q,--quiet", opts->quiet,
                "No log lines (a kept run's name and a long run's estimate still go to stderr)");
  sub->add_flag("--no-color", opts->no_color, "No colour (also: NO_COLOR in the environment)");
}

}  // namespace

Command add_run(CLI::App& app) {
  auto opts = std::make_shared<RunOptions>();
  CLI::App* sub =
      app.add_subcommand("run", "Run a scenario with N worker processes (default: the seed demo)");
  add_run_options(sub, opts.get(), false);
  sub->footer(
      "Examples:\n"
      "  shmlab run                                  the seed demo (exit 3 when updates were "
      "lost)\n"
      "  shmlab run --seed 42                        repeat the delays of an earlier run\n"
      "  shmlab run -w 4 -n 100000 --delay none      a fast run: how many updates are lost?\n"
      "  shmlab run --strategy mutex --backend shm   a fix: exit 0, every increment counted\n"
      "  shmlab run -w 2 -n 1 --schedule \"1R 2R 1W 2W\"   the lost update, every time\n"
      "  shmlab run --timeline --report run.html     see which write erased which\n"
      "  shmlab run -w 4 -n 1000 --delay none --json | jq '.lost_updates, .lost[0]'\n"
      "  shmlab run --scenario inventory             15 buyers, 10 units: oversold?\n"
      "  shmlab run -w 2 -n 3 --strategy lease --backend shm --lease 200 --pause 1@after-read:600\n"
      "                                              a lease expires under a stalled holder\n"
      "  shmlab run --scenario bank -w 2 --accounts 2 --strategy account-locks --delay none\n"
      "                                              a deadlock, found and named (exit 4)\n"
      "Exit codes: 0 correct, 3 updates lost, 4 worker crashed or run stuck, 2 bad usage,\n"
      "1 environment failure, 130/143 interrupted.");
  return {sub, [opts] { return execute(*opts); }};
}

Command add_play(CLI::App& app) {
  auto opts = std::make_shared<RunOptions>();
  opts->step = true;
  CLI::App* sub = app.add_subcommand(
      "play",
      "Alias of 'run --step': you choose every step (run's options but those that choose "
      "steps otherwise: --schedule, --until-race, --repeat, --replay-check)");
  add_run_options(sub, opts.get(), true);
  sub->footer(
      "Each turn shows every worker's next step; press a worker's number (on a terminal, no "
      "Enter needed), or type a token such as 2W and Enter. On a pipe: words from stdin.\n"
      "Examples:\n"
      "  shmlab play -w 2 -n 1                       two workers, one increment each: lose one?\n"
      "  shmlab play -w 2 -n 1 --initial 5           the seed's diagram: both read 5, both write "
      "6\n"
      "  echo '1 2 1 2' | shmlab play -w 2 -n 1      steps from a pipe (what the tests do)\n"
      "  shmlab play --strategy mutex -w 2 -n 1      a worker waits for the lock the other holds\n"
      "Exit codes: as 'shmlab run'; 2 also when the input ends before the run does.");
  return {sub, [opts] { return execute(*opts); }};
}

// --dsn and --isolation belong to postgres (and --isolation to its `transaction`).
void check_postgres_options(RunParams& p, const std::optional<std::string>& dsn,
                            const std::optional<std::string>& isolation) {
  if (dsn) {
    if (p.backend != Backend::kPostgres)
      throw UsageError("--dsn: only --backend postgres connects to a server");
    const std::string path = std::string(kDsnPrefix) + *dsn;
    if (path.size() >= sizeof(p.region_path))
      throw UsageError(fmt::format("--dsn: at most {} characters", sizeof(p.region_path) - 64));
    std::memcpy(p.region_path, path.data(), path.size());
  }
  if (isolation) {
    if (p.backend != Backend::kPostgres || p.strategy != Strategy::kTransaction) {
      throw UsageError(
          "--isolation: only --strategy transaction on --backend postgres has a level to choose "
          "(sqlite's transactions are serializable)");
    }
    p.isolation = *parse_isolation(*isolation);  // CLI11's IsMember checked the names
  }
}

void add_postgres_options(CLI::App& sub, std::optional<std::string>& dsn,
                          std::optional<std::string>& isolation) {
  sub.add_option("--dsn", dsn,
                 "postgres: use this server (URI or key=value; '' for libpq's PG* environment) "
                 "instead of a throwaway one; the run's tables live in a schema of their own")
      ->type_name("URI");
  sub.add_option("--isolation", isolation,
                 "postgres transaction: read-committed, repeatable-read or serializable (default: "
                 "serializable, correct for every scenario)")
      ->check(CLI::IsMember({"read-committed", "repeatable-read", "serializable"}))
      ->type_name("LEVEL");
}

void add_scenario_options(CLI::App& sub, ScenarioParams& s) {
  sub.add_option("--initial", s.initial, "counter: its value at the start")
      ->check(kDigits)
      ->capture_default_str()
      ->type_name("N");
  sub.add_option("--stock", s.stock, "inventory: units in stock at the start")
      ->check(kDigits)
      ->capture_default_str()
      ->type_name("N");
  sub.add_option("--accounts", s.accounts,
                 "bank: accounts, each worker moves money "
                 "from one to the next")
      ->check(kDigits)
      ->check(CLI::Range(2u, kMaxAccounts).description("2..64"))
      ->capture_default_str()
      ->type_name("N");
  sub.add_option("--balance", s.balance, "bank: each account's balance at the start")
      ->check(kDigits)
      ->capture_default_str()
      ->type_name("N");
  sub.add_option("--amount", s.amount, "bank: the amount of each transfer")
      ->check(kDigits)
      ->capture_default_str()
      ->type_name("N");
  sub.add_flag("--auditor", s.auditor,
               "bank: one more process reads every balance over and over and counts the "
               "snapshots whose total is wrong (read skew)");
}

Command add_worker(CLI::App& app) {
  auto control = std::make_shared<std::string>();
  auto index = std::make_shared<std::uint32_t>(0);
  CLI::App* sub = app.add_subcommand("worker", "internal: one worker process of a run");
  sub->group("");  // hidden from --help
  sub->add_option("--control", *control, "Control block name (a worker on this machine)");
  sub->add_option("--index", *index, "0-based worker index")->required();
  auto pooled = std::make_shared<bool>(false);
  sub->add_flag("--pool", *pooled, "A worker of explore's pool: one interleaving per round");
  auto remote = std::make_shared<RemoteWorker>();
  auto partition = std::make_shared<std::string>();
  sub->add_option("--dsn", remote->dsn,
                  "A worker elsewhere: the server, without password (PGPASSWORD gives it)");
  sub->add_option("--run", remote->run_id, "A worker elsewhere: the run's name (its schema)");
  sub->add_option("--partition", *partition, "--partition: W@POINT:MS, this worker's");
  sub->add_option("--partition-link", remote->host.partition_link,
                  "--partition …:server: the server's end of the link, in the namespace the "
                  "worker starts in");
  sub->add_option("--host", remote->host.number, "--hosts: the host's number (1-based)");
  sub->add_option("--netns", remote->host.netns, "--hosts: the host's network namespace");
  sub->add_option("--server", remote->host.server, "--hosts: the server's address from that host");
  return {sub, [control, index, pooled, remote, partition] {
            if (control->empty() == remote->run_id.empty())
              throw UsageError("worker: --control NAME, or --dsn URI --run NAME");
            if (!control->empty()) return worker_main(*control, *index, *pooled);
            if (!partition->empty()) remote->host.partition = parse_pause_spec(*partition);
            remote->index = *index;
            return remote_worker_main(*remote);
          }};
}

std::string self_exe() {
  std::string buf(4096, '\0');
  const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0)
    throw std::system_error(errno, std::generic_category(), "readlink(\"/proc/self/exe\")");
  buf.resize(static_cast<std::size_t>(n));
  return buf;
}

std::string temp_dir() {
  const char* t = std::getenv("TMPDIR");
  std::string dir = (t != nullptr && *t != '\0') ? t : "/tmp";
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

bool use_color(int fd, bool no_color_flag) { return wants_color(fd, no_color_flag); }

}  // namespace shmlab::cli
