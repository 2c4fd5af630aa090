#include "shmlab/scenario/live_op.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <system_error>
#include <utility>

#include "shmlab/scenario/registry.hpp"
#include "shmlab/sync/lease_lock.hpp"
#include "shmlab/sys/clock.hpp"

namespace shmlab {
namespace {

// A transaction that could not begin or commit this many times in a row (each after the busy
// timeout and the backend's own retries) is an error the result reports, never a skipped operation.
constexpr std::uint32_t kMaxTransactionAttempts = 5;
// PostgreSQL aborts a transaction at once (40001, 40P01), with no wait of its own: under
// contention at serializable many attempts in a row can fail, so the bound is larger there, and
// is also a time: a worker gives up only after kMaxAbortedAttempts and kMaxAbortedNs of trying.
// Measured (2-core VM): 4 bench workers at serializable on one row, retrying at once, starved one
// worker past 100 aborts in a row within its first 50 operations in 5 of 6 benches (and 3 of 3 with
// a random back-off for the starved worker alone), while the others committed; it is the server's
// first-updater-wins with a worker that just committed starting its next transaction first, not a
// hang (the others progress), so it is not an error.
constexpr std::uint32_t kMaxAbortedAttempts = 100;
constexpr std::int64_t kMaxAbortedNs = 10'000'000'000;

}  // namespace

// The real store: the region, the locks, the write log.
class ScenarioOp::Live final : public Store {
 public:
  Live(const RunParams& p, std::uint32_t index, Region& region, Lock* lock,
       std::span<WriteEntry> log, AccountLocks* accounts)
      : p_(p),
        index_(index),
        region_(region),
        lock_(lock),
        accounts_(accounts),
        transaction_(strategy_info(p.strategy).family == Family::kTransaction),
        // postgres: per-account locks are the rows' own (SELECT … FOR UPDATE in one transaction),
        // so the server detects their deadlock; writes count only once committed, as above.
        row_locks_(p.backend == Backend::kPostgres && (p.strategy == Strategy::kAccountLocks ||
                                                       p.strategy == Strategy::kOrderedLocks)),
        // postgres: a bank transfer's two adds form one transaction (see fetch_add).
        grouped_adds_(p.backend == Backend::kPostgres &&
                      strategy_info(p.strategy).family == Family::kAtomic && writes_per_op(p) > 1),
        per_op_(writes_per_op(p)) {
    if (grouped_adds_) {
      const OpShape shape = scenario_of(p.scenario).shape(p, index);
      rows_ = {std::min(shape.reads[0], shape.reads[1]), std::max(shape.reads[0], shape.reads[1])};
    }
    // Writes name themselves (and are logged) only where attribution applies; the id then fits
    // the record of every backend (see kMaxLoggedWrites).
    if (attributable(p.strategy)) log_ = log;
    // Test hook: this worker's stamp after each write is taken only at its next step, as if it was
    // preempted between the write and the stamp while others took steps (attribution tests).
    if (const char* w = std::getenv("SHMLAB_TEST_LATE_STAMP"))
      late_stamp_ = std::strtoul(w, nullptr, 10) == index + 1;
    if (p.strategy == Strategy::kLease && p.lease.fencing) fence_ = dynamic_cast<LeaseLock*>(lock);
  }

  // The token that refused the last fenced-out write.
  std::uint64_t fenced_by() const { return fenced_by_; }
  std::uint64_t token() const { return fence_ != nullptr ? fence_->token() : 0; }

  // A stamp the test hook held back is taken now, at the worker's next step.
  void stamp_held_back() {
    if (held_back_ != kNoSlot) stamp(std::exchange(held_back_, kNoSlot));
  }

  void begin_op(std::uint64_t op) {
    op_ = op;
    adds_ = 0;
  }

  CellValue read(std::uint32_t cell) override {
    const CounterRecord r = region_.read_cell(cell);
    return {r.counter, r.write_id};
  }

