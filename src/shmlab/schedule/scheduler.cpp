#include "shmlab/schedule/scheduler.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "shmlab/schedule/step_gate.hpp"
#include "shmlab/sys/clock.hpp"

namespace shmlab {
namespace {

// How long a granted step may run before the server is asked whether it waits for a row lock.
constexpr std::int64_t kServerWaitProbeNs = 20'000'000;
// How long one look at a worker known to wait in the server lasts (the server's deadlock detector
// may take a second: not a busy loop meanwhile).
constexpr std::int64_t kServerWaitPollNs = 5'000'000;

}  // namespace

Scheduler::Scheduler(ControlBlock& control, ScheduleSpec spec, StepChooser chooser)
    : control_(control),
      spec_(std::move(spec)),
      gates_(control.params().workers),
      holders_(kMaxAccounts + 1, 0),
      rng_(spec_.random_seed.value_or(0)),
      chooser_(std::move(chooser)),
      tracks_locks_(!(control.params().backend == Backend::kPostgres &&
                      (control.params().strategy == Strategy::kTransaction ||
                       control.params().strategy == Strategy::kForUpdate ||
                       control.params().strategy == Strategy::kAccountLocks ||
                       control.params().strategy == Strategy::kOrderedLocks))),
      l_is_begin_(control.params().backend == Backend::kPostgres &&
                  (control.params().strategy == Strategy::kTransaction ||
                   control.params().strategy == Strategy::kForUpdate)) {}

std::string Scheduler::schedule() const {
  return format_schedule(spec_.random_seed ? drawn_ : spec_.tokens);
}

bool Scheduler::fail(std::string message) {
  error_ = std::move(message);
  return false;
}

bool Scheduler::blocked(std::uint32_t index) const {
  // A lease is never held for good: a granted L waits at most until the holder's grant expires.
  if (control_.params().strategy == Strategy::kLease) return false;
  if (!tracks_locks_) return false;
  const std::uint32_t holder = holder_of(index);
  return gates_[index].next == static_cast<std::uint32_t>(Step::kLock) && holder != 0 &&
         holder != index + 1;
}

bool Scheduler::grant_deadlock() {
  std::vector<std::uint32_t> blocked_workers;
  for (std::uint32_t i = 0; i < gates_.size(); ++i) {
    if (gates_[i].finished) continue;
    const std::uint32_t h = holder_of(i);
    if (!blocked(i) || gates_[h - 1].finished) return false;
    blocked_workers.push_back(i);
  }
  for (std::uint32_t i : blocked_workers) {
    blocked_.push_back({i + 1, Step::kLock});
    gates_[i].next = 0;
    grant_step(control_.slot(i));
  }
  stalled_ = true;
  return true;
}

bool Scheduler::choose_token(std::uint32_t& index) {
  const ScheduleToken& t = spec_.tokens[position_];
  const std::string where =
      fmt::format("--schedule: token {} '{}'", position_ + 1, format_token(t));
  index = t.worker - 1;
  const WorkerGate& g = gates_[index];
  if (g.finished)
    return fail(fmt::format("{}: worker {} has finished all its steps", where, t.worker));
  if (g.in_server_wait && !server_wait_(index)) {
    undecided_ = true;  // the lock was released: it is on its way to its next boundary
    return false;
  }
  if (g.in_server_wait) {
    return fail(
        fmt::format("{}: worker {} is blocked: its statement waits in the server for a "
                    "row lock",
                    where, t.worker));
  }
  // postgres `transaction`, `for-update`: L is BEGIN, which waits for nothing; a token naming the R
  // lets its worker take it first, so that Hermitage's "1R 2R 1W 2W" reads as written
  // (docs/postgres.md).
  if (l_is_begin_ && g.next == static_cast<std::uint32_t>(Step::kLock) && t.step == Step::kRead)
    return true;
  const bool verify = g.next == static_cast<std::uint32_t>(Step::kVerify);
  // A token that does not say V first lets its worker take a pending verify (docs/schedules.md).
  if (verify && t.step != Step::kVerify) return true;
  if (t.step && static_cast<std::uint32_t>(*t.step) != g.next) {
    return fail(fmt::format("{}: worker {}'s next step is {}, not {}", where, t.worker,
                            step_word(static_cast<char>(g.next)),
                            step_word(static_cast<char>(*t.step))));
  }
  if (blocked(index)) {
    return fail(fmt::format("{}: worker {} is blocked: its L waits for the lock worker {} holds",
                            where, t.worker, holder_of(index)));
  }
  ++position_;
  return true;
}

bool Scheduler::choose(std::uint32_t& index) {
  // A dead worker takes no more steps: its tokens are passed over (and reported), not errors.
  while (position_ < spec_.tokens.size() && gates_[spec_.tokens[position_].worker - 1].died) {
    skipped_.push_back({position_ + 1, format_token(spec_.tokens[position_])});
    ++position_;
  }
  if (position_ < spec_.tokens.size()) return choose_token(index);
  std::vector<std::uint32_t> ready;
  bool unfinished = false;
  bool server_waits = false;
  for (std::uint32_t i = 0; i < gates_.size(); ++i) {
    if (gates_[i].finished) continue;
    unfinished = true;
    if (gates_[i].in_server_wait) {
      server_waits = true;
    } else if (!blocked(i)) {
      ready.push_back(i);
    }
  }
  if (!unfinished) return false;
  if (ready.empty() && server_waits) {
    // Only statements waiting in the server: a deadlock among them is the server's to break
    // (40P01, after its deadlock_timeout); the aborted one comes back to a boundary.
    undecided_ = true;
    return false;
  }
  if (ready.empty()) {
    std::uint32_t any = 0;
    for (std::uint32_t i = 0; i < gates_.size() && any == 0; ++i) {
      if (!gates_[i].finished) any = holder_of(i);
    }
    return fail(
        fmt::format("--schedule: every unfinished worker waits for the lock worker {} "
                    "holds, and it has finished",
                    any));
  }
  if (chooser_) {
    std::vector<GateView> views;
    for (std::uint32_t i = 0; i < gates_.size(); ++i) {
      const WorkerGate& g = gates_[i];
      GateView v{g.finished ? '\0' : static_cast<char>(g.next),
                 !g.finished && blocked(i) ? holder_of(i) : 0, g.finished, std::nullopt};
      TraceEvent e;
      if (v.next == static_cast<char>(Step::kWrite) && control_.trace(i).last(e) &&
          e.step == static_cast<char>(Step::kRead))
        v.read = e.before;
      views.push_back(v);
    }
    const std::optional<ScheduleToken> t = chooser_(views);
    if (!t) {
      undecided_ = true;
      return false;
    }
    if (t->worker == 0) {
      // Only verifies left: they change nothing, so the run ends as a schedule's tail ends it.
      const bool verifies_left = std::all_of(gates_.begin(), gates_.end(), [](const WorkerGate& g) {
        return g.finished || g.next == static_cast<std::uint32_t>(Step::kVerify);
      });
      if (!verifies_left) return fail("--step: the input ended before the run did; stopped");
      chooser_ = {};
      index = ready.front();
      return true;
    }
    spec_.tokens.push_back(*t);
    return choose_token(index);
  }
  if (spec_.random_seed) {
    // Our own reduction, not uniform_int_distribution: the draw must be the same everywhere.
    index = ready[rng_() % ready.size()];
    drawn_.push_back({index + 1, static_cast<Step>(gates_[index].next)});
  } else {
    index = ready.front();  // the tail: worker by worker, the lowest-numbered that can move
  }
  return true;
}

void Scheduler::grant(std::uint32_t index) {
  WorkerGate& g = gates_[index];
  const auto step = static_cast<Step>(g.next);
  if (step == Step::kLock) holders_[g.lock] = index + 1;
  if (step == Step::kUnlock) holders_[g.lock] = 0;
  taken_.push_back({index + 1, step});
  g.next = 0;
  grant_step(control_.slot(index));
}

Scheduler::Progress Scheduler::advance(std::int64_t budget_ns,
                                       const std::function<bool(std::uint32_t)>& alive) {
  if (!error_.empty()) return Progress::kError;
  if (stalled_) return Progress::kWaiting;  // deadlocked: the coordinator's lock table finds it
  const std::int64_t deadline = sys::monotonic_ns() + budget_ns;
  for (;;) {
    // Every worker at a boundary (or finished) before any grant: only then is the order exact.
    for (std::uint32_t i = 0; i < gates_.size(); ++i) {
      WorkerGate& g = gates_[i];
      if (g.finished || g.next != 0) continue;
      WorkerSlot& slot = control_.slot(i);
      std::int64_t wait = std::max<std::int64_t>(0, deadline - sys::monotonic_ns());
      // A worker whose statement may wait in the server is looked at briefly, then asked about.
      if (server_wait_)
        wait = std::min(wait, g.in_server_wait ? kServerWaitPollNs : kServerWaitProbeNs);
      std::uint32_t wanted = await_boundary(slot, wait);
      if (server_wait_ && wanted == kGateNone && alive(i)) {
        if (g.in_server_wait || server_wait_(i)) {
          g.in_server_wait = true;
          continue;
        }
        wanted = await_boundary(slot, std::max<std::int64_t>(0, deadline - sys::monotonic_ns()));
      }
      g.in_server_wait = false;
      if (wanted == kGateNone && !alive(i)) {
        wanted = slot.gate_wanted.load(std::memory_order_acquire);  // it may have just finished
        if (wanted == kGateNone) {
          g.finished = g.died = true;
          // A robust lock is taken over by its next owner.
          std::replace(holders_.begin(), holders_.end(), i + 1, 0u);
          continue;
        }
      }
      if (wanted == kGateNone) return Progress::kWaiting;
      if (wanted == kGateFinished) {
        g.finished = true;
      } else {
        g.next = wanted;
        g.lock = std::min(slot.gate_lock.load(std::memory_order_relaxed), kMaxAccounts);
      }
    }
    std::uint32_t index = 0;
    undecided_ = false;
    if (!choose(index)) {
      if (undecided_) return Progress::kWaiting;
      if (!error_.empty() && position_ >= spec_.tokens.size() && grant_deadlock()) {
        error_.clear();
        return Progress::kWaiting;
      }
      return error_.empty() ? Progress::kDone : Progress::kError;
    }
    grant(index);
  }
}

}  // namespace shmlab
