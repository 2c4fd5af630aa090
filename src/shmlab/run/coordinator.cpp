#include "shmlab/run/coordinator.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <random>

#include "shmlab/control/control_block.hpp"
#include "shmlab/control/lock_table.hpp"
#include "shmlab/hosts/simulated_hosts.hpp"
#include "shmlab/pg/connection.hpp"
#include "shmlab/pg/run_schema.hpp"
#include "shmlab/region/backend.hpp"
#include "shmlab/region/pg_region.hpp"
#include "shmlab/region/region.hpp"
#include "shmlab/run/control_relay.hpp"
#include "shmlab/run/crash_spec.hpp"
#include "shmlab/run/worker.hpp"
#include "shmlab/scenario/registry.hpp"
#include "shmlab/schedule/scheduler.hpp"
#include "shmlab/schedule/step_gate.hpp"
#include "shmlab/sync/lock_objects.hpp"
#include "shmlab/sync/strategy.hpp"
#include "shmlab/sys/clock.hpp"
#include "shmlab/sys/private_dir.hpp"
#include "shmlab/sys/process.hpp"
#include "shmlab/sys/shell_quote.hpp"
#include "shmlab/sys/signals.hpp"

namespace shmlab {
namespace {

// How long a scheduled run's coordinator waits for a step before it looks at signals and children.
constexpr std::int64_t kScheduleSliceNs = 20'000'000;

// How long stopped workers get to leave on their own before SIGKILL.
constexpr std::int64_t kStopGraceNs = 200'000'000;
// --remote-workers: how long they get to say, through their rows, that they have ended (the abort
// crosses in a few relay ticks each way) before their sessions are ended on the server.
constexpr std::int64_t kRemoteStopGraceNs = 2'000'000'000;
// --remote-workers: how often the coordinator looks for each running worker's server session.
constexpr std::int64_t kSessionCheckNs = 200'000'000;
constexpr std::string_view kSessionGone =
    "server session ended without its result: its process or its machine is gone";

struct Worker {
  sys::Child child;      // none with --remote-workers
  bool ended = false;    // --remote-workers: its row says done or failed, or we gave up on it
  bool gone = false;     // --remote-workers: its sessions ended without its result
  bool stopped = false;  // we sent it a signal or asked it to stop
  bool announced = false;
  bool pause_seen = false;  // --pause: we saw it stopped and said so
  bool resumed = false;     // --pause: we sent it SIGCONT
};

std::string describe(const sys::ExitStatus& s) {
  if (s.exited && s.code == kWorkerDisconnected)
    return fmt::format("lost its connection to the server mid-run (exit code {})", s.code);
  if (s.exited) return fmt::format("exited with code {}", s.code);
  return fmt::format("was killed by signal {} ({})", s.signal, ::strsignal(s.signal));
}

std::string activity_text(std::uint32_t activity, std::string_view lock_name) {
  const char step = static_cast<char>(activity & 0xff);
  switch (step) {
    case 'L':
      return fmt::format("waiting for {}", lock_name);
    case 'R':
      return "reading";
    case 'W':
      return "writing";
    case 'U':
      return fmt::format("releasing {}", lock_name);
    case 'A':
      return "in an atomic read-modify-write";
    case 'C':
      return "in a compare-and-swap";
    case 'V':
      return "verifying";
    default:
      return "between steps";
  }
}

class Coordinator {
 public:
  Coordinator(CoordinatorOptions& o, const Log& log) : o_(o), p_(o.params), log_(log) {}

  RunRecord run();

 private:
  void spawn_all(ControlBlock& control);
  bool wait_ready(ControlBlock& control);
  void watch(ControlBlock& control);
  void reap(ControlBlock& control);
  void stop_auditor();
  void stop_all(ControlBlock& control);
  void stop_remote(ControlBlock& control);
  bool any_running() const;
  // A worker's process runs: our child, or (--remote-workers) a worker whose row has not ended.
  bool running(std::uint32_t i) const;
  // Its PID: our child's, or the one it published (on its own machine).
  int pid_of(std::uint32_t i) const;
  void print_remote_commands();
  void reap_remote(ControlBlock& control);
  // --remote-workers, every kSessionCheckNs: a worker whose sessions are gone from the server
  // before its row says it ended has died (or its machine has): the run ends at once.
  void check_sessions(ControlBlock& control);
  // relay_->workers_gone(), or none (said in the log) when the server could not be asked.
  std::vector<std::uint32_t> workers_gone();
  void collect(ControlBlock& control, Region* region);
  void handle_signal(int sig, ControlBlock& control);
  bool drive_schedule(ControlBlock& control);
  // --pause: resumes the paused worker once its time is up; true while a pause is pending (the
  // watchdog does not count a worker whose stop is known as hung).
  bool resume_paused(ControlBlock& control);
  // Per-account locks: a cycle in the lock table, seen twice with its workers idle, ends the run.
  bool deadlocked(ControlBlock& control);