  std::optional<std::uint64_t> write(std::uint32_t cell, std::int64_t value, const CellValue& read,
                                     std::uint32_t slot) override {
    const CounterRecord record = next(value);
    log_write(cell, value, read, slot);
    std::optional<std::uint64_t> replaced;
    if (fence_ != nullptr) {
      const FencedWrite f = region_.exchange_cell_fenced(cell, record, fence_->token());
      if (!f.written) {
        if (WriteEntry* e = entry(slot)) *e = WriteEntry{};  // never happened: not an eraser
        fenced_by_ = f.newest_token;
        fence_->forget();
        held_ = 0;  // the grant is another's: nothing to release
        return std::nullopt;
      }
      replaced = f.replaced;
    } else {
      replaced = region_.exchange_cell(cell, record);
    }
    if (WriteEntry* e = entry(slot); e != nullptr && replaced) {
      e->replaced = *replaced;
      e->logged |= WriteEntry::kReplacedExact;
    }
    if (transaction_ || row_locks_) return record.write_id;  // a transaction's: at COMMIT
    if (late_stamp_) {
      held_back_ = slot;
    } else {
      stamp(slot);
    }
    return record.write_id;
  }

  std::optional<std::uint64_t> compare_exchange(std::uint32_t cell, const CellValue& read,
                                                std::int64_t value, std::uint32_t slot) override {
    const CounterRecord record = next(value);
    log_write(cell, value, read, slot);
    const CounterRecord expected{read.value, 0, 0, read.id};
    if (!region_.compare_exchange_cell(cell, expected, record)) return std::nullopt;
    if (WriteEntry* e = entry(slot)) {
      e->replaced = read.id;  // a swap replaces exactly what it compared
      e->logged |= WriteEntry::kReplacedExact;
    }
    stamp(slot);
    return record.write_id;
  }

  std::optional<std::int64_t> fetch_add(std::uint32_t cell, std::int64_t delta,
                                        std::optional<std::int64_t> floor) override {
    const std::int64_t now = sys::realtime_ms();
    // The counter's increment: one fetch_add of the word (what `bench` measures as well).
    if (cell == 0 && delta == 1 && !floor) return region_.fetch_add(index_ + 1, now).counter;
    // postgres, bank: BEGIN and both accounts' rows locked in account order at the first add (two
    // opposite transfers cannot deadlock), COMMIT at the last: no reader ever sees the money in
    // flight, and a worker that dies between the adds leaves its transfer rolled back.
    if (grouped_adds_ && adds_ == 0) {
      region_.begin_immediate();
      for (std::uint32_t row : rows_) region_.read_cell(row);  // SELECT … FOR UPDATE
    }
    const auto old = region_.fetch_add_cell(cell, delta, floor, index_ + 1, now);
    if (grouped_adds_ && ++adds_ == per_op_) {
      adds_ = 0;
      // Read committed, rows locked in order: the server has nothing to abort.
      if (!old || !region_.commit()) {
        throw std::system_error(EIO, std::generic_category(),
                                fmt::format("transfer of worker {}: the server aborted it ({})",
                                            index_ + 1, old ? "at COMMIT" : "at its UPDATE"));
      }
    }
    if (!old) return std::nullopt;
    return old->counter;
  }

  LockTake lock(std::uint32_t l) override {
    if (transaction_) return region_.begin_immediate() ? LockTake::kAcquired : LockTake::kBusy;
    if (row_locks_) {
      if (held_ == 0) region_.begin_immediate();
      region_.read_cell(l);  // FOR UPDATE: waits for the row's holder (or is aborted: 40P01)
      held_ |= std::uint64_t{1} << l;
      return LockTake::kAcquired;
    }
    const LockResult r = accounts_ != nullptr ? accounts_->lock(l) : lock_->lock();
    held_ |= std::uint64_t{1} << l;
    return r == LockResult::kRecovered ? LockTake::kRecovered : LockTake::kAcquired;
  }

  bool unlock(std::uint32_t l) override {
    if (row_locks_) {
      held_ &= ~(std::uint64_t{1} << l);
      if (held_ != 0) return true;  // the rows stay locked until the transaction ends
    }
    if (transaction_ || row_locks_) {
      if (!region_.commit()) {
        region_.rollback();
        return false;
      }
      // Only a committed write happened: the log entries are completed after COMMIT.
      for (std::uint32_t slot = 0; slot < per_op_; ++slot) stamp_if_logged(slot);
      return true;
    }
    release(l);
    return true;
  }

