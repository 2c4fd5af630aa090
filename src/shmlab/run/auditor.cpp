#include "shmlab/run/auditor.hpp"

#include <numeric>
#include <utility>
#include <vector>

#include "shmlab/region/region.hpp"
#include "shmlab/run/worker.hpp"
#include "shmlab/scenario/registry.hpp"
#include "shmlab/sync/lock.hpp"
#include "shmlab/sync/robust_mutex.hpp"
#include "shmlab/sys/clock.hpp"

namespace shmlab {
namespace {

bool aborted(const ControlBlock& control) {
  return control.header().abort.load(std::memory_order_acquire) != 0;
}

bool workers_running(const ControlBlock& control) {
  for (const WorkerSlot& s : control.slots()) {
    if (!has_ended(s.state.load(std::memory_order_acquire))) return true;
  }
  return false;
}

}  // namespace

int run_auditor(ControlBlock& control) {
  // Counted in at the start barrier once it can read (or on the way out of a failure, so that
  // nobody waits for it): no worker starts before the auditor watches.
  struct CountedIn {
    StartBarrier& start;
    bool done = false;
    void arrive() {
      if (!std::exchange(done, true)) start.arrive();
    }
    ~CountedIn() { arrive(); }
  } counted_in{control.header().start};
  const RunParams& p = control.params();
  WorkerSlot& slot = control.auditor_slot();
  std::unique_ptr<Region> region = attach_region(p);
  std::unique_ptr<Lock> lock = make_lock(p.strategy, control, *region);
  const bool accounts =
      p.strategy == Strategy::kAccountLocks || p.strategy == Strategy::kOrderedLocks;
  const bool transaction = strategy_info(p.strategy).family == Family::kTransaction;
  // postgres: every balance in one statement, i.e. one snapshot of what is committed, as a SQL
  // reader would; separate statements could straddle a transfer's COMMIT (under `transaction`
  // too, at read committed, where each statement takes a new snapshot). Not under for-update,
  // whose reads lock each row (two-phase: a transfer that commits meanwhile touches only rows
  // not read yet), nor advisory, whose lock excludes every transfer.
  const bool one_statement =
      p.backend == Backend::kPostgres && (!transaction || p.strategy == Strategy::kTransaction);
  const std::uint32_t cells = region_cells(p);
  std::int64_t expected = 0;
  for (const CellSpec& c : scenario_of(p.scenario).cells(p)) expected += c.initial;
  slot.state.store(WorkerState::kRunning, std::memory_order_release);
  counted_in.arrive();
  control.header().start.wait();
  std::vector<pthread_mutex_t*> held;
  std::uint64_t snapshots = 0;
  // Until the workers have ended and one snapshot at least was taken (even if they all ended
  // before the auditor could look), unless the run was stopped.
  while (!aborted(control) && (snapshots == 0 || workers_running(control))) {
    // Take the read discipline's locks; per-account ones only if all are free right now.
    bool taken = true;
    if (accounts) {
      for (std::uint32_t a = 0; a < cells && taken; ++a) {
        pthread_mutex_t* m = &control.header().locks[a].mutex;
        const int err = ::pthread_mutex_trylock(m);
        if (err == EOWNERDEAD) ::pthread_mutex_consistent(m);
        taken = err == 0 || err == EOWNERDEAD;
        if (taken) held.push_back(m);
      }
    } else if (transaction) {
      taken = region->begin_immediate();
    } else if (lock) {
      lock->lock();
    }
    if (taken) {
      std::int64_t total = 0;
      if (one_statement) {
        total = region->total();
      } else {
        for (std::uint32_t c = 0; c < cells; ++c) total += region->read_cell(c).counter;
      }
      // A read the server refused (40001 at serializable) saw nothing: no audit.
      if (region->aborted_by().empty()) {
        ++snapshots;
        slot.audits.fetch_add(1, std::memory_order_relaxed);
        if (total != expected) slot.audits_inconsistent.fetch_add(1, std::memory_order_relaxed);
      }
    }
    for (pthread_mutex_t* m : held) ::pthread_mutex_unlock(m);
    held.clear();
    if (transaction && taken && !region->commit()) region->rollback();
    if (!accounts && !transaction && lock) lock->unlock();
    sys::sleep_ns(100'000);  // 0.1 ms: the workers, not the auditor, should own the locks
  }
  slot.state.store(WorkerState::kDone, std::memory_order_release);
  return kWorkerOk;
}

}  // namespace shmlab