  CoordinatorOptions& o_;
  RunParams& p_;
  const Log& log_;
  sys::SignalFd signals_;
  std::vector<Worker> workers_;
  std::optional<sys::Child> auditor_;             // bank --auditor: not a worker, never in workers_
  std::vector<std::string> stuck_in_;             // what the watchdog saw each live worker doing
  std::unique_ptr<Scheduler> scheduler_;          // scheduled runs only
  const hosts::SimulatedHosts* hosts_ = nullptr;  // --hosts only
  const bool remote_ = o_.remote_workers;
  ControlBlock* control_ = nullptr;
  CoordinatorRelay* relay_ = nullptr;  // --hosts, --remote-workers
  bool schedule_done_ = false;
  RunRecord record_;
  std::vector<WaitLink> suspect_;  // a cycle seen once, and when, and its workers' heartbeats
  std::int64_t suspect_ns_ = 0;
  std::vector<std::int64_t> suspect_beats_;
  std::int64_t stop_ns_ = 0;  // when the coordinator first told the workers to stop
  std::int64_t sessions_checked_ns_ = 0;
  bool sessions_unknown_ = false;  // said once that the server could not be asked
};

// A worker stopped inside an L step (a deadlock, a lock its dead holder never released) left no
// event for it: its wait, from its request to the stop, is added to its trace, never granted.
void add_pending_wait(const WorkerSlot& s, std::int64_t stop_ns, WorkerRecord& r) {
  const std::uint32_t activity = s.activity.load(std::memory_order_relaxed);
  if (static_cast<char>(activity & 0xff) != 'L' || stop_ns == 0) return;
  TraceEvent e;
  e.t_begin_ns = s.heartbeat_ns.load(std::memory_order_relaxed);  // stamped as the L step began
  e.t_end_ns = std::max(stop_ns, e.t_begin_ns);
  e.op = static_cast<std::uint32_t>(s.ops.load(std::memory_order_relaxed));
  e.step = 'L';
  e.flags = TraceEvent::kFailed | TraceEvent::kNeverGranted;
  e.cell = static_cast<std::uint16_t>(s.gate_lock.load(std::memory_order_relaxed));
  r.trace.push_back(e);
}

bool Coordinator::running(std::uint32_t i) const {
  return remote_ ? !workers_[i].ended : workers_[i].child.running();
}

int Coordinator::pid_of(std::uint32_t i) const {
  return remote_ ? control_->slot(i).pid.load(std::memory_order_relaxed) : workers_[i].child.pid();
}

bool Coordinator::any_running() const {
  for (std::uint32_t i = 0; i < workers_.size(); ++i)
    if (running(i)) return true;
  return false;
}

// --remote-workers: the command for each worker, to run on any machine that reaches the server;
// the DSN without its password, which a person gives there through libpq's own means.
void Coordinator::print_remote_commands() {
  const std::string_view path = p_.region_path;
  const std::string dsn = pg::dsn_without_password(path.substr(path.find(' ') + 1));
  log_.info(
      "Spawning no workers (--remote-workers): start each one, on this or another machine that "
      "reaches the server, with the server's password in PGPASSWORD or ~/.pgpass:");
  for (std::uint32_t i = 0; i < p_.workers; ++i) {
    log_.info("  worker {}: shmlab worker --dsn {} --run {} --index {}", i + 1,
              sys::shell_quote(dsn), p_.run_id, i);
    workers_.push_back(Worker{});
  }
  log_.info("Waiting up to {} s for them (their rows in {}.control_workers)",
            StartWatch(o_.timeout_s).bound_s(), pg::run_schema_name(p_.run_id));
}

// --remote-workers: a worker's end is its row's state (done, or failed with its error), relayed
// into its slot, instead of an exit status.
void Coordinator::reap_remote(ControlBlock& control) {
  for (std::uint32_t i = 0; i < workers_.size(); ++i) {
    Worker& w = workers_[i];
    if (w.ended) continue;
    const WorkerSlot& s = control.slot(i);
    const WorkerState state = s.state.load(std::memory_order_acquire);
    if (!has_ended(state)) continue;
    w.ended = true;
    w.announced = true;
    if (w.stopped) continue;
    if (state == WorkerState::kFailed) {
      log_.error("Worker {} (PID {} on its machine) failed: {}", i + 1, pid_of(i),
                 std::string(s.error, strnlen(s.error, sizeof(s.error))));
      if (record_.end == RunEnd::kCompleted) record_.end = RunEnd::kWorkerFault;
      if (!control.header().start.is_open()) stop_all(control);
    } else {
      log_.info("Worker {} (PID {} on its machine) finished (its row says done)", i + 1, pid_of(i));
    }
  }
}

void Coordinator::check_sessions(ControlBlock& control) {
  const std::int64_t now = sys::monotonic_ns();
  if (!remote_ || relay_ == nullptr || stop_ns_ != 0 ||
      now - sessions_checked_ns_ < kSessionCheckNs)
    return;
  sessions_checked_ns_ = now;
  const std::vector<std::uint32_t> gone = workers_gone();
  if (gone.empty()) return;
  reap_remote(control);  // what the rows read again said: a clean end is not a death
  bool any = false;
  for (const std::uint32_t i : gone) {
    Worker& w = workers_[i];
    if (w.ended) continue;
    w.ended = w.announced = w.gone = true;
    any = true;
    log_.error("Worker {}'s {} (PID {} on its machine)", i + 1, kSessionGone, pid_of(i));
  }
  if (!any) return;
  if (record_.end == RunEnd::kCompleted) record_.end = RunEnd::kWorkerFault;
  stop_all(control);
}

std::vector<std::uint32_t> Coordinator::workers_gone() {
  try {
    return relay_->workers_gone();
  } catch (const std::exception& e) {
    // The relay's connection failed: the relay says so, and the watchdog sees no progress.
    if (!sessions_unknown_)
      log_.warning("Could not look for the workers' server sessions: {}", e.what());
    sessions_unknown_ = true;
    return {};
  }
}

void Coordinator::spawn_all(ControlBlock& control) {
  if (remote_) return print_remote_commands();
  log_.info("Spawning {} worker processes...", p_.workers);
  workers_.reserve(p_.workers);
  // --hosts: a worker gets the server and the run's name, never the control block's; the
  // password only in its environment (argv is world-readable in /proc). region_path is
  // "schema=NAME DSN".
  const std::string_view path = p_.region_path;
  const std::string_view dsn =
      hosts_ != nullptr ? path.substr(path.find(' ') + 1) : std::string_view();
  std::vector<std::string> env;
  if (const auto password = pg::password_of(dsn)) env.push_back("PGPASSWORD=" + *password);
  for (std::uint32_t i = 0; i < p_.workers; ++i) {
    std::vector<std::string> argv = {o_.self_exe,    "worker",  "--control",
                                     control.name(), "--index", std::to_string(i)};
    if (hosts_ != nullptr) {
      const hosts::Host& h = hosts_->host_of_worker(i);
      argv = {o_.self_exe, "worker",
              "--dsn",     pg::dsn_without_password(dsn),
              "--run",     p_.run_id,
              "--index",   std::to_string(i),
              "--host",    std::to_string(i % hosts_->hosts().size() + 1),
              "--netns",   h.netns,
              "--server",  h.server_address};
      if (o_.partition.worker == i + 1) {
        argv.insert(argv.end(), {"--partition", format_pause_spec(o_.partition)});
        if (o_.partition_server) argv.insert(argv.end(), {"--partition-link", h.link});
      }
    }
    workers_.push_back(Worker{sys::Child::spawn(argv, -1, env)});
  }
  for (std::uint32_t i = 0; i < p_.workers; ++i) {
    log_.info("Spawned worker {} (PID {})", i + 1, workers_[i].child.pid());
  }
  if (p_.scenario_params.auditor) {
    auditor_ = sys::Child::spawn({o_.self_exe, "worker", "--control", control.name(), "--index",
                                  std::to_string(p_.workers)});
    log_.info("Spawned the auditor (PID {})", auditor_->pid());
  }
}

void Coordinator::handle_signal(int sig, ControlBlock& control) {
  if (sig == SIGCHLD) return;  // reap() looks at every child
  record_.end = RunEnd::kInterrupted;
  record_.signal = sig;
  // SIGPIPE: whoever read our output has gone (`| head -1`); stop as quietly as a pipe expects.
  if (sig != SIGPIPE)
    log_.warning("Interrupted by {}: stopping workers and cleaning up", ::sigabbrev_np(sig));
  stop_all(control);
}

bool Coordinator::wait_ready(ControlBlock& control) {
  ControlHeader& h = control.header();
  StartWatch watch(o_.timeout_s);
  // The auditor counts itself in too: it reads from the first operation on, not from whenever its
  // process happened to start (a short run could end before that).
  const std::uint32_t expected = p_.workers + (auditor_ ? 1 : 0);
  while (h.start.arrived() < expected) {
    // Workers attach within a millisecond or two; a short poll keeps the start prompt.
    if (auto sig = signals_.wait(1)) {
      handle_signal(*sig, control);
      if (record_.end == RunEnd::kInterrupted) return false;
    }
    reap(control);
    if (record_.end != RunEnd::kCompleted) return false;  // a worker died before the start
    // The auditor waits at the barrier until it opens: one that ended has died, and would
    // otherwise hold the start until the start watch gives up.
    if (auditor_ && auditor_->try_wait()) {
      log_.error("The auditor (PID {}) {} before the start", auditor_->pid(),
                 describe(*auditor_->status()));
      record_.end = RunEnd::kWorkerFault;
      stop_all(control);
      return false;
    }
    if (watch.stalled(h.start)) {
      record_.end = RunEnd::kTimeout;
      record_.watchdog_report = fmt::format(
          "workers did not reach the start barrier: none arrived for {} s", watch.bound_s());
      if (remote_) {
        std::string missing;
        for (std::uint32_t i = 0; i < p_.workers; ++i) {
          if (control.slot(i).state.load(std::memory_order_relaxed) == WorkerState::kSpawned)
            missing += fmt::format("{}{}", missing.empty() ? "" : ", ", i + 1);
        }
        record_.watchdog_report = fmt::format(
            "--remote-workers: {} of {} workers arrived in {} s (missing: worker {}); was each "
            "started with the command printed above, against a server it reaches?",
            h.start.arrived(), p_.workers, watch.bound_s(), missing);
        log_.error("{}", record_.watchdog_report);
      }
      stop_all(control);
      return false;
    }
  }
  record_.go_ns = sys::monotonic_ns();
  h.start.open();
  return true;
}

void Coordinator::reap(ControlBlock& control) {
  if (remote_) {
    reap_remote(control);
    check_sessions(control);  // and, every kSessionCheckNs, those whose sessions are gone
    return;
  }
  for (std::uint32_t i = 0; i < workers_.size(); ++i) {
    Worker& w = workers_[i];
    if (w.announced || !w.child.try_wait()) continue;
    w.announced = true;
    const sys::ExitStatus& s = *w.child.status();
    const bool bad = !(s.exited && (s.code == kWorkerOk || s.code == kWorkerAborted));
    if (bad && !w.stopped) {
      log_.error("Worker {} (PID {}) {}", i + 1, w.child.pid(), describe(s));
      if (record_.end == RunEnd::kCompleted) record_.end = RunEnd::kWorkerFault;
      // A worker that could not even start its work leaves the others waiting at the barrier.
      if (!control.header().start.is_open()) stop_all(control);
    } else if (!w.stopped) {
      log_.info("Worker {} (PID {}) {}", i + 1, w.child.pid(), describe(s));
    }
  }
}

void Coordinator::stop_all(ControlBlock& control) {
  if (stop_ns_ == 0) stop_ns_ = sys::monotonic_ns();
  ControlHeader& h = control.header();
  h.abort.store(1, std::memory_order_release);
  h.start.open();  // release any worker still at the barrier
  release_gates(control);
  if (remote_) return stop_remote(control);
  for (Worker& w : workers_) {
    if (w.child.running()) w.stopped = true;
    // A stopped worker (--pause) sees `abort` only once it runs again.
    if (p_.pause.worker != 0 && !w.resumed) w.child.kill(SIGCONT);
  }
  const std::int64_t deadline = sys::monotonic_ns() + kStopGraceNs;
  while (any_running() && sys::monotonic_ns() < deadline) {
    signals_.wait(5);
    for (Worker& w : workers_) w.child.try_wait();
  }
  for (Worker& w : workers_) {
    if (w.child.running()) {
      w.child.kill(SIGKILL);
      w.child.wait();
    }
    w.announced = true;
  }
  stop_auditor();
}

// --remote-workers: the abort reaches them through the relay; a worker that has not said it ended
// within the grace is stuck or gone: its server sessions are ended (no signal reaches it).
void Coordinator::stop_remote(ControlBlock& control) {
  for (std::uint32_t i = 0; i < workers_.size(); ++i) {
    Worker& w = workers_[i];
    if (w.ended) continue;
    w.stopped = true;
    if (pid_of(i) != 0) continue;
    // Its row never arrived (no PID): there is no process nor session to wait for or end.
    w.ended = w.announced = true;
    log_.info("Worker {} never started: nothing to stop", i + 1);
  }
  const std::int64_t deadline = sys::monotonic_ns() + kRemoteStopGraceNs;
  std::int64_t checked = sys::monotonic_ns();
  while (any_running() && sys::monotonic_ns() < deadline) {
    signals_.wait(5);
    reap_remote(control);
    // A worker that stopped (abort) exits without a final state: its closed sessions say it.
    if (relay_ == nullptr || sys::monotonic_ns() - checked < kSessionCheckNs) continue;
    checked = sys::monotonic_ns();
    for (const std::uint32_t i : workers_gone()) {
      if (workers_[i].ended) continue;
      workers_[i].ended = workers_[i].announced = true;
      log_.info("Worker {} (PID {} on its machine) stopped: its server sessions closed", i + 1,
                pid_of(i));
    }
  }
  for (std::uint32_t i = 0; i < workers_.size(); ++i) {
    Worker& w = workers_[i];
    if (w.ended) continue;
    w.ended = true;
    w.announced = true;
    const int pid = pid_of(i);
    const int ended = relay_ != nullptr ? relay_->terminate_worker(i) : -1;
    if (ended > 0) {
      log_.warning(
          "Worker {} (PID {} on its machine) did not end: ended its server session "
          "(pg_terminate_backend)",
          i + 1, pid);
    } else {
      log_.warning(
          "Worker {} (PID {} on its machine) did not end, and has no session on the server", i + 1,
          pid);
    }
  }
}

void Coordinator::stop_auditor() {
  if (!auditor_ || !auditor_->running()) return;
  // It leaves on its own once every worker has ended (or `abort`); a little grace, then SIGKILL.
  const std::int64_t deadline = sys::monotonic_ns() + kStopGraceNs;
  while (auditor_->running() && !auditor_->try_wait() && sys::monotonic_ns() < deadline)
    signals_.wait(5);
  if (auditor_->running()) {
    auditor_->kill(SIGKILL);
    auditor_->wait();
  }
}

void Coordinator::watch(ControlBlock& control) {
  const auto timeout_ns = static_cast<std::int64_t>(o_.timeout_s * 1e9);
  std::int64_t last_progress = sys::monotonic_ns();
  std::uint64_t last_mark = 0;
  while (any_running()) {
    const bool driving = scheduler_ != nullptr && !schedule_done_;
    // A pending --pause is resumed within a few ms of its time.
    const bool pause_pending = p_.pause.worker != 0 && !workers_[p_.pause.worker - 1].resumed;
    if (auto sig = signals_.wait(driving         ? 0
                                 : pause_pending ? 2
                                                 : static_cast<int>(std::min<std::int64_t>(
                                                       100, timeout_ns / 1'000'000 + 1)))) {
      handle_signal(*sig, control);
      if (record_.end == RunEnd::kInterrupted) return;
    }
    reap(control);
    if (!any_running()) return;
    const bool pausing = resume_paused(control);
    if (driving && !drive_schedule(control)) return;
    if (deadlocked(control)) return;
    // Progress: any step boundary crossed or operation finished by anyone.
    std::uint64_t mark = 0;
    std::uint64_t ops = 0;
    for (const WorkerSlot& s : control.slots()) {
      ops += s.ops.load(std::memory_order_relaxed);
      mark += s.ops.load(std::memory_order_relaxed) +
              static_cast<std::uint64_t>(s.heartbeat_ns.load(std::memory_order_relaxed));
    }
    if (o_.progress) o_.progress(ops);
    const std::int64_t now = sys::monotonic_ns();
    if (mark != last_mark || pausing) {
      last_mark = mark;
      last_progress = now;
    } else if (now - last_progress > timeout_ns) {
      record_.end = RunEnd::kTimeout;
      std::string report = fmt::format("no progress for {} s", o_.timeout_s);
      const std::string lock_name(strategy_name(p_.strategy));
      // The lock's last holder, if it is dead: why everyone else waits (a spin lock or a
      // semaphore is not released by the kernel when its holder dies).
      const std::int32_t holder = control.header().holder.load(std::memory_order_relaxed);
      if (holder > 0 && static_cast<std::uint32_t>(holder) <= workers_.size() &&
          !running(holder - 1)) {
        report += fmt::format("; worker {} (pid {}) died holding the {}", holder,
                              pid_of(holder - 1), lock_name);
      }
      stuck_in_.assign(workers_.size(), {});
      for (std::uint32_t i = 0; i < workers_.size(); ++i) {
        if (!running(i)) continue;
        const std::uint32_t activity = control.slot(i).activity.load(std::memory_order_relaxed);
        stuck_in_[i] = activity_text(activity, "the " + lock_name);
        // Elsewhere, its row is all we see: its heartbeat stopped (stuck, stopped, dead or cut
        // off), last seen doing this.
        report += remote_ ? fmt::format(
                                "; worker {} (pid {} on its machine) sent no heartbeat for {} s, "
                                "last {}",
                                i + 1, pid_of(i), o_.timeout_s, stuck_in_[i])
                          : fmt::format("; worker {} (pid {}) {}", i + 1, pid_of(i), stuck_in_[i]);
      }
      record_.watchdog_report = report;
      log_.error("Watchdog: {}", report);
      stop_all(control);
      return;
    }
  }
}

std::string deadlock_text(const RunParams& p, const std::vector<WaitLink>& cycle) {
  std::string out = "Deadlock: ";
  for (std::size_t k = 0; k < cycle.size(); ++k) {
    const WaitLink& l = cycle[k];
    out += fmt::format("{}worker {} holds {}{} and waits for {}", k == 0 ? "" : "; ", l.worker,
                       k == 0 ? "account " : "", cell_name(p, l.holds), cell_name(p, l.waits_for));
  }
  return out;
}

bool Coordinator::deadlocked(ControlBlock& control) {
  if (p_.strategy != Strategy::kAccountLocks && p_.strategy != Strategy::kOrderedLocks)
    return false;
  constexpr std::int64_t kConfirmNs = 50'000'000;
  std::vector<WaitLink> cycle = find_wait_cycle(control);
  const std::int64_t now = sys::monotonic_ns();
  std::vector<std::int64_t> beats;
  for (const WaitLink& l : cycle)
    beats.push_back(control.slot(l.worker - 1).heartbeat_ns.load(std::memory_order_relaxed));
  if (cycle.empty() || cycle != suspect_ || beats != suspect_beats_) {
    suspect_ = std::move(cycle);
    suspect_beats_ = std::move(beats);
    suspect_ns_ = now;
    return false;
  }
  if (now - suspect_ns_ < kConfirmNs) return false;
  record_.end = RunEnd::kDeadlock;
  record_.deadlock = suspect_;
  record_.watchdog_report = deadlock_text(p_, suspect_);
  log_.error("{}", record_.watchdog_report);
  stop_all(control);
  return true;
}

bool Coordinator::resume_paused(ControlBlock& control) {
  const PauseSpec& pause = p_.pause;
  if (pause.worker == 0) return false;
  Worker& w = workers_[pause.worker - 1];
  WorkerSlot& slot = control.slot(pause.worker - 1);
  const std::int64_t paused = slot.paused_ns.load(std::memory_order_acquire);
  if (w.resumed || !w.child.running()) return false;
  if (paused == 0) return false;
  // It said it stops; resume it only once it is stopped, or our SIGCONT could come first.
  if (!w.child.stopped()) return true;
  if (!w.pause_seen) {
    w.pause_seen = true;
    log_.warning("Worker {} stopped itself at {} (--pause, SIGSTOP); resuming it in {} ms",
                 pause.worker, crash_point_name(pause.point), pause.ms);
  }
  const std::int64_t now = sys::monotonic_ns();
  if (now - paused < std::int64_t{pause.ms} * 1'000'000) return true;
  w.child.kill(SIGCONT);
  w.resumed = true;
  slot.resumed_ns.store(now, std::memory_order_relaxed);
  log_.info("Resumed worker {} (SIGCONT) after {:.1f} ms stopped at {}", pause.worker,
            static_cast<double>(now - paused) / 1e6, crash_point_name(pause.point));
  return false;
}

bool Coordinator::drive_schedule(ControlBlock& control) {
  const auto alive = [this](std::uint32_t i) { return running(i); };
  switch (scheduler_->advance(kScheduleSliceNs, alive)) {
    case Scheduler::Progress::kWaiting:
      return true;
    case Scheduler::Progress::kDone:
      schedule_done_ = true;
      return true;
    case Scheduler::Progress::kError:
      break;
  }
  record_.schedule_error = scheduler_->error();
  stop_all(control);
  return false;
}

void Coordinator::collect(ControlBlock& control, Region* region) {
  record_.writes_logged = control.logs_writes();
  if (scheduler_) {
    record_.schedule = scheduler_->schedule();
    record_.schedule_taken = scheduler_->taken();
    record_.schedule_blocked = scheduler_->blocked_steps();
    record_.schedule_skipped = scheduler_->skipped();
  }
  for (std::uint32_t i = 0; i < workers_.size(); ++i) {
    const WorkerSlot& s = control.slot(i);
    const Worker& w = workers_[i];
    WorkerRecord r;
    r.number = i + 1;
    r.pid = pid_of(i);
    r.status = w.child.status().value_or(sys::ExitStatus{});
    if (remote_ && !w.stopped && !w.gone) {
      // Its row's final state, as the exit status it would have had.
      const bool done = s.state.load(std::memory_order_acquire) == WorkerState::kDone;
      r.status = sys::ExitStatus{true, done ? kWorkerOk : kWorkerFailed, 0};
    }
    r.ops = s.ops.load(std::memory_order_acquire);
    r.completed = s.completed.load(std::memory_order_relaxed);
    r.declined = s.declined.load(std::memory_order_relaxed);
    r.overdrafts = s.overdrafts.load(std::memory_order_relaxed);
    r.retries = s.retries.load(std::memory_order_relaxed);
    r.lock_wait_ns = s.lock_wait_ns.load(std::memory_order_relaxed);
    r.verify_changed = s.verify_changed.load(std::memory_order_relaxed);
    r.verify_overwritten = s.verify_overwritten.load(std::memory_order_relaxed);
    r.torn_reads = s.torn_reads.load(std::memory_order_relaxed);
    r.recoveries = s.recoveries.load(std::memory_order_relaxed);
    r.paused_ns = s.paused_ns.load(std::memory_order_relaxed);
    r.resumed_ns = s.resumed_ns.load(std::memory_order_relaxed);
    r.leases_expired = s.leases_expired.load(std::memory_order_relaxed);
    r.fenced_out = s.fenced_out.load(std::memory_order_relaxed);
    r.start_ns = s.start_ns;
    r.end_ns = s.end_ns;
    r.error = std::string(s.error, strnlen(s.error, sizeof(s.error)));
    if (w.gone) r.error = kSessionGone;  // its status stays unknown: it ends as crashed
    if (i < stuck_in_.size()) r.stuck_in = stuck_in_[i];
    if (r.status.exited && r.status.code == kWorkerOk) {
      r.end = WorkerEnd::kOk;
    } else if (r.status.exited && r.status.code == kWorkerDisconnected) {
      r.end = WorkerEnd::kDisconnected;
    } else if (r.status.exited && r.status.code != kWorkerAborted) {
      r.end = WorkerEnd::kFailed;
    } else if (w.stopped) {
      r.end = record_.end == RunEnd::kTimeout || record_.end == RunEnd::kDeadlock
                  ? WorkerEnd::kTimeout
                  : WorkerEnd::kKilled;
    } else {
      r.end = WorkerEnd::kCrashed;
    }
    const auto log = control.write_log(i);
    r.writes.assign(log.begin(), log.end());
    const TraceRing ring = control.trace(i);
    r.trace = ring.snapshot();
    r.trace_dropped = ring.dropped();
    if (p_.scenario != Scenario::kCounter && r.end != WorkerEnd::kOk && ring.enabled())
      add_pending_wait(s, stop_ns_, r);
    record_.workers.push_back(std::move(r));
  }
  if (region != nullptr) {
    record_.final_record = region->read();
    record_.final_total = region->total();
    record_.final_cells = region->read_all(region_cells(p_));
  }
  if (p_.scenario_params.auditor) {
    record_.audits = control.auditor_slot().audits.load(std::memory_order_relaxed);
    record_.audits_inconsistent =
        control.auditor_slot().audits_inconsistent.load(std::memory_order_relaxed);
  }
}

RunRecord Coordinator::run() {
  const std::int64_t t0 = sys::monotonic_ns();
  record_.hosts = o_.hosts;
  record_.remote_workers = remote_;
  record_.partition = o_.partition;
  record_.partition_server = o_.partition_server;
  if (const std::string_view path = p_.region_path;
      p_.backend == Backend::kPostgres && path.starts_with(kDsnPrefix))
    record_.dsn = std::string(path.substr(kDsnPrefix.size()));
  // Destroyed last: the server (in `store`) stops before the links it listens on go.
  std::optional<hosts::SimulatedHosts> hosts;
  PgTcpAccess tcp;
  if (o_.hosts != 0) {
    hosts.emplace(hosts::SimulatedHosts::create(p_.run_id, o_.hosts));
    hosts_ = &*hosts;
    for (std::size_t k = 0; k < hosts->hosts().size(); ++k) {
      const hosts::Host& h = hosts->hosts()[k];
      log_.info("Host {}: network namespace {}, link {} {} <-> eth0 {} ({})", k + 1, h.netns,
                h.link, h.server_address, h.worker_address, h.subnet);
      tcp.addresses.push_back(h.server_address);
      tcp.clients.push_back(h.subnet);
    }
  }
  // The run's files live in a directory only we can enter: nobody can plant, swap or read them.
  sys::PrivateDir files = sys::PrivateDir::create(fmt::format("{}/{}", o_.temp_dir, p_.run_id));
  std::unique_ptr<RegionStore> store = create_region(p_, files.path(), hosts ? &tcp : nullptr);
  ControlBlock control = ControlBlock::create(p_);
  LockObjects lock_objects = LockObjects::create(p_);  // e.g. the named semaphore
  if (o_.schedule) scheduler_ = std::make_unique<Scheduler>(control, *o_.schedule, o_.step_chooser);
  if (scheduler_ && p_.backend == Backend::kPostgres) {
    scheduler_->set_server_wait(
        [s = store.get()](std::uint32_t i) { return s->waits_for_lock(i); });
  }
  record_.params = p_;
  record_.control_name = control.name();
  control_ = &control;
  if (const std::string note = store->note(); !note.empty()) log_.info("{}", note);
  // On postgres the "shared memory" is the run's tables on a server, perhaps another machine's.
  if (p_.backend == Backend::kPostgres) {
    log_.info("Created the run's tables (postgres backend): {}",
              pg::redact_password(p_.region_path));
  } else {
    log_.info("Created shared memory ({} backend): {}", backend_name(p_.backend), p_.region_path);
  }
  if (p_.scenario == Scenario::kCounter) {
    log_.info("Initialized counter to {}", p_.scenario_params.initial);
  } else {
    std::string cells;
    for (const CellSpec& c : scenario_of(p_.scenario).cells(p_))
      cells += fmt::format("{}{} = {}", cells.empty() ? "" : ", ", c.name, c.initial);
    log_.info("Initialized {}", cells);
  }
  std::unique_ptr<Region> region = attach_region(p_);
  // --hosts: the workers' control data through the run's schema (destroyed before `store`).
  std::optional<CoordinatorRelay> relay;
  if (hosts || remote_) {
    const std::string_view path = p_.region_path;
    const std::size_t space = path.find(' ');
    relay.emplace(std::string(path.substr(space + 1)), pg::run_schema_name(p_.run_id), control);
    relay_ = &*relay;
    log_.info(
        "Control data of the {} workers: through the database (tables control_* of "
        "schema {})",
        remote_ ? "remote" : "hosts'", pg::run_schema_name(p_.run_id));
  }
  try {
    spawn_all(control);
    if (wait_ready(control)) {
      log_.info("Waiting for workers to complete...");
      watch(control);
    }
  } catch (...) {
    stop_all(control);
    throw;
  }
  stop_auditor();
  if (relay) {
    relay->finish();  // every worker has ended: all it published is there
    if (const std::string e = relay->error(); !e.empty())
      log_.error("The control data's relay failed: {}", e);
  }
  collect(control, region.get());
  relay_ = nullptr;
  relay.reset();
  region.reset();
  if (o_.keep) {
    control.keep();
    store->keep();
    lock_objects.keep();
    files.keep();  // `run` names the kept run once, last ("Kept the run's objects (--keep): …")
  }
  store.reset();
  record_.elapsed_ns = sys::monotonic_ns() - t0;
  return std::move(record_);
}

}  // namespace

std::string make_run_id() {
  std::random_device rd;
  return fmt::format("shmlab-{}-{:08x}", ::getpid(), rd());
}

RunRecord coordinate(CoordinatorOptions options, const Log& log) {
  std::string id = make_run_id();
  std::memcpy(options.params.run_id, id.c_str(),
              std::min(id.size(), sizeof(options.params.run_id) - 1));
  options.params.scheduled = options.schedule.has_value();
  Coordinator c(options, log);
  return c.run();
}

}  // namespace shmlab
