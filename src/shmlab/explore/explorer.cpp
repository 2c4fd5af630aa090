#include "shmlab/explore/explorer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <unordered_set>

#include "shmlab/explore/worker_pool.hpp"
#include "shmlab/pg/throwaway_server.hpp"
#include "shmlab/region/pg_region.hpp"
#include "shmlab/scenario/registry.hpp"
#include "shmlab/schedule/step_model.hpp"
#include "shmlab/sys/clock.hpp"

namespace shmlab {
namespace {

using Tokens = std::vector<ScheduleToken>;

// The model has more states than we solve exactly.
struct TooBig {};

// Without --limit: every interleaving would take longer than the budget at the measured rate.
struct OverBudget {
  std::uint64_t limit = 0;  // the measured rate x the budget
};

// Without --limit, more interleavings than this are never run one by one (6 minutes at 100,000 a
// second); fewer start exhaustively and give up for a search once the rate is known.
constexpr std::uint64_t kMaxMeasuredLimit = 10'000'000;
// How long the first interleavings run before their rate decides.
constexpr std::int64_t kMeasureNs = 500'000'000;

constexpr std::uint64_t kMaxSolvedSteps = 4096;
// A sampling search of the model stops after this long, however many draws it has made.
constexpr std::int64_t kModelDrawBudgetNs = 3'000'000'000;

// Exact solution of the model: for each state, how many interleavings complete it and the
// smallest and largest final value reachable, with the move that reaches each.
class Solver {
 public:
  struct Node {
    std::uint64_t count = 0;  // saturates at the maximum
    std::int64_t min = 0;
    std::int64_t max = 0;
    std::uint32_t min_move = 0;
    std::uint32_t max_move = 0;
    bool valued = false;  // some interleaving from here completes (min, max are of those)
  };

  Solver(const StepModel& model, std::size_t max_states) : model_(model), max_(max_states) {}

  const Node& solve(const StepModel::State& s) {
    std::string key = model_.key(s);
    if (auto it = memo_.find(key); it != memo_.end()) return it->second;
    Node n;
    if (model_.done(s) || model_.deadlocked(s)) {
      n.count = 1;
      n.min = n.max = model_.final_value(s);
      n.valued = !model_.deadlocked(s);  // a deadlock has no outcome: not an extreme
    } else {
      bool first = true;
      for (std::uint32_t w = 0; w < model_.workers(); ++w) {
        if (!model_.can_move(s, w)) continue;
        StepModel::State next = s;
        model_.move(next, w);
        const Node c = solve(next);
        n.count = c.count > std::numeric_limits<std::uint64_t>::max() - n.count
                      ? std::numeric_limits<std::uint64_t>::max()
                      : n.count + c.count;
        if (!c.valued) continue;
        // Strict comparisons: ties go to the lowest-numbered worker, a stable witness.
        if (first || c.min < n.min) n.min = c.min, n.min_move = w;
        if (first || c.max > n.max) n.max = c.max, n.max_move = w;
        first = false;
        n.valued = true;
      }
    }
    if (memo_.size() >= max_) throw TooBig{};
    return memo_.emplace(std::move(key), n).first->second;
  }

  Tokens witness(StepModel::State s, bool min) {
    Tokens out;
    while (!model_.done(s) && !model_.deadlocked(s)) {
      const Node& n = solve(s);
      out.push_back(model_.move(s, min ? n.min_move : n.max_move));
    }
    return out;
  }

  std::size_t states() const { return memo_.size(); }

