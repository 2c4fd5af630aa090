#include "shmlab/report/summary.hpp"

#include <ctime>

#include "shmlab/region/backend.hpp"
#include "shmlab/report/scenario_output.hpp"
#include "shmlab/run/crash_spec.hpp"
#include "shmlab/sync/strategy.hpp"

namespace shmlab {
namespace {

std::string clock_text(std::int64_t ms) {
  const time_t secs = static_cast<time_t>(ms / 1000);
  tm local{};
  ::localtime_r(&secs, &local);
  return fmt::format("{:02}:{:02}:{:02}.{:03}", local.tm_hour, local.tm_min, local.tm_sec,
                     ms % 1000);
}

std::string grouped_signed(std::int64_t n) {
  return n < 0 ? "-" + grouped(static_cast<std::uint64_t>(-n))
               : grouped(static_cast<std::uint64_t>(n));
}

// Without values (atomic, sharded: the fate comes from the total, no write was logged) a write is
// named by its operation alone.
void print_unfinished(const UnfinishedOp& u, const Log& log) {
  switch (u.fate) {
    case WriteFate::kNotMade:
      log.info("  worker {} stopped in its op {} before writing: that increment never happened",
               u.worker, u.op);
      break;
    case WriteFate::kLanded:
      if (!u.values_known) {
        log.info("  worker {}'s write in its op {} landed before it stopped (counted)", u.worker,
                 u.op);
        break;
      }
      log.info(
          "  worker {} wrote {} → {} in its op {} before it stopped: that write landed (counted)",
          u.worker, u.value_read, u.value_written, u.op);
      break;
    case WriteFate::kRolledBack:
      log.info("  worker {}'s write {} → {} in its op {} was rolled back (never committed)",
               u.worker, u.value_read, u.value_written, u.op);
      break;
    case WriteFate::kUnknown:
      if (!u.values_known) {
        log.warning("  whether worker {}'s write in its op {} landed is unknown (not counted)",
                    u.worker, u.op);
        break;
      }
      log.warning(
          "  worker {} was killed during its write {} → {} (op {}); whether it landed is "
          "unknown (not counted)",
          u.worker, u.value_read, u.value_written, u.op);
      break;
  }
}

// lease: grants lost to expiry and late writes refused, all workers.
void print_lease(const RunResult& r, const Log& log) {
  const std::uint64_t expired = r.leases_expired;
  if (expired != 0) {
    log.warning("  Leases that expired while their holder still worked: {}", grouped(expired));
  }
  if (r.record.params.lease.fencing) {
    log.info("  Late writes refused by the storage (fencing tokens), each operation redone: {}",
             grouped(r.late_writes_rejected));
  } else if (expired != 0) {
    log.warning(
        "  No fencing: a holder whose lease expired still wrote (--fencing makes the storage "
        "refuse such a write)");
  }
}

void print_pause(const RunRecord& rec, const Log& log) {
  const PauseSpec& p = rec.params.pause;
  if (p.worker > rec.workers.size()) return;
  const WorkerRecord& w = rec.workers[p.worker - 1];
  if (w.paused_ns == 0) {
    log.info("  Pause: worker {} never reached {}", p.worker, crash_point_name(p.point));
  } else if (w.resumed_ns == 0) {
    log.warning("  Pause: worker {} stopped at {} and the run ended before it was resumed",
                p.worker, crash_point_name(p.point));
  } else {
    log.info("  Pause: worker {} stopped at {} for {:.1f} ms (--pause {})", p.worker,
             crash_point_name(p.point), static_cast<double>(w.resumed_ns - w.paused_ns) / 1e6,
             format_pause_spec(p));
  }
}

}  // namespace

std::string ambiguity(const LostUpdate& l) {
  if (l.evidence != EraserEvidence::kAmbiguous) return "";
  if (l.lost.worker == l.erased_by.worker) {
    return fmt::format("ambiguous: two writes of worker {} overlapped", l.lost.worker);
  }
  return fmt::format("ambiguous: worker {}'s and worker {}'s writes overlapped", l.lost.worker,
                     l.erased_by.worker);
}

std::string lost_update_sentence(const LostUpdate& l) {
  const WriteRef& e = l.erased_by;
  if (l.evidence == EraserEvidence::kAmbiguous) {
    return fmt::format(
        "worker {}'s {} → {} (its op {}) was erased by worker {}'s write of {} or a later one ({})",
        l.lost.worker, l.lost.value_read, l.lost.value_written, l.lost.op, e.worker,
        e.value_written, ambiguity(l));
  }
  std::string source = std::to_string(e.value_read);
  if (e.based_on != l.lost.based_on) {
    source = e.based_on == 0 ? fmt::format("the initial {}", e.value_read)
             : e.based_on_worker == e.worker
                 ? fmt::format("its own {}", e.value_read)
                 : fmt::format("worker {}'s {}", e.based_on_worker, e.value_read);
  }
  // A write of 7 over 8: the counter went backwards, which no correct run can show.
  const bool backwards = e.value_written < l.lost.value_written;
  return fmt::format(
      "worker {} wrote {} from its read of {}, erasing worker {}'s {} → {} (its op {}){}", e.worker,
      e.value_written, source, l.lost.worker, l.lost.value_read, l.lost.value_written, l.lost.op,
      backwards ? ": the counter went backwards" : "");
}

void print_summary(const RunResult& r, const Log& log, const SummaryOptions& options) {
  const RunRecord& rec = r.record;
  if (r.outcome == Outcome::kInterrupted) {
    log.warning("Run interrupted: the workers were stopped. State when they stopped:");
  } else if (rec.end == RunEnd::kDeadlock) {
    log.error("Run stopped at a deadlock: the workers were killed. State when they stopped:");
  } else if (rec.end == RunEnd::kTimeout) {
    log.error(
        "Run stopped by the watchdog (above): the workers were stopped. State when they "
        "stopped:");
  } else if (rec.end == RunEnd::kWorkerFault) {
    log.warning(
        "Run ended with a failed worker (above); the others finished or were stopped. "
        "Final state:");
  } else {
    log.info("All workers finished. Final state:");
  }
  const bool counter = rec.params.scenario == Scenario::kCounter;
  if (counter) log.info("  Final counter value: {}", grouped_signed(r.final_value));
  if (counter && rec.final_record) {
    if (rec.final_record->last_writer == 0) {
      log.info("  Last writer: none (initial record)");
    } else {
      log.info("  Last writer: worker {}", rec.final_record->last_writer);
    }
    log.info("  Last update: {}", clock_text(rec.final_record->timestamp_ms));
  }
  const std::uint64_t verify = r.verify_changed + r.verify_overwritten;
  if (verify != 0) {
    log.info("  VERIFY saw {} overwritten and {} changed since written",
             count_of(r.verify_overwritten, "write", "writes"), grouped(r.verify_changed));
  }
  std::uint64_t retries = 0;
  std::uint64_t lock_wait_ns = 0;
  for (const WorkerRecord& w : rec.workers) {
    retries += w.retries;
    lock_wait_ns += w.lock_wait_ns;
  }
  if (retries != 0) {
    log.info("  Retries ({}): {}",
             rec.params.strategy == Strategy::kLease
                 ? "operations redone after a refused late write"
                 : "failed compare-and-swap, busy database, aborted transaction",
             grouped(retries));
  }
  if (lock_wait_ns != 0) {
    log.info("  Time spent acquiring the lock, all workers: {:.3f} ms",
             static_cast<double>(lock_wait_ns) / 1e6);
  }
  if (r.torn_reads != 0) log.warning("  Torn reads seen and re-read: {}", r.torn_reads);
  if (r.recoveries != 0 && rec.params.strategy != Strategy::kLease)
    log.warning("  Lock recoveries from dead owners: {}", r.recoveries);
  if (rec.params.strategy == Strategy::kLease) print_lease(r, log);
  if (rec.params.pause.worker != 0) print_pause(rec, log);

  switch (r.outcome) {
    case Outcome::kInterrupted:
      log.warning(
          "Run interrupted: {} of {} increments completed; the counts below cover only what ran "
          "(expected = increments completed before the stop{})",
          grouped(r.completed_ops),
          grouped(std::uint64_t{rec.params.workers} * rec.params.increments),
          r.unfinished.empty() ? "" : ", plus the writes of stopped operations that landed");
      for (const UnfinishedOp& u : r.unfinished) print_unfinished(u, log);
      break;
    case Outcome::kWorkerFault:
      if (rec.end == RunEnd::kDeadlock) {
        log.error("{}", rec.watchdog_report);  // "Deadlock: worker 1 holds …"
      } else if (!rec.watchdog_report.empty()) {
        log.error("Watchdog stopped the run: {}", rec.watchdog_report);
      }
      for (const WorkerRecord& w : rec.workers) {
        if (w.end == WorkerEnd::kCrashed) {
          log.error("Worker {} (PID {}) crashed after completing {}", w.number, w.pid,
                    counter ? count_of(w.ops, "increment", "increments")
                            : count_of(w.ops, "operation", "operations"));
        } else if (w.end == WorkerEnd::kDisconnected) {
          log.error("Worker {} (PID {}) lost its connection to the server after completing {}: {}",
                    w.number, w.pid,
                    counter ? count_of(w.ops, "increment", "increments")
                            : count_of(w.ops, "operation", "operations"),
                    w.error);
        }
        for (const UnfinishedOp& u : r.unfinished) {
          if (u.worker == w.number) print_unfinished(u, log);
        }
      }
      break;
    case Outcome::kEnvironment:
      for (const WorkerRecord& w : rec.workers) {
        if (w.end == WorkerEnd::kFailed) log.error("Worker {} failed: {}", w.number, w.error);
      }
      break;
    case Outcome::kCorrect:
    case Outcome::kLost:
      break;
  }
  if (!counter) {
    print_scenario_summary(r, log, options.max_lost_lines);
    return;
  }
  if (r.lost_updates > 0) {
    log.race("RACE CONDITION DETECTED! Expected {} but got {}", grouped_signed(r.expected),
             grouped_signed(r.final_value));
    log.race("{} due to concurrent access ({} strategy on {})",
             count_of(static_cast<std::uint64_t>(r.lost_updates), "lost update", "lost updates"),
             strategy_name(rec.params.strategy), backend_name(rec.params.backend));
    if (r.verify_overwritten != 0 && r.attributed && !r.attribution.lost.empty()) {
      // VERIFY re-reads once: it names whoever wrote last, not necessarily the eraser.
      log.info("  VERIFY sees only the latest write; the list below is exact");
    }
    std::size_t shown = 0;
    for (const LostUpdate& l : r.attribution.lost) {
      if (shown++ == options.max_lost_lines) break;
      log.race("  {}", lost_update_sentence(l));
    }
    if (r.attribution.lost.size() > options.max_lost_lines) {
      log.race("  … and {} more (--json lists them)",
               grouped(r.attribution.lost.size() - options.max_lost_lines));
    }
    if (!r.attribution_applicable) {
      log.info("  ({} writes carry no write id: the count is exact, the erasing writes unknown)",
               strategy_name(rec.params.strategy));
    } else if (!r.attributed) {
      log.info("  (writes were not logged for attribution: too many for this run)");
    }
  } else if (r.outcome == Outcome::kCorrect) {
    log.success("All {} completed successfully: counter = {}",
                count_of(static_cast<std::uint64_t>(r.expected), "increment", "increments"),
                grouped_signed(r.final_value));
    if (rec.params.strategy == Strategy::kNone) {
      log.info("No race this time — the outcome is non-deterministic, run again or use --schedule");
    }
  } else if (r.lost_updates < 0) {
    log.error("Counter is {} above the increments completed: an invariant broke", -r.lost_updates);
  }
}

}  // namespace shmlab