  // A worker told to stop must not leave the others stuck behind its locks.
  void release_all() noexcept {
    if (transaction_ || row_locks_ || grouped_adds_) {
      region_.rollback();
      held_ = 0;
    }
    for (std::uint32_t l = 0; l < 64; ++l) {
      if ((held_ >> l & 1) == 0) continue;
      try {
        release(l);
      } catch (...) {
        // A lease's release on a lost connection: the lease expires on the server by itself.
      }
    }
  }

 private:
  CounterRecord next(std::int64_t value) const {
    return {value, index_ + 1, sys::realtime_ms(),
            log_.empty() ? 0 : write_id(index_, op_, p_.increments)};
  }
  WriteEntry* entry(std::uint32_t slot) {
    if (log_.empty()) return nullptr;
    return &log_[op_ * per_op_ + slot];
  }
  void log_write(std::uint32_t cell, std::int64_t value, const CellValue& read,
                 std::uint32_t slot) {
    // Logged before the write: a worker killed right after its write still left its intent.
    if (WriteEntry* e = entry(slot)) {
      *e = WriteEntry{read.id, read.value, value, 0, cell, WriteEntry::kLogged};
      e->t_before_ns = sys::monotonic_ns();
    }
  }
  void stamp(std::uint32_t slot) {
    if (WriteEntry* e = entry(slot)) e->t_write_ns = sys::monotonic_ns();
  }
  void stamp_if_logged(std::uint32_t slot) {
    if (WriteEntry* e = entry(slot); e != nullptr && e->logged != 0 && e->t_write_ns == 0)
      e->t_write_ns = sys::monotonic_ns();
  }
  // Throws what a lease's release on a server throws (a lost connection).
  void release(std::uint32_t l) {
    held_ &= ~(std::uint64_t{1} << l);
    if (accounts_ != nullptr) {
      accounts_->unlock(l);
    } else {
      lock_->unlock();
    }
  }