 private:
  const StepModel& model_;
  std::size_t max_;
  std::unordered_map<std::string, Node> memo_;
};

// An interleaving's outcome on the model: its measure, or kDeadlockOutcome.
std::int64_t outcome(const StepModel& model, const StepModel::State& s) {
  return model.deadlocked(s) ? kDeadlockOutcome : model.final_value(s);
}

// Every interleaving, lowest-numbered worker first, with its final value on the model.
void enumerate(const StepModel& model, StepModel::State& s, Tokens& prefix,
               const std::function<bool(const Tokens&, std::int64_t)>& visit) {
  if (model.done(s) || model.deadlocked(s)) {
    visit(prefix, outcome(model, s));
    return;
  }
  for (std::uint32_t w = 0; w < model.workers(); ++w) {
    if (!model.can_move(s, w)) continue;
    StepModel::State next = s;
    prefix.push_back(model.move(next, w));
    enumerate(model, next, prefix, visit);
    prefix.pop_back();
  }
}

// --reduce: two steps of different workers conflict when they touch the same lock, or the same
// cell and one of them writes; steps that do not conflict commute (either order, same state).
// The server's transactions (one row): every step but a BEGIN reads or changes what another's
// next step sees (a snapshot, the row's lock, a COMMIT), so all of them conflict but L.
bool conflict(const StepModel& model, const StepPlan& a, const StepPlan& b) {
  if (model.server_transactions()) return a.step != Step::kLock && b.step != Step::kLock;
  const auto is_lock = [](Step s) { return s == Step::kLock || s == Step::kUnlock; };
  if (is_lock(a.step) || is_lock(b.step))
    return is_lock(a.step) && is_lock(b.step) && a.lock == b.lock;
  return a.cell == b.cell && (a.step != Step::kRead || b.step != Step::kRead);
}

// One interleaving per class of interleavings that differ only in the order of steps that do not
// conflict (a Mazurkiewicz trace): depth first with sleep sets (Godefroid). A worker whose step
// was explored from a state sleeps in its later siblings' subtrees until a step that conflicts
// with it is taken. Returns false as soon as `visit` does.
bool enumerate_classes(const StepModel& model, StepModel::State& s, Tokens& prefix,
                       std::vector<std::uint32_t> asleep,
                       const std::function<bool(const Tokens&, std::int64_t)>& visit) {
  if (model.done(s) || model.deadlocked(s)) return visit(prefix, model.final_value(s));
  for (std::uint32_t w = 0; w < model.workers(); ++w) {
    if (!model.can_move(s, w) || std::find(asleep.begin(), asleep.end(), w) != asleep.end())
      continue;
    const StepPlan step = model.next_plan(s, w);
    std::vector<std::uint32_t> child;
    for (std::uint32_t u : asleep) {
      // A sleeping worker has not moved: its next step is still the one explored.
      if (!conflict(model, model.next_plan(s, u), step)) child.push_back(u);
    }
    StepModel::State next = s;
    prefix.push_back(model.move(next, w));
    const bool more = enumerate_classes(model, next, prefix, std::move(child), visit);
    prefix.pop_back();
    if (!more) return false;
    asleep.push_back(w);
  }
  return true;
}

// A random interleaving. With `stick_per_mille` > 0 the last worker keeps going with that chance:
// the long solo runs that lose the most updates are then drawn far more often.
Tokens draw(const StepModel& model, std::mt19937_64& rng, std::int64_t* final_value,
            std::uint64_t stick_per_mille = 0) {
  StepModel::State s = model.initial();
  Tokens out;
  std::vector<std::uint32_t> ready;
  std::uint32_t last = 0;
  while (!model.done(s) && !model.deadlocked(s)) {
    if (!(out.empty() || !model.can_move(s, last) || rng() % 1000 >= stick_per_mille)) {
      out.push_back(model.move(s, last));
      continue;
    }
    ready.clear();
    for (std::uint32_t w = 0; w < model.workers(); ++w) {
      if (model.can_move(s, w)) ready.push_back(w);
    }
    last = ready[rng() % ready.size()];
    out.push_back(model.move(s, last));
  }
  if (final_value != nullptr) *final_value = outcome(model, s);
  return out;
}

// The shortest prefix whose state satisfies `found`, breadth first over the model's states (two
// prefixes reaching one state are the same from there on); none within `max_states`.
std::optional<Tokens> shortest_prefix(const StepModel& model, std::size_t max_states,
                                      const std::function<bool(const StepModel::State&)>& found) {
  struct Entry {
    StepModel::State state;
    std::size_t parent;
    ScheduleToken token;
  };
  std::vector<Entry> nodes{{model.initial(), 0, {}}};
  std::unordered_set<std::string> seen{model.key(nodes[0].state)};
  for (std::size_t i = 0; i < nodes.size() && nodes.size() < max_states; ++i) {
    if (found(nodes[i].state)) {
      Tokens out;
      for (std::size_t j = i; j != 0; j = nodes[j].parent) out.push_back(nodes[j].token);
      std::reverse(out.begin(), out.end());
      return out;
    }
    for (std::uint32_t w = 0; w < model.workers(); ++w) {
      if (!model.can_move(nodes[i].state, w)) continue;
      StepModel::State next = nodes[i].state;
      const ScheduleToken t = model.move(next, w);
      if (seen.insert(model.key(next)).second) nodes.push_back({std::move(next), i, t});
    }
  }
  return std::nullopt;
}

// The shortest prefix that, completed by the tail rule, loses an update.
std::optional<Tokens> shortest_losing(const StepModel& model, std::size_t max_states) {
  return shortest_prefix(model, max_states, [&](const StepModel::State& s) {
    StepModel::State tail = s;
    model.run_tail(tail);
    return model.final_value(tail) != model.expected();
  });
}

// The shortest schedule that ends in a deadlock of the model (per-account locks taken in
// different orders).
std::optional<Tokens> shortest_deadlock(const StepModel& model, std::size_t max_states) {
  return shortest_prefix(model, max_states,
                         [&](const StepModel::State& s) { return model.deadlocked(s); });
}

// What a real run of an interleaving ended with.
struct RealRun {
  std::int64_t measure = 0;  // or kDeadlockOutcome
  std::uint64_t retries = 0;
};

class Explorer {
 public:
  explicit Explorer(const ExploreOptions& o) : o_(o), model_(o.run.params), quiet_(2, false, true) {
    r_.expected = model_.expected();
    r_.server_transactions = model_.server_transactions();
  }

