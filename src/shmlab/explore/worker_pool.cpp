#include "shmlab/explore/worker_pool.hpp"

#include <fmt/format.h>
#include <signal.h>

#include <algorithm>
#include <cstring>

#include "shmlab/control/control_block.hpp"
#include "shmlab/explore/explorer.hpp"
#include "shmlab/region/region.hpp"
#include "shmlab/scenario/registry.hpp"
#include "shmlab/schedule/scheduler.hpp"
#include "shmlab/schedule/step_gate.hpp"
#include "shmlab/sync/lock_objects.hpp"
#include "shmlab/sys/clock.hpp"
#include "shmlab/sys/futex.hpp"
#include "shmlab/sys/private_dir.hpp"
#include "shmlab/sys/process.hpp"
#include "shmlab/sys/signals.hpp"

namespace shmlab {
namespace {

// How long the Scheduler waits for a step before the pool looks at signals, children and the
// clock; a step hand-off takes microseconds, so only a dead or stuck worker ever uses it up.
constexpr std::int64_t kSliceNs = 20'000'000;
// How long stopped workers get to leave on their own before SIGKILL.
constexpr std::int64_t kPoolStopGraceNs = 200'000'000;

std::string describe_exit(const sys::ExitStatus& s) {
  if (s.exited) return fmt::format("exited with code {}", s.code);
  return fmt::format("was killed by signal {} ({})", s.signal, ::sigabbrev_np(s.signal));
}

// Between two interleavings: what a fresh control block holds, except the pid, the state and the
// grant count (a worker's StepGate counts grants across rounds).
void reset_slot(WorkerSlot& s) {
  // Relaxed: the workers read these only after the release bump of `round`.
  for (auto* a : {&s.ops, &s.writes_logged, &s.retries, &s.lock_wait_ns, &s.verify_changed,
                  &s.verify_overwritten, &s.torn_reads, &s.recoveries, &s.completed, &s.declined,
                  &s.overdrafts}) {
    a->store(0, std::memory_order_relaxed);
  }
  s.heartbeat_ns.store(0, std::memory_order_relaxed);
  s.activity.store(0, std::memory_order_relaxed);
  s.gate_lock.store(0, std::memory_order_relaxed);
  s.waiting_for.store(0, std::memory_order_relaxed);
  // It was kGateFinished: the Scheduler of the next round must wait for the worker's first step.
  s.gate_wanted.store(kGateNone, std::memory_order_relaxed);
}

}  // namespace

struct WorkerPool::Live {
  sys::SignalFd signals;  // first: blocked before any child exists, restored last
  RunParams params;
  sys::PrivateDir files;
  std::unique_ptr<RegionStore> store;
  std::optional<ControlBlock> control;
  LockObjects locks;
  std::unique_ptr<Region> region;      // the pool's own view: resets and final reads
  std::vector<CounterRecord> initial;  // each cell's initial record
  std::vector<sys::Child> workers;     // last: killed and reaped before anything is removed
};

WorkerPool::WorkerPool(const CoordinatorOptions& options) : options_(options) {}

WorkerPool::~WorkerPool() { stop(); }

void WorkerPool::start() {
  auto live = std::make_unique<Live>();
  RunParams& p = live->params = options_.params;
  const std::string id = make_run_id();
  std::memset(p.run_id, 0, sizeof(p.run_id));
  std::memcpy(p.run_id, id.c_str(), std::min(id.size(), sizeof(p.run_id) - 1));
  p.scheduled = true;
  p.quiet = true;
  p.trace = false;  // nobody reads a pooled interleaving's trace
  live->files = sys::PrivateDir::create(fmt::format("{}/{}", options_.temp_dir, p.run_id));
  live->store = create_region(p, live->files.path());
  live->control.emplace(ControlBlock::create(p));
  live->locks = LockObjects::create(p);
  live->region = attach_region(p);
  const std::int64_t now = sys::realtime_ms();
  for (const CellSpec& c : scenario_of(p.scenario).cells(p)) {
    live->initial.push_back({c.initial, 0, now, 0});
  }
  live_ = std::move(live);  // from here on, stop() removes everything
  ++starts_;
  for (std::uint32_t i = 0; i < p.workers; ++i) {
    live_->workers.push_back(
        sys::Child::spawn({options_.self_exe, "worker", "--control", live_->control->name(),
                           "--index", std::to_string(i), "--pool"}));
  }
}

std::vector<pid_t> WorkerPool::worker_pids() const {
  std::vector<pid_t> out;
  if (live_) {
    for (const sys::Child& c : live_->workers) out.push_back(c.pid());
  }
  return out;
}

PoolRun WorkerPool::give_up(std::string why) {
  stop();
  return {false, 0, 0, std::move(why)};
}

PoolRun WorkerPool::run(const std::vector<ScheduleToken>& tokens) {
  const bool starting = !live_;
  if (starting) start();
  Live& l = *live_;
  ControlBlock& control = *l.control;
  ControlHeader& h = control.header();
  const auto timeout_ns = static_cast<std::int64_t>(options_.timeout_s * 1e9);
  // A dead worker is found by its pidfd; SIGCHLD itself says nothing more.
  const auto check_signals = [&](int timeout_ms) {
    const std::optional<int> sig = l.signals.wait(timeout_ms);
    if (sig && *sig != SIGCHLD) {
      stop();
      throw ExploreInterrupted{*sig};
    }
  };
  const auto dead = [&]() -> std::string {
    for (std::uint32_t i = 0; i < l.workers.size(); ++i) {
      if (auto s = l.workers[i].try_wait())
        return fmt::format("pool worker {} (PID {}) {}", i + 1, l.workers[i].pid(),
                           describe_exit(*s));
    }
    return {};
  };
  if (starting) {
    StartWatch watch(options_.timeout_s);  // as in a run: starting is the OS's work
    while (h.start.arrived() < l.params.workers) {
      check_signals(1);  // workers attach within a millisecond or two
      if (std::string why = dead(); !why.empty()) return give_up(why);
      if (watch.stalled(h.start))
        return give_up("the pool's workers did not reach the start barrier");
    }
    h.start.open();
  } else {
    check_signals(0);
  }
  // --timeout bounds the interleaving itself, from the moment the workers are ready for it.
  const std::int64_t deadline = sys::monotonic_ns() + timeout_ns;

  // Every worker waits for the next round: nobody else touches the region or the slots now.
  for (std::uint32_t i = 0; i < l.initial.size(); ++i) l.region->write_cell(i, l.initial[i]);
  for (WorkerSlot& s : control.slots()) reset_slot(s);
  h.holder.store(0, std::memory_order_relaxed);
  h.round.fetch_add(1, std::memory_order_release);
  sys::futex_wake_all(h.round);

  Scheduler scheduler(control, ScheduleSpec{tokens, std::nullopt});
  if (l.params.backend == Backend::kPostgres) {
    // As in a run: a statement that waits in the server for a row lock keeps its token.
    scheduler.set_server_wait([&l](std::uint32_t i) { return l.store->waits_for_lock(i); });
  }
  const auto alive = [&](std::uint32_t i) { return !l.workers[i].try_wait(); };
  for (;;) {
    const Scheduler::Progress progress = scheduler.advance(kSliceNs, alive);
    if (progress == Scheduler::Progress::kDone) break;
    if (progress == Scheduler::Progress::kError) return give_up(scheduler.error());
    check_signals(0);
    if (std::string why = dead(); !why.empty()) return give_up(why);
    if (sys::monotonic_ns() > deadline) {
      return give_up(fmt::format("the interleaving did not end within {} s", options_.timeout_s));
    }
  }
  // A worker that died between its steps counts as finished for the Scheduler; not for us.
  if (std::string why = dead(); !why.empty()) return give_up(why);
  if (!scheduler.skipped().empty()) return give_up("a pool worker died during the interleaving");

  std::vector<std::int64_t> cells;
  for (const CounterRecord& c : l.region->read_all(static_cast<std::uint32_t>(l.initial.size())))
    cells.push_back(c.counter);
  std::uint64_t completed = 0;
  std::uint64_t retries = 0;
  // Acquire: each worker counted its operations (and before them its retries, relaxed) before it
  // published kGateFinished.
  for (const WorkerSlot& s : control.slots()) {
    completed += s.completed.load(std::memory_order_acquire);
    retries += s.retries.load(std::memory_order_relaxed);
  }
  return {true, scenario_of(l.params.scenario).measure(l.params, cells, completed), retries, {}};
}

void WorkerPool::stop() noexcept {
  if (!live_) return;
  ControlHeader& h = live_->control->header();
  h.abort.store(1, std::memory_order_release);
  h.start.open();
  h.round.fetch_add(1, std::memory_order_release);
  sys::futex_wake_all(h.round);
  release_gates(*live_->control);
  std::vector<sys::Child>& workers = live_->workers;
  const auto running = [&] {
    return std::any_of(workers.begin(), workers.end(), [](sys::Child& c) {
      try {
        return !c.try_wait();
      } catch (...) {
        return false;  // the destructor kills and reaps it
      }
    });
  };
  const std::int64_t deadline = sys::monotonic_ns() + kPoolStopGraceNs;
  while (running() && sys::monotonic_ns() < deadline) sys::sleep_ns(1'000'000);
  live_.reset();  // kills what is left, then removes the objects
}

}  // namespace shmlab
