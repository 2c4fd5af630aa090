#include "shmlab/scenario/counter.hpp"

#include <fmt/format.h>

#include <stdexcept>
#include <system_error>

#include "shmlab/sys/clock.hpp"

namespace shmlab {
namespace {

// A transaction that could not begin or commit this many times in a row (each after the busy
// timeout and the backend's own retries) is an error the result reports, never a skipped increment.
constexpr std::uint32_t kMaxTransactionAttempts = 5;

}  // namespace

CounterOp::CounterOp(const RunParams& params, std::uint32_t worker_index, Region& region,
                     Lock* lock, std::span<WriteEntry> log)
    : params_(params),
      index_(worker_index),
      region_(region),
      lock_(lock),
      family_(strategy_info(params.strategy).family),
      cell_(family_ == Family::kSharded ? worker_index : 0) {
  // Writes name themselves (and are logged) only where attribution applies; the id then fits the
  // record of every backend (see kMaxLoggedWrites).
  if (attributable(params.strategy)) log_ = log;
}

CounterRecord CounterOp::next(const CounterRecord& read, std::uint64_t op) const {
  return {read.counter + 1, index_ + 1, sys::realtime_ms(),
          log_.empty() ? 0 : write_id(index_, op, params_.increments)};
}

void CounterOp::log_write(std::uint64_t op, const CounterRecord& read,
                          const CounterRecord& written) {
  if (log_.empty()) return;
  // Logged before the write: a worker killed right after its write still left its intent.
  log_[op] = WriteEntry{read.write_id, read.counter, written.counter, 0};
}

void CounterOp::finish_log(std::uint64_t op) {
  if (!log_.empty()) log_[op].t_write_ns = sys::monotonic_ns();
}

void CounterOp::read_step(std::uint64_t op, StepContext& ctx, OpOutcome& out) {
  ctx.enter(Step::kRead, op);
  out.read = region_.read_cell(cell_);
  ctx.leave({.step = Step::kRead,
             .op = op,
             .before = out.read.counter,
             .after = out.read.counter,
             .id = out.read.write_id});
  ctx.window();
  out.written = next(out.read, op);
  log_write(op, out.read, out.written);
}

void CounterOp::write_step(std::uint64_t op, StepContext& ctx, OpOutcome& out, bool done) {
  ctx.enter(Step::kWrite, op);
  region_.write_cell(cell_, out.written);
  if (done) finish_log(op);
  ctx.leave({.step = Step::kWrite,
             .op = op,
             .before = out.read.counter,
             .after = out.written.counter,
             .id = out.written.write_id,
             .based_on = out.read.write_id});
}

void CounterOp::run_locked(std::uint64_t op, StepContext& ctx, OpOutcome& out) {
  ctx.enter(Step::kLock, op);
  const std::int64_t t0 = sys::monotonic_ns();
  const LockResult r = lock_->lock();
  out.lock_wait_ns = sys::monotonic_ns() - t0;
  out.recovered = r == LockResult::kRecovered;
  ctx.leave({.step = Step::kLock, .op = op, .recovered = out.recovered});
  try {
    read_step(op, ctx, out);
    write_step(op, ctx, out, true);
    ctx.enter(Step::kUnlock, op);
  } catch (...) {
    lock_->unlock();  // a worker told to stop must not leave the others stuck behind its lock
    throw;
  }
  lock_->unlock();
  ctx.leave({Step::kUnlock, op, out.written.counter, out.written.counter});
}

void CounterOp::run_atomic(std::uint64_t op, StepContext& ctx, OpOutcome& out) {
  ctx.enter(Step::kAtomic, op);
  const std::int64_t now = sys::realtime_ms();
  out.read = region_.fetch_add(index_ + 1, now);
  out.written = {out.read.counter + 1, index_ + 1, now, 0};
  ctx.leave({Step::kAtomic, op, out.read.counter, out.written.counter});
}

void CounterOp::run_cas(std::uint64_t op, StepContext& ctx, OpOutcome& out) {
  for (;;) {
    read_step(op, ctx, out);
    ctx.enter(Step::kCas, op);
    const bool swapped = region_.compare_exchange(out.read, out.written);
    if (swapped) finish_log(op);
    ctx.leave({.step = Step::kCas,
               .op = op,
               .before = out.read.counter,
               .after = swapped ? out.written.counter : out.read.counter,
               .ok = swapped,
               .id = swapped ? out.written.write_id : 0,
               .based_on = out.read.write_id});
    if (swapped) return;
    ++out.retries;  // someone wrote since my read: read again
  }
}

void CounterOp::run_transaction(std::uint64_t op, StepContext& ctx, OpOutcome& out) {
  for (std::uint32_t attempt = 1;; ++attempt) {
    ctx.enter(Step::kLock, op);
    const std::int64_t t0 = sys::monotonic_ns();
    const bool began = region_.begin_immediate();
    out.lock_wait_ns += sys::monotonic_ns() - t0;
    ctx.leave({Step::kLock, op, 0, 0, began});
    bool committed = false;
    if (began) {
      try {
        read_step(op, ctx, out);
        write_step(op, ctx, out, false);
        ctx.enter(Step::kUnlock, op);
        committed = region_.commit();
        // Only a committed write happened: the log entry is completed after COMMIT.
        if (committed) finish_log(op);
        ctx.leave({Step::kUnlock, op, out.written.counter, out.written.counter, committed});
      } catch (...) {
        region_.rollback();
        throw;
      }
      if (!committed) region_.rollback();
    }
    if (committed) return;
    if (attempt == kMaxTransactionAttempts) {
      throw std::system_error(
          EBUSY, std::generic_category(),
          fmt::format("transaction for increment {} of worker {}: database busy, gave up after {} "
                      "attempts",
                      op + 1, index_ + 1, attempt));
    }
    ++out.retries;
  }
}

OpOutcome CounterOp::run(std::uint64_t op, StepContext& ctx) {
  OpOutcome out;
  const std::uint64_t busy_before = region_.busy_retries();
  switch (family_) {
    case Family::kPlain:
    case Family::kSharded:
      read_step(op, ctx, out);
      write_step(op, ctx, out, true);
      break;
    case Family::kLocked:
      run_locked(op, ctx, out);
      break;
    case Family::kAtomic:
      run_atomic(op, ctx, out);
      break;
    case Family::kCas:
      run_cas(op, ctx, out);
      break;
    case Family::kTransaction:
      run_transaction(op, ctx, out);
      break;
  }
  // Statements the backend redid because it was busy (sqlite) count as retries too.
  out.retries += region_.busy_retries() - busy_before;
  return out;
}

VerifyOutcome CounterOp::verify(std::uint64_t op, const CounterRecord& written, StepContext& ctx) {
  ctx.enter(Step::kVerify, op);
  last_verified_ = region_.read_cell(cell_);
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
             .verdict = verdict});
  return verdict;
}

}  // namespace shmlab