  ExploreResult run();

 private:
  // One interleaving of the histogram: on the pool, or on new processes.
  RealRun run_real(const Tokens& tokens);
  RealRun run_histogram_one(const Tokens& tokens);
  RealRun run_fresh(const Tokens& tokens);
  // Counts a histogram interleaving's real run against the model's.
  void tally(const Tokens& tokens, const RealRun& real, std::int64_t model_final);
  bool ends_in_deadlock(const Tokens& tokens) const;
  Witness confirm(std::int64_t expected_final, const Tokens& tokens);
  void exhaustive();
  void search();
  void progress(std::string_view what, std::uint64_t done, std::uint64_t total) {
    if (o_.progress) o_.progress(what, done, total);
  }

  const ExploreOptions& o_;
  StepModel model_;
  Log quiet_;
  ExploreResult r_;
  std::unique_ptr<WorkerPool> pool_;  // unless --fresh-processes
  std::unique_ptr<Solver> solver_;    // when the model could be solved exactly
  std::optional<Solver::Node> solved_;
  Tokens min_tokens_, max_tokens_;
};

bool Explorer::ends_in_deadlock(const Tokens& tokens) const {
  StepModel::State s = model_.initial();
  for (const ScheduleToken& t : tokens) model_.apply(s, t);
  return model_.deadlocked(s);
}

RealRun Explorer::run_real(const Tokens& tokens) {
  const std::int64_t t0 = sys::monotonic_ns();
  const RealRun real = run_histogram_one(tokens);
  r_.histogram_ns += sys::monotonic_ns() - t0;
  return real;
}

void Explorer::tally(const Tokens& tokens, const RealRun& real, std::int64_t model_final) {
  ++r_.interleavings;
  if (real.measure != model_final) ++r_.model_mismatches;
  if (model_.server_transactions()) {
    // The server's aborts are the model's too: each is a retry of the real worker.
    StepModel::State s = model_.initial();
    for (const ScheduleToken& t : tokens) model_.apply(s, t);
    if (real.retries != model_.aborts(s)) ++r_.model_mismatches;
    r_.retries += real.retries;
    if (real.retries != 0) ++r_.aborted_interleavings;
  }
  if (real.measure == kDeadlockOutcome) {
    ++r_.deadlocks;  // its own bucket, never an extreme
  } else {
    ++r_.histogram[real.measure];
  }
}

RealRun Explorer::run_histogram_one(const Tokens& tokens) {
  // A deadlocked pool worker cannot be given a next interleaving: such a schedule runs as a fresh
  // run does, and is reported as one.
  if (pool_ && !ends_in_deadlock(tokens)) {
    const PoolRun run = pool_->run(tokens);
    if (run.ok) return {run.measure, run.retries};
    // The pool is gone with whatever the failure left; the interleaving runs again on new
    // processes, and a failure there is reported as in --fresh-processes.
    if (r_.pool_reruns++ == 0) r_.pool_failure = run.why;
  }
  return run_fresh(tokens);
}

RealRun Explorer::run_fresh(const Tokens& tokens) {
  CoordinatorOptions c = o_.run;
  c.params.quiet = true;
  c.schedule = ScheduleSpec{tokens, std::nullopt};
  const RunRecord rec = coordinate(c, quiet_);
  if (rec.end == RunEnd::kInterrupted) throw ExploreInterrupted{rec.signal};
  const std::string text = format_schedule(tokens);
  if (rec.end == RunEnd::kDeadlock) return {kDeadlockOutcome, 0};  // the lock table showed it
  if (!rec.schedule_error.empty()) {
    throw ExploreFault(
        fmt::format("the workers did not follow a schedule of the step model: {} "
                    "(schedule: {})",
                    rec.schedule_error, text));
  }
  const bool ok = rec.end == RunEnd::kCompleted &&
                  std::all_of(rec.workers.begin(), rec.workers.end(),
                              [](const WorkerRecord& w) { return w.end == WorkerEnd::kOk; });
  if (!ok) {
    std::string why = rec.watchdog_report;
    for (const WorkerRecord& w : rec.workers) {
      if (w.end != WorkerEnd::kOk && !w.error.empty())
        why += fmt::format(" worker {}: {}", w.number, w.error);
    }
    throw ExploreFault(fmt::format("a run did not complete (schedule: {}){}{}", text,
                                   why.empty() ? "" : ": ", why));
  }
  // The scenario's outcome measure (the counter: its final value).
  std::vector<std::int64_t> cells;
  for (const CounterRecord& cell : rec.final_cells) cells.push_back(cell.counter);
  RealRun real;
  std::uint64_t completed = 0;
  for (const WorkerRecord& w : rec.workers) completed += w.completed, real.retries += w.retries;
  real.measure = scenario_of(rec.params.scenario).measure(rec.params, cells, completed);
  return real;
}

Witness Explorer::confirm(std::int64_t expected_final, const Tokens& tokens) {
  Witness w;
  w.final_value = expected_final;
  w.schedule = format_schedule(tokens);
  w.replayed = run_fresh(tokens).measure;
  w.confirmed = w.replayed == expected_final;
  ++r_.replays;
  return w;
}

void Explorer::exhaustive() {
  r_.exhaustive = true;
  r_.extremes_exact = true;
  r_.method = r_.classes ? "one interleaving of every class (--reduce) on real processes"
                         : "every interleaving on real processes";
  const std::uint64_t count = r_.classes.value_or(*r_.total);
  StepModel::State s = model_.initial();
  Tokens prefix;
  std::optional<std::int64_t> lo, hi;
  std::int64_t t0 = sys::monotonic_ns();
  std::uint64_t before_t0 = 0;  // interleavings done before t0
  const auto visit = [&](const Tokens& tokens, std::int64_t model_final) {
    const RealRun real = run_real(tokens);
    if (!o_.limit) {
      // The measured rate decides once it is known: all of them in the budget, or a search. The
      // first interleaving also starts the pool (seconds under a sanitizer): once it is done, the
      // clock starts again, so the rate is that of the interleavings themselves.
      const std::int64_t now = sys::monotonic_ns();
      const std::int64_t spent = now - t0;
      const double rate = static_cast<double>(r_.interleavings + 1 - before_t0) * 1e9 /
                          static_cast<double>(std::max<std::int64_t>(spent, 1));
      r_.limit = static_cast<std::uint64_t>(rate * o_.limit_budget_s);
      if (r_.interleavings == 0) {
        t0 = now;
        before_t0 = 1;
      } else if (spent >= kMeasureNs && static_cast<double>(count) / rate > o_.limit_budget_s) {
        throw OverBudget{r_.limit};
      }
    }
    tally(tokens, real, model_final);
    if (real.measure != kDeadlockOutcome) {
      if (!lo || real.measure < *lo) lo = real.measure, min_tokens_ = tokens;
      if (!hi || real.measure > *hi) hi = real.measure, max_tokens_ = tokens;
    }
    progress(r_.classes ? "classes" : "interleavings", r_.interleavings, count);
    return true;
  };
  if (r_.classes) {
    enumerate_classes(model_, s, prefix, {}, visit);
  } else {
    enumerate(model_, s, prefix, visit);
  }
  if (lo) r_.min = Witness{*lo, {}, 0, false};
  if (hi) r_.max = Witness{*hi, {}, 0, false};
}

void Explorer::search() {
  std::int64_t lo = 0, hi = 0;
  if (solved_) {
    r_.extremes_exact = true;
    r_.method = "exact search of the step model, witnesses replayed on real processes";
    min_tokens_ = solver_->witness(model_.initial(), true);
    max_tokens_ = solver_->witness(model_.initial(), false);
    lo = solved_->min;
    hi = solved_->max;
  } else {
    r_.method = "random sampling of the step model (not exhaustive), witnesses replayed";
    std::mt19937_64 rng(o_.seed);
    const std::int64_t deadline = sys::monotonic_ns() + kModelDrawBudgetNs;
    for (std::uint64_t i = 0; i < o_.model_draws && sys::monotonic_ns() < deadline; ++i) {
      constexpr std::array<std::uint64_t, 4> kStick = {0, 500, 900, 990};
      std::int64_t f = 0;
      Tokens t = draw(model_, rng, &f, kStick[i % kStick.size()]);
      if (f == kDeadlockOutcome) continue;
      if (min_tokens_.empty() || f < lo) lo = f, min_tokens_ = t;
      if (max_tokens_.empty() || f > hi) hi = f, max_tokens_ = std::move(t);
      if (i % 1000 == 0) progress("model draws", i, o_.model_draws);
    }
    // The serial order is always an interleaving; it reaches the maximum of a sampling search.
    StepModel::State serial = model_.initial();
    Tokens serial_tokens;
    model_.run_tail(serial, &serial_tokens);
    if (model_.final_value(serial) > hi)
      hi = model_.final_value(serial), max_tokens_ = serial_tokens;
  }
  r_.min = Witness{lo, {}, 0, false};
  r_.max = Witness{hi, {}, 0, false};
  std::mt19937_64 rng(o_.seed);
  const std::uint64_t n = std::min(o_.samples, o_.limit.value_or(r_.limit ? r_.limit : o_.samples));
  for (std::uint64_t i = 0; i < n; ++i) {
    std::int64_t model_final = 0;
    const Tokens t = draw(model_, rng, &model_final);
    tally(t, run_real(t), model_final);
    progress("sampled interleavings", i + 1, n);
  }
}

ExploreResult Explorer::run() {
  const std::int64_t t0 = sys::monotonic_ns();
  // The solver recurses once per step of an interleaving: a long one is sampled instead.
  const std::uint64_t steps = std::uint64_t{o_.run.params.workers} * o_.run.params.increments *
                              strategy_steps(o_.run.params.strategy).size();
  if (steps <= kMaxSolvedSteps) {
    try {
      solver_ = std::make_unique<Solver>(model_, o_.max_model_states);
      solved_ = solver_->solve(model_.initial());
      r_.total = solved_->count;
    } catch (const TooBig&) {
      solver_.reset();
      solved_.reset();
    }
  }
  // The bank's auditor runs beside the workers, not in the schedule: it has no pool.
  if (!o_.fresh_processes && !o_.run.params.scenario_params.auditor) {
    pool_ = std::make_unique<WorkerPool>(o_.run);
    r_.pooled = true;
  }
  r_.limit = o_.limit.value_or(0);
  r_.limit_measured = !o_.limit;
  const std::uint64_t cap = o_.limit.value_or(kMaxMeasuredLimit);
  if (o_.reduce && r_.total) {
    // Counted on the model first: whether one run per class fits decides, as the count does.
    std::uint64_t classes = 0;
    StepModel::State s = model_.initial();
    Tokens prefix;
    enumerate_classes(model_, s, prefix, {},
                      [&](const Tokens&, std::int64_t) { return ++classes <= cap; });
    if (classes <= cap) r_.classes = classes;
  }
  if (r_.total && r_.classes.value_or(*r_.total) <= cap) {
    const std::int64_t exhaustive_t0 = sys::monotonic_ns();
    try {
      exhaustive();
    } catch (const OverBudget& over) {
      // What ran is dropped: a search's histogram is a sample, not the first of every one.
      r_.exhaustive = r_.extremes_exact = false;
      r_.interleavings = r_.model_mismatches = r_.retries = r_.aborted_interleavings = 0;
      r_.histogram.clear();
      r_.min.reset();
      r_.max.reset();
      r_.histogram_ns = 0;
      r_.classes.reset();
      r_.limit = over.limit;
      r_.abandoned_ns = sys::monotonic_ns() - exhaustive_t0;
      search();
    }
  } else {
    search();
  }
  if (pool_) {
    r_.pool_starts = pool_->starts();
    pool_.reset();  // the witnesses replay on new processes
  }
  progress("replaying witnesses", 0, 3);
  const bool want_min = o_.goal != ExploreGoal::kMax;
  const bool want_max = o_.goal != ExploreGoal::kMin;
  if (r_.min && want_min) r_.min = confirm(r_.min->final_value, min_tokens_);
  if (r_.max && want_max) r_.max = confirm(r_.max->final_value, max_tokens_);
  if (!want_min) r_.min.reset();
  if (!want_max) r_.max.reset();
  progress("replaying witnesses", 2, 3);
  // Proven: no interleaving loses one when the exact minimum is the expected value.
  // (Inventory's measure, units sold, goes up when a sale is lost: both extremes must be it.)
  const bool none_lose = solved_ && solved_->min >= r_.expected && solved_->max <= r_.expected;
  if (!none_lose) {
    if (auto t = shortest_losing(model_, o_.max_model_states)) {
      StepModel::State s = model_.initial();
      for (const ScheduleToken& tok : *t) model_.apply(s, tok);
      model_.run_tail(s);
      r_.shortest_losing = confirm(model_.final_value(s), *t);
    }
  }
  // Per-account locks: the shortest schedule into a deadlock, replayed (none under ordered-locks).
  if (o_.run.params.strategy == Strategy::kAccountLocks ||
      o_.run.params.strategy == Strategy::kOrderedLocks) {
    if (auto t = shortest_deadlock(model_, o_.max_model_states))
      r_.shortest_deadlock = confirm(kDeadlockOutcome, *t);
  }
  progress("replaying witnesses", 3, 3);
  r_.elapsed_ns = sys::monotonic_ns() - t0;
  return std::move(r_);
}

}  // namespace

ExploreResult explore(const ExploreOptions& options) {
  const RunParams& p = options.run.params;
  if (p.backend != Backend::kPostgres || std::string_view(p.region_path).starts_with(kDsnPrefix)) {
    return Explorer(options).run();
  }
  // postgres without a server given: one throwaway server for the whole explore, which every
  // interleaving (the pool's, and each fresh run's) uses as if --dsn named it, each run in a
  // schema of its own; stopped and removed when explore returns or throws.
  pg::ThrowawayServerOptions so;
  so.temp_dir = options.run.temp_dir;
  pg::ThrowawayServer server = pg::ThrowawayServer::start(so);
  ExploreOptions with_server = options;
  const std::string path = std::string(kDsnPrefix) + server.dsn();
  RunParams& q = with_server.run.params;
  if (path.size() >= sizeof(q.region_path)) {
    throw std::system_error(ENAMETOOLONG, std::generic_category(),
                            fmt::format("postgres server \"{}\"", path));
  }
  std::memset(q.region_path, 0, sizeof(q.region_path));
  std::memcpy(q.region_path, path.data(), path.size());
  return Explorer(with_server).run();
}

}  // namespace shmlab
