#include "shmlab/run/worker.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>

#include "shmlab/control/control_block.hpp"
#include "shmlab/hosts/host_entry.hpp"
#include "shmlab/hosts/link_cut.hpp"
#include "shmlab/pg/pg_error.hpp"
#include "shmlab/pg/run_schema.hpp"
#include "shmlab/region/backend.hpp"
#include "shmlab/region/pg_region.hpp"
#include "shmlab/region/region.hpp"
#include "shmlab/run/auditor.hpp"
#include "shmlab/run/control_relay.hpp"
#include "shmlab/run/crash_spec.hpp"
#include "shmlab/run/delay.hpp"
#include "shmlab/run/fault_hooks.hpp"
#include "shmlab/run/trace_recorder.hpp"
#include "shmlab/scenario/live_op.hpp"
#include "shmlab/scenario/registry.hpp"
#include "shmlab/schedule/step_gate.hpp"
#include "shmlab/sync/lease_lock.hpp"
#include "shmlab/sync/lock.hpp"
#include "shmlab/sys/clock.hpp"
#include "shmlab/sys/futex.hpp"
#include "shmlab/sys/log.hpp"
#include "shmlab/sys/syscall.hpp"
#include "shmlab/sys/unique_fd.hpp"

namespace shmlab {
namespace {

// Thrown at a step boundary once the coordinator has set `abort`.
struct Aborted {};

// The server's connection was lost mid-run; worker_main exits kWorkerDisconnected.
struct ConnectionLost : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The longest a sleeping worker goes without a heartbeat: well under the smallest --timeout (0.1
// s).
constexpr std::int64_t kHeartbeatNs = 20'000'000;

// A pool worker waiting for its next interleaving re-checks `abort` this often even without a
// wake-up, so that a lost wake cannot keep it.
constexpr std::int64_t kRoundPollNs = 100'000'000;

// "SQLSTATE 40001, serialization failure": why the server aborted a transaction.
std::string abort_words(std::string_view sqlstate) {
  if (sqlstate == pg::kSerializationFailure)
    return fmt::format("SQLSTATE {}, serialization failure", sqlstate);
  if (sqlstate == pg::kDeadlockDetected)
    return fmt::format("SQLSTATE {}, deadlock detected", sqlstate);
  return fmt::format("SQLSTATE {}", sqlstate);
}

class WorkerSteps final : public StepContext {
 public:
  WorkerSteps(ControlBlock& control, std::uint32_t index, const Log& log)
      : control_(control),
        params_(control.params()),
        slot_(control.slot(index)),
        number_(index + 1),
        log_(log),
        scenario_(scenario_of(params_.scenario)),
        delays_(params_.seed, index),
        faults_(control, index),
        gate_(control.header(), slot_),
        trace_(control.trace(index)) {}

  void enter(Step step, std::uint64_t op) override {
    if (control_.header().abort.load(std::memory_order_relaxed) != 0) throw Aborted{};
    if (!gate_.pass(step)) throw Aborted{};
    slot_.heartbeat_ns.store(sys::monotonic_ns(), std::memory_order_relaxed);
    slot_.activity.store(static_cast<std::uint32_t>(step), std::memory_order_relaxed);
    faults_.on_enter(step, op);
    if (step == Step::kLock) lock_asked_ns_ = sys::monotonic_ns();
    trace_.begin();  // last: the step's span starts here
  }

  void leave(const StepEvent& e) override {
    // A lock handed over once the coordinator stopped the run (the robust mutex of a worker it
    // killed, at a deadlock): the wait ended with the stop, not a grant, and nothing follows.
    if (e.step == Step::kLock && control_.header().abort.load(std::memory_order_acquire) != 0)
      throw Aborted{};
    trace_.end(e);  // first: the step's span ends here
    slot_.activity.store(0, std::memory_order_relaxed);
    if (logs(e.op)) {
      // The lock lines are every scenario's; what a read or a write means is the scenario's own.
      if (e.skipped()) {
        log_aborted(e);
      } else if (params_.scenario == Scenario::kCounter || e.step == Step::kLock ||
                 e.step == Step::kUnlock) {
        log_step(e);
      } else {
        bool success = false;
        const std::string line = scenario_.step_line(params_, number_, e, success);
        if (!line.empty()) log_.line(success ? Level::kSuccess : Level::kInfo, line);
      }
    }
    if (e.step == Step::kUnlock && !e.skipped()) abort_logged_ = false;
    faults_.on_leave(e);
  }

  // postgres: a statement the server refused (40001, 40P01), or a later one of the same
  // transaction, which the worker skips: it did nothing, and its U rolls the transaction back.
  void log_aborted(const StepEvent& e) {
    const std::string cell =
        params_.scenario == Scenario::kCounter ? "counter" : cell_name(params_, e.cell);
    std::string what;
    switch (e.step) {
      case Step::kRead:
        what = fmt::format("read of {}", cell);
        break;
      case Step::kWrite:
      case Step::kCas:
        what = fmt::format("write of {} {} → {}", cell, e.before, e.after);
        break;
      case Step::kAtomic:
        what = fmt::format("add to {}", cell);
        break;
      case Step::kLock:
        what = fmt::format("request for {}", lock_words(e));
        break;
      case Step::kUnlock:
        what = fmt::format("release of {}", lock_words(e));
        break;
      case Step::kVerify:
        what = "verify";
        break;
    }
    if (abort_logged_) {
      log_.info("Worker {}'s {} skipped: its transaction is aborted", number_, what);
      return;
    }
    abort_logged_ = true;
    log_.warning(
        "Worker {}'s {} failed: the server aborted its transaction ({}); nothing of it is "
        "committed",
        number_, what, abort_words(e.aborted_by));
  }

  // Step lines only for the first log_ops operations: a long run's log stays readable.
  bool logs(std::uint64_t op) const { return op < params_.log_ops; }

  void lock_target(std::uint32_t lock) override {
    slot_.gate_lock.store(lock, std::memory_order_relaxed);
  }

  FaultHooks& faults() { return faults_; }

  void fenced_out(const StepEvent& e, std::uint64_t token, std::uint64_t newest) override {
    if (!logs(e.op)) return;
    log_.warning(
        "Worker {}'s late write {} → {} was refused: it carries token {}, the storage has granted "
        "token {} since; its lease was lost, starting the operation again",
        number_, e.before, e.after, token, newest);
  }

  // The lease of a `lease` run, for its log lines.
  void set_lease(const LeaseLock* lease) { lease_ = lease; }

  void window() override { sleep(params_.delays.window); }

  // One line per step, saying what each fix does at that moment.
  void log_step(const StepEvent& e) const {
    const bool sharded = params_.strategy == Strategy::kSharded;
    // transaction; on postgres also for-update and advisory (L is BEGIN, U is COMMIT)
    const bool transaction = strategy_info(params_.strategy).family == Family::kTransaction;
    // Sharded workers each own a cell: name it, or two "0 → 1" lines read like a lost update.
    const std::string what =
        sharded ? fmt::format("its own cell {}", number_) : std::string("counter");
    switch (e.step) {
      case Step::kRead:
        log_.info("Worker {} read {}: {}", number_, what, e.before);
        break;
      case Step::kWrite:
        if (!e.ok) break;  // fenced out: fenced_out() says so
        log_.success("Worker {} incremented {}: {} → {}", number_, what, e.before, e.after);
        break;
      case Step::kAtomic:
        log_.success("Worker {} incremented counter atomically (one fetch-add): {} → {}", number_,
                     e.before, e.after);
        break;
      case Step::kCas:
        if (e.ok) {
          log_.success("Worker {} compare-and-swap {} → {} succeeded: nobody wrote since its read",
                       number_, e.before, e.after);
        } else {
          log_.warning(
              "Worker {} compare-and-swap failed: the counter is no longer {} (another worker "
              "wrote since its read); reading again",
              number_, e.before);
        }
        break;
      case Step::kLock: {
        const double waited_ms = static_cast<double>(sys::monotonic_ns() - lock_asked_ns_) / 1e6;
        if (transaction) {
          if (e.ok) {
            log_.info("Worker {} began its transaction ({}, waited {:.3f} ms)", number_,
                      postgres_
                          ? fmt::format("BEGIN ISOLATION LEVEL {}",
                                        isolation_sql(params_.strategy == Strategy::kTransaction
                                                          ? params_.isolation
                                                          : Isolation::kReadCommitted))
                          : std::string("BEGIN IMMEDIATE"),
                      waited_ms);
          } else {
            log_.warning("Worker {} found the database busy: trying again", number_);
          }
        } else if (lease_) {
          if (e.recovered) {
            log_.warning(
                "Worker {} took the lease over from worker {}, whose lease had expired (token {}, "
                "waited {:.3f} ms)",
                number_, lease_->taken_from(), lease_->token(), waited_ms);
          } else {
            log_.info("Worker {} acquired the lease (token {}, waited {:.3f} ms)", number_,
                      lease_->token(), waited_ms);
          }
        } else if (e.recovered) {
          log_.warning(
              "Worker {} took {} over from a worker that died holding it (waited {:.3f} ms)",
              number_, lock_words(e), waited_ms);
        } else {
          log_.info("Worker {} acquired {} (waited {:.3f} ms)", number_, lock_words(e), waited_ms);
        }
        break;
      }
      case Step::kUnlock:
        if (lease_ && lease_->lost()) {
          log_.race(
              "Worker {} found its lease (token {}) expired and taken over: another worker held "
              "it while this one worked",
              number_, lease_->token());
        } else if (!e.ok && !e.aborted_by.empty()) {  // postgres: the server aborted it
          log_.warning(
              "Worker {} rolled back its transaction, which the server aborted ({}): "
              "trying the operation again",
              number_, abort_words(e.aborted_by));
        } else if (!transaction) {
          log_.info("Worker {} released {}", number_, lock_words(e));
        } else if (e.ok) {
          log_.info("Worker {} committed its transaction", number_);
        } else {
          log_.warning("Worker {} could not commit (database busy): rolled back, trying again",
                       number_);
        }
        break;
      case Step::kVerify:
        break;  // run_worker logs the verdict
    }
  }
  // "the lock", or "the lock of account B" under per-account locks.
  std::string lock_words(const StepEvent& e) const {
    if (lease_ != nullptr) return "the lease";
    if (params_.strategy != Strategy::kAccountLocks && params_.strategy != Strategy::kOrderedLocks)
      return "the lock";
    return fmt::format("the lock of account {}", cell_name(params_, e.cell));
  }
  void finish() { gate_.finish(); }
  // A delay is slept in slices with a heartbeat after each: a sleeping worker is alive and the
  // watchdog must see it so (a 2 s delay under --timeout 1 is not a stuck run), and a stop request
  // ends the sleep within a slice.
  void sleep(const DelayRange& range) {
    if (params_.scheduled) return;
    std::int64_t left = delays_.sample_ns(range);
    while (left > 0) {
      const std::int64_t slice = std::min(left, kHeartbeatNs);
      sys::sleep_ns(slice);
      left -= slice;
      slot_.heartbeat_ns.store(sys::monotonic_ns(), std::memory_order_relaxed);
      if (control_.header().abort.load(std::memory_order_relaxed) != 0) throw Aborted{};
    }
  }

 private:
  ControlBlock& control_;
  const RunParams& params_;
  WorkerSlot& slot_;
  bool postgres_ = params_.backend == Backend::kPostgres;
  std::uint32_t number_;
  const Log& log_;
  const ScenarioDef& scenario_;
  DelaySampler delays_;
  FaultHooks faults_;
  StepGate gate_;  // waits for the coordinator's grant under --schedule
  TraceRecorder trace_;
  std::int64_t lock_asked_ns_ = 0;  // when the current L step began waiting
  bool abort_logged_ = false;       // this attempt's aborted statement was logged; reset at U
  const LeaseLock* lease_ = nullptr;
};

void wait_for_go(ControlHeader& h) { h.start.arrive_and_wait(); }

// A pool worker (explore/worker_pool.hpp) between interleavings: sleeps until the coordinator
// bumps `round` past `seen` (it has reset the region and the slots by then) and returns the new
// round; throws Aborted when the pool is being stopped instead.
std::uint32_t wait_for_round(ControlHeader& h, std::uint32_t seen) {
  for (;;) {
    if (h.abort.load(std::memory_order_acquire) != 0) throw Aborted{};
    // Acquire: the coordinator's reset of the region and the slots happened before the bump.
    const std::uint32_t round = h.round.load(std::memory_order_acquire);
    if (round != seen) return round;
    sys::futex_wait(h.round, seen, kRoundPollNs);
  }
}

// VERIFY's verdict, labelled for what it can know (SPEC §1): a later write is not an error.
void log_verify(const Log& log, std::uint32_t number, VerifyOutcome verdict,
                const CounterRecord& written, const CounterRecord& now) {
  switch (verdict) {
    case VerifyOutcome::kUnchanged:
      break;
    case VerifyOutcome::kChanged:
      log.info(
          "Worker {} sees the counter changed since its write: wrote {}, now {} (a later write)",
          number, written.counter, now.counter);
      break;
    case VerifyOutcome::kOverwritten:
      if (now.counter == written.counter) {
        log.race(
            "Worker {} detected race! Its write of {} was replaced by worker {}'s write of the "
            "same "
            "{}: my write was overwritten",
            number, written.counter, now.last_writer, now.counter);
      } else {
        log.race(
            "Worker {} detected race! Wrote {} but now it's {} (worker {}'s write): the counter "
            "went "
            "backwards, my write was overwritten",
            number, written.counter, now.counter, now.last_writer);
      }
      break;
  }
}

// A worker's environment failure: in its slot for the coordinator's report, and on its log.
int report_failure(ControlBlock& control, std::uint32_t index, const std::exception& e) {
  WorkerSlot& slot = control.slot(index);
  std::strncpy(slot.error, e.what(), sizeof(slot.error) - 1);
  slot.state.store(WorkerState::kFailed, std::memory_order_release);
  Log(control.params().log_stderr ? 2 : 1, false, false)
      .error("Worker {}: {}", index + 1, e.what());
  return dynamic_cast<const ConnectionLost*>(&e) != nullptr ? kWorkerDisconnected : kWorkerFailed;
}

// --partition …:server: the namespace the worker starts in, which holds the server's end of its
// link; opened before the worker enters its host. None without it.
sys::UniqueFd open_start_netns(const WorkerHost& host) {
  if (host.partition_link.empty()) return {};
  return sys::UniqueFd(sys::check("open", "/proc/self/ns/net", [] {
    return ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  }));
}

// --hosts: what the worker sees from its host, in one line a test can check.
void log_host_view(const Log& log, std::uint32_t number, const WorkerHost& host,
                   const std::string& run_id, const std::string& schema) {
  const hosts::HostView v = hosts::observe_host("/" + run_id);
  log.info(
      "Worker {} on host {} (network namespace {}): address {} on {}; server {}; /dev/shm "
      "{} ({} entries, control block {}); control: through the database (schema {}, PID {})",
      number, host.number, host.netns, v.address.empty() ? "none" : v.address,
      v.interface.empty() ? "no link" : v.interface, host.server,
      v.control_visible ? "shared" : "private", v.shm_entries,
      v.control_visible ? "visible" : "not visible", schema, ::getpid());
}

// The region's parameters with the server's address as seen from the worker's host.
RunParams params_on_host(const RunParams& params, const WorkerHost& host) {
  RunParams p = params;
  if (host.server.empty()) return p;
  const std::string dsn = dsn_with_host(p.region_path, host.server);
  if (dsn.size() >= sizeof(p.region_path))
    sys::throw_errno("region_path", p.region_path, ENAMETOOLONG);
  std::memset(p.region_path, 0, sizeof(p.region_path));
  std::memcpy(p.region_path, dsn.data(), dsn.size());
  return p;
}

// `before_stop`: see FaultHooks::set_before_stop (empty: nothing). `start_netns`: see
// open_start_netns.
int run_worker(ControlBlock& control, std::uint32_t index, bool pooled, const WorkerHost* host,
               const std::function<void()>& before_stop = {}, sys::UniqueFd start_netns = {}) {
  const RunParams& params = control.params();
  WorkerSlot& slot = control.slot(index);
  const Log log(params.log_stderr ? 2 : 1, params.color, params.quiet, params.ascii);
  const std::uint32_t number = index + 1;
  // --partition: destroyed after the region, once the link is up again.
  std::optional<hosts::LinkCut> cut;

  std::unique_ptr<Region> region =
      attach_region(host != nullptr ? params_on_host(params, *host) : params, index);
  std::unique_ptr<Lock> lock = make_lock(params.strategy, control, *region, index);
  std::optional<AccountLocks> accounts;
  if (params.strategy == Strategy::kAccountLocks || params.strategy == Strategy::kOrderedLocks) {
    accounts.emplace(std::span(control.header().locks), slot.waiting_for,
                     static_cast<std::int32_t>(number));
  }
  ScenarioOp counter(params, index, *region, lock.get(), control.write_log(index),
                     accounts ? &*accounts : nullptr);
  const bool verifies = scenario_of(params.scenario).has_verify();
  WorkerSteps steps(control, index, log);
  if (params.strategy == Strategy::kLease) steps.set_lease(dynamic_cast<LeaseLock*>(lock.get()));
  if (before_stop) steps.faults().set_before_stop(before_stop);
  if (host != nullptr && host->partition.worker != 0) {
    steps.faults().set_partition(host->partition, [&cut, &log, &host, &start_netns, number] {
      const std::chrono::milliseconds ms(host->partition.ms);
      const std::string_view point = crash_point_name(host->partition.point);
      if (!host->partition_link.empty()) {
        // Packets from the server's end to this host's address: the server's answers and acks.
        const std::string address = hosts::interface_address("eth0");
        cut.emplace(host->partition_link, address, ms, std::move(start_netns));
        log.warning(
            "Worker {} cut the server's end of its host's link at {} (--partition …:server): "
            "packets from {} to {} dropped for {} ms (the link stays up)",
            number, point, host->partition_link, address, host->partition.ms);
        return;
      }
      cut.emplace("eth0", host->server, ms);
      log.warning(
          "Worker {} cut its host's link at {} (--partition): packets from eth0 to the server {} "
          "dropped for {} ms (the link stays up)",
          number, point, host->server, host->partition.ms);
    });
  }

  // Every operation of one run (of one interleaving, in a pool); throws Aborted.
  const auto run_ops = [&] {
    for (std::uint64_t op = 0; op < params.increments; ++op) {
      steps.sleep(params.delays.before_read);
      const OpOutcome out = counter.run(op, steps);
      slot.retries.fetch_add(out.retries, std::memory_order_relaxed);
      slot.lock_wait_ns.fetch_add(static_cast<std::uint64_t>(out.lock_wait_ns),
                                  std::memory_order_relaxed);
      // The lock's step line already said so when step lines are on.
      if (out.recovered) slot.recoveries.fetch_add(1, std::memory_order_relaxed);
      if (out.recovered && !steps.logs(op)) {
        log.warning("Worker {} recovered the lock from a worker that died holding it", number);
      }
      if (out.overdrafts != 0) slot.overdrafts.fetch_add(out.overdrafts, std::memory_order_relaxed);
      if (out.fenced_out != 0) slot.fenced_out.fetch_add(out.fenced_out, std::memory_order_relaxed);
      if (out.result == OpResult::kDeclined) {
        slot.declined.fetch_add(1, std::memory_order_relaxed);
      } else {
        slot.completed.fetch_add(1, std::memory_order_relaxed);
      }
      if (!verifies) {
        slot.ops.fetch_add(1, std::memory_order_release);
        continue;
      }
      steps.sleep(params.delays.before_verify);
      const VerifyOutcome verdict = counter.verify(op, out.written, steps);
      if (verdict == VerifyOutcome::kChanged) {
        slot.verify_changed.fetch_add(1, std::memory_order_relaxed);
      } else if (verdict == VerifyOutcome::kOverwritten) {
        slot.verify_overwritten.fetch_add(1, std::memory_order_relaxed);
      }
      if (steps.logs(op)) log_verify(log, number, verdict, out.written, counter.last_verified());
      slot.ops.fetch_add(1, std::memory_order_release);
    }
  };

  slot.state.store(WorkerState::kReady, std::memory_order_release);
  log.info("Worker {} started (PID {})", number, ::getpid());
  if (pooled) {
    // Counted in once; then one interleaving per round, the same objects reused, until `abort`.
    control.header().start.arrive();
    slot.state.store(WorkerState::kRunning, std::memory_order_release);
    try {
      for (std::uint32_t round = 0;;) {
        round = wait_for_round(control.header(), round);
        run_ops();
        steps.finish();  // the coordinator's Scheduler sees this worker done with the round
      }
    } catch (const Aborted&) {
      return kWorkerAborted;
    }
  }
  wait_for_go(control.header());
  slot.state.store(WorkerState::kRunning, std::memory_order_release);
  slot.start_ns = sys::monotonic_ns();
  try {
    run_ops();
  } catch (const Aborted&) {
    slot.end_ns = sys::monotonic_ns();
    slot.torn_reads.store(region->torn_reads(), std::memory_order_relaxed);
    return kWorkerAborted;
  } catch (const pg::PgError& e) {
    if (!e.connection_lost()) throw;
    // Which operation, and what the server may have done with it: the report's "outcome unknown".
    const auto* pg = dynamic_cast<const PgRegion*>(region.get());
    // Said now: the error itself is printed as the worker exits, once its cut is over.
    if (cut) {
      log.warning(
          "Worker {} lost its connection (SQLSTATE {}): it exits once its --partition cut "
          "of the link is over",
          number, e.sqlstate());
    }
    throw ConnectionLost(fmt::format("connection lost, SQLSTATE {}, in operation {} ({}): {}",
                                     e.sqlstate(), slot.ops.load(std::memory_order_relaxed) + 1,
                                     pg != nullptr ? pg->lost_outcome() : "", e.what()));
  }
  slot.end_ns = sys::monotonic_ns();
  slot.torn_reads.store(region->torn_reads(), std::memory_order_relaxed);
  slot.state.store(WorkerState::kDone, std::memory_order_release);
  if (params.scenario == Scenario::kCounter) {
    log.success("Worker {} completed {}", number,
                count_of(params.increments, "increment", "increments"));
  } else {
    log.success("Worker {} completed {}", number,
                count_of(params.increments, "operation", "operations"));
  }
  steps.finish();
  return kWorkerOk;
}

}  // namespace

int worker_main(const std::string& control_name, std::uint32_t worker_index, bool pooled) {
  // A worker never outlives its coordinator: killed with it, even by SIGKILL.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  ControlBlock control = ControlBlock::attach(control_name);
  const Log err_log(2, false, false);
  if (control.header().owner_pid != ::getppid()) {
    err_log.error("worker: {} belongs to PID {}, not to this worker's parent (coordinator gone?)",
                  control_name, control.header().owner_pid);
    return kWorkerFailed;
  }
  const RunParams& params = control.params();
  if (params.scenario_params.auditor && worker_index == params.workers) {
    try {
      return run_auditor(control);
    } catch (const std::exception& e) {
      err_log.error("Auditor: {}", e.what());
      return kWorkerFailed;
    }
  }
  if (worker_index >= control.params().workers) {
    err_log.error("worker: --index {} is outside the run's {} workers", worker_index,
                  control.params().workers);
    return kWorkerFailed;
  }
  WorkerSlot& slot = control.slot(worker_index);
  slot.pid.store(::getpid(), std::memory_order_relaxed);
  try {
    return run_worker(control, worker_index, pooled, nullptr);
  } catch (const std::exception& e) {
    return report_failure(control, worker_index, e);
  }
}

int remote_worker_main(const RemoteWorker& w) {
  // Still the coordinator's child on a simulated host: it goes with it.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  const Log err_log(2, false, false);
  const std::string schema = pg::run_schema_name(w.run_id);
  std::optional<ControlBlock> control;
  std::optional<WorkerRelay> relay;
  sys::UniqueFd start_netns;
  try {
    start_netns = open_start_netns(w.host);
    // First the host: nothing of the coordinator's is mapped or open before (no control block).
    if (!w.host.netns.empty()) hosts::enter_host(w.host.netns);
    const std::string dsn = w.host.server.empty() ? w.dsn : dsn_with_host(w.dsn, w.host.server);
    pg::Connection connection = pg::Connection::connect(dsn);
    const RunParams params = read_control_params(connection, schema);
    if (w.index >= params.workers) {
      err_log.error("worker: --index {} is outside the run's {} workers", w.index, params.workers);
      return kWorkerFailed;
    }
    control.emplace(ControlBlock::create_private(params));
    relay.emplace(std::move(connection), dsn, schema, *control, w.index);
  } catch (const std::exception& e) {
    err_log.error("Worker {}: {}", w.index + 1, e.what());
    return kWorkerFailed;
  }
  control->slot(w.index).pid.store(::getpid(), std::memory_order_relaxed);
  int rc = kWorkerFailed;
  try {
    if (!w.host.netns.empty()) {
      const RunParams& p = control->params();
      log_host_view(Log(p.log_stderr ? 2 : 1, p.color, p.quiet, p.ascii), w.index + 1, w.host,
                    w.run_id, schema);
    }
    rc = run_worker(
        *control, w.index, false, &w.host, [&relay] { relay->flush(); }, std::move(start_netns));
  } catch (const std::exception& e) {
    rc = report_failure(*control, w.index, e);
  }
  relay->finish();  // its last state, the error included, before the coordinator reaps it
  return rc;
}

}  // namespace shmlab
