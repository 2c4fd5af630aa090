#include "shmlab/scenario/counter.hpp"

#include <stdexcept>

#include "shmlab/sys/clock.hpp"

namespace shmlab {

CounterOp::CounterOp(const RunParams& params, std::uint32_t worker_index, Region& region,
                     Lock* lock, std::span<WriteEntry> log)
    : params_(params),
      index_(worker_index),
      region_(region),
      lock_(lock),
      log_(log),
      family_(strategy_info(params.strategy).family) {}

CounterRecord CounterOp::next(const CounterRecord& read, std::uint64_t op) const {
  return {read.counter + 1, index_ + 1, sys::realtime_ms(),
          write_id(index_, op, params_.increments)};
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

CounterRecord CounterOp::read_write(std::uint64_t op, StepContext& ctx, OpOutcome& out) {
  ctx.enter(Step::kRead, op);
  out.read = region_.read();
  ctx.leave({.step = Step::kRead,
             .op = op,
             .before = out.read.counter,
             .after = out.read.counter,
             .id = out.read.write_id});
  ctx.window();
  out.written = next(out.read, op);
  log_write(op, out.read, out.written);
  ctx.enter(Step::kWrite, op);
  region_.write(out.written);
  finish_log(op);
  ctx.leave({.step = Step::kWrite,
             .op = op,
             .before = out.read.counter,
             .after = out.written.counter,
             .id = out.written.write_id,
             .based_on = out.read.write_id});
  return out.written;
}

OpOutcome CounterOp::run(std::uint64_t op, StepContext& ctx) {
  OpOutcome out;
  switch (family_) {
    case Family::kPlain:
      read_write(op, ctx, out);
      return out;
    case Family::kLocked: {
      ctx.enter(Step::kLock, op);
      const std::int64_t t0 = sys::monotonic_ns();
      const LockResult r = lock_->lock();
      out.lock_wait_ns = sys::monotonic_ns() - t0;
      out.recovered = r == LockResult::kRecovered;
      ctx.leave({.step = Step::kLock, .op = op, .recovered = out.recovered});
      read_write(op, ctx, out);
      ctx.enter(Step::kUnlock, op);
      lock_->unlock();
      ctx.leave({Step::kUnlock, op, out.written.counter, out.written.counter});
      return out;
    }
    default:
      break;
  }
  throw std::logic_error("counter: strategy family not implemented yet");
}

VerifyOutcome CounterOp::verify(std::uint64_t op, const CounterRecord& written, StepContext& ctx) {
  ctx.enter(Step::kVerify, op);
  last_verified_ = region_.read();
  const CounterRecord& now = last_verified_;
  // Another write at or below my value could only have been built on a read older than my write.
  const VerifyOutcome verdict = now.write_id == written.write_id ? VerifyOutcome::kUnchanged
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
