#include <algorithm>

#include "shmlab/scenario/scenario.hpp"

namespace shmlab {

// The step sequence of one attempt, by family (SPEC §3 letters, V apart):
//   plain, sharded   R…  W…          (reads, then the decided writes; none when declined)
//   locked           L…  R…  W…  U…  (locks in taking order, released in reverse)
//   transaction      L   R…  W…  U   (BEGIN IMMEDIATE … COMMIT)
//   atomic           R…  A…          (reads the decision needs, then indivisible adds)
//   cas              R   C           (a failed C goes back to R)
//   lease            L   R   W   U   (locked; under --fencing a refused W goes back to L)
Operation::Operation(const ScenarioDef& scenario, const RunParams& params, std::uint32_t worker)
    : scenario_(scenario),
      params_(params),
      worker_(worker),
      family_(strategy_info(params.strategy).family),
      shape_(scenario.shape(params, worker)) {}

bool Operation::takes_locks() const {
  return family_ == Family::kLocked || family_ == Family::kTransaction;
}

OpState Operation::begin() const {
  OpState s;
  if (shape_.n_reads == 0) decide(s);
  return s;
}

void Operation::decide(OpState& s) const {
  std::array<std::int64_t, 2> values{};
  for (std::uint8_t i = 0; i < shape_.n_reads; ++i) values[i] = s.read[i].value;
  s.decision = scenario_.decide(params_, worker_, std::span(values.data(), shape_.n_reads),
                                family_ == Family::kAtomic);
  if (s.decision.declined) s.decision.n = 0;
  s.decided = true;
}

std::uint8_t Operation::steps_in(const OpState& s) const {
  const std::uint8_t locks = takes_locks() ? shape_.n_locks : 0;
  const std::uint8_t writes = s.decided ? s.decision.n : 0;
  return static_cast<std::uint8_t>(2 * locks + shape_.n_reads + writes);
}

StepPlan Operation::next_step(const OpState& s) const {
  std::uint8_t pc = s.pc;
  const std::uint8_t locks = takes_locks() ? shape_.n_locks : 0;
  if (pc < locks) return {Step::kLock, 0, shape_.locks[pc], pc};
  pc -= locks;
  if (pc < shape_.n_reads) return {Step::kRead, shape_.reads[pc], 0, pc};
  pc -= shape_.n_reads;
  const std::uint8_t writes = s.decided ? s.decision.n : 0;
  if (pc < writes) {
    const Step w = family_ == Family::kAtomic ? Step::kAtomic
                   : family_ == Family::kCas  ? Step::kCas
                                              : Step::kWrite;
    return {w, s.decision.changes[pc].cell, 0, pc};
  }
  pc -= writes;
  const auto back = static_cast<std::uint8_t>(locks - 1 - pc);  // released in reverse order
  return {Step::kUnlock, 0, shape_.locks[back], back};
}

StepEvent Operation::take_step(OpState& s, Store& store, std::uint64_t op) const {
  const StepPlan plan = next_step(s);
  StepEvent e{
      .step = plan.step,
      .op = op,
      .cell = plan.step == Step::kLock || plan.step == Step::kUnlock ? plan.lock : plan.cell,
      .aborted_by = {}};
  // The read of the cell a change writes (a write is built on it).
  const auto read_of = [&](std::uint32_t cell) {
    for (std::uint8_t i = 0; i < shape_.n_reads; ++i) {
      if (shape_.reads[i] == cell) return s.read[i];
    }
    return CellValue{};
  };
  switch (plan.step) {
    case Step::kLock: {
      const LockTake t = store.lock(plan.lock);
      e.ok = t != LockTake::kBusy;
      e.recovered = t == LockTake::kRecovered;
      if (e.ok) ++s.pc;
      break;
    }
    case Step::kRead: {
      const CellValue v = store.read(plan.cell);
      s.read[plan.index] = v;
      e.before = e.after = v.value;
      e.id = v.id;
      ++s.pc;
      if (plan.index + 1 == shape_.n_reads) decide(s);
      break;
    }
    case Step::kWrite: {
      const Change& c = s.decision.changes[plan.index];
      const CellValue r = read_of(c.cell);
      e.before = r.value;
      e.after = c.value;
      e.based_on = r.id;
      const std::optional<std::uint64_t> id = store.write(c.cell, c.value, r, plan.index);
      if (!id) {  // fenced out: the lease was lost; nothing written, the operation starts again
        e.ok = false;
        s = begin();
        return e;
      }
      e.id = *id;
      ++s.pc;
      break;
    }
    case Step::kCas: {
      const Change& c = s.decision.changes[plan.index];
      const CellValue r = read_of(c.cell);
      const std::optional<std::uint64_t> id =
          store.compare_exchange(c.cell, r, c.value, plan.index);
      e.ok = id.has_value();
      e.before = r.value;
      e.after = e.ok ? c.value : r.value;
      e.based_on = r.id;
      if (e.ok) {
        e.id = *id;
        ++s.pc;
      } else {
        s = begin();  // someone wrote since my read: read again
        return e;
      }
      break;
    }
    case Step::kAtomic: {
      const Change& c = s.decision.changes[plan.index];
      const std::optional<std::int64_t> old = store.fetch_add(c.cell, c.delta, c.floor);
      e.ok = old.has_value();
      e.before = old.value_or(0);
      e.after = old ? *old + c.delta : e.before;
      if (!old) {  // refused (no stock left): the operation is declined
        s.result = OpResult::kDeclined;
        return e;
      }
      ++s.pc;
      break;
    }
    case Step::kUnlock:
      // What the operation leaves behind (the counter's trace shows the value it unlocks with).
      if (s.decision.n != 0) e.before = e.after = s.decision.changes[s.decision.n - 1].value;
      e.ok = store.unlock(plan.lock);
      if (!e.ok) {  // a COMMIT that failed was rolled back: the operation starts again
        s = begin();
        return e;
      }
      ++s.pc;
      break;
    case Step::kVerify:
      break;
  }
  if (s.decided && s.pc == steps_in(s)) {
    s.result = s.decision.declined ? OpResult::kDeclined : OpResult::kDone;
  }
  return e;
}

}  // namespace shmlab