  const RunParams& p_;
  std::uint32_t index_;
  Region& region_;
  Lock* lock_;
  AccountLocks* accounts_;
  bool transaction_;
  bool row_locks_;
  bool grouped_adds_;
  std::array<std::uint32_t, 2> rows_{};  // grouped_adds_: the transfer's accounts, in order
  std::uint32_t adds_ = 0;               // grouped_adds_: adds of this operation so far
  std::uint32_t per_op_;
  std::span<WriteEntry> log_;   // empty: writes are not logged (too many, or not attributable)
  LeaseLock* fence_ = nullptr;  // lease --fencing: writes carry its token
  std::uint64_t fenced_by_ = 0;
  std::uint64_t op_ = 0;
  std::uint64_t held_ = 0;  // bit l: lock l is held
  static constexpr std::uint32_t kNoSlot = ~std::uint32_t{0};
  bool late_stamp_ = false;            // SHMLAB_TEST_LATE_STAMP names this worker
  std::uint32_t held_back_ = kNoSlot;  // the slot whose stamp waits for the next step
};

ScenarioOp::ScenarioOp(const RunParams& params, std::uint32_t worker_index, Region& region,
                       Lock* lock, std::span<WriteEntry> log, AccountLocks* accounts)
    : params_(params),
      index_(worker_index),
      region_(region),
      operation_(scenario_of(params.scenario), params, worker_index),
      store_(std::make_unique<Live>(params, worker_index, region, lock, log, accounts)) {}

ScenarioOp::~ScenarioOp() { store_->stamp_held_back(); }

OpOutcome ScenarioOp::run(std::uint64_t op, StepContext& ctx) {
  OpOutcome out;
  const std::uint64_t busy_before = region_.busy_retries();
  store_->begin_op(op);
  OpState s = operation_.begin();
  std::uint32_t failures = 0;  // busy BEGINs and failed COMMITs of a transaction
  const bool server_aborts = params_.backend == Backend::kPostgres;
  const std::uint32_t max_failures = server_aborts ? kMaxAbortedAttempts : kMaxTransactionAttempts;
  const std::int64_t op_start_ns = server_aborts ? sys::monotonic_ns() : 0;
  const std::uint32_t number = index_ + 1;
  const bool row_read =
      params_.backend == Backend::kPostgres && params_.strategy == Strategy::kForUpdate;
  try {
    while (s.result == OpResult::kPending) {
      const StepPlan plan = operation_.next_step(s);
      if (plan.step == Step::kLock || plan.step == Step::kUnlock) ctx.lock_target(plan.lock);
      ctx.enter(plan.step, op);
      store_->stamp_held_back();
      // postgres for-update: L is a BEGIN that waits for nothing; the lock is the row's, taken by
      // the read (SELECT … FOR UPDATE), so that read's time is the wait for it.
      const bool takes_lock = plan.step == Step::kLock || (plan.step == Step::kRead && row_read);
      const std::int64_t t0 = takes_lock ? sys::monotonic_ns() : 0;
      StepEvent e = operation_.take_step(s, *store_, op);
      if (takes_lock) out.lock_wait_ns += sys::monotonic_ns() - t0;
      if (plan.step == Step::kLock) out.recovered = out.recovered || e.recovered;
      // postgres: a statement the server refused (40001, 40P01), or one after it, did nothing;
      // the U rolls the transaction back and the operation starts again.
      e.aborted_by =
          plan.step == Step::kUnlock && !e.ok ? region_.last_abort() : region_.aborted_by();
      if (e.skipped()) {
        e.id = 0;  // nothing written: no write of this id happened here
        ctx.leave(e);
        continue;
      }
      ctx.leave(e);
      switch (plan.step) {
        case Step::kRead:
          out.read = {e.before, 0, 0, e.id};
          if (plan.index + 1 == operation_.shape().n_reads) ctx.window();
          break;
        case Step::kWrite:
          if (!e.ok) {  // fenced out (lease --fencing): the operation starts again
            ++out.fenced_out;
            ++out.retries;
            ctx.fenced_out(e, store_->token(), store_->fenced_by());
            break;
          }
          if (e.after < 0 && e.after < e.before) ++out.overdrafts;
          out.written = {e.after, number, sys::realtime_ms(), e.id};
          break;
        case Step::kCas:
          if (e.ok) out.written = {e.after, number, sys::realtime_ms(), e.id};
          if (!e.ok) ++out.retries;  // someone wrote since my read: read again
          break;
        case Step::kAtomic:
          if (e.ok && e.after < 0 && e.after < e.before) ++out.overdrafts;
          out.read = {e.before, 0, 0, 0};
          out.written = {e.after, number, sys::realtime_ms(), 0};
          break;
        case Step::kLock:
        case Step::kUnlock:
          if (!e.ok) {
            if (++failures >= max_failures &&
                (!server_aborts || sys::monotonic_ns() - op_start_ns >= kMaxAbortedNs)) {
              throw std::system_error(
                  EBUSY, std::generic_category(),
                  fmt::format("transaction for operation {} of worker {}: database busy or "
                              "aborting it, gave up after {} attempts",
                              op + 1, number, failures));
            }
            ++out.retries;
          }
          break;
        case Step::kVerify:
          break;
      }
    }
  } catch (...) {
    store_->release_all();
    throw;
  }
  out.result = s.result;
  // Statements the backend redid because it was busy (sqlite) count as retries too.
  out.retries += region_.busy_retries() - busy_before;
  return out;
}

VerifyOutcome ScenarioOp::verify(std::uint64_t op, const CounterRecord& written, StepContext& ctx) {
  const std::uint32_t cell = operation_.shape().reads[0];
  ctx.enter(Step::kVerify, op);
  store_->stamp_held_back();
  last_verified_ = region_.read_cell(cell);
  const CounterRecord& now = last_verified_;
  // Writes without ids (atomic): the value is all there is to compare. Another write at or below
  // my value could only have been built on a read older than my write.
  const bool same =
      written.write_id != 0 ? now.write_id == written.write_id : now.counter == written.counter;
  const VerifyOutcome verdict = same                             ? VerifyOutcome::kUnchanged
                                : now.counter <= written.counter ? VerifyOutcome::kOverwritten
                                                                 : VerifyOutcome::kChanged;
  ctx.leave({.step = Step::kVerify,
             .op = op,
             .before = written.counter,
             .after = now.counter,
             .id = now.write_id,
             .based_on = written.write_id,
             .verdict = verdict,
             .cell = cell,
             .aborted_by = {}});
  return verdict;
}

}  // namespace shmlab
