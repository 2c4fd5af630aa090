#include "shmlab/schedule/step_model.hpp"

#include <algorithm>

#include "shmlab/scenario/registry.hpp"

namespace shmlab {
namespace {

RunParams counter_params(Strategy strategy, std::uint32_t workers, std::uint64_t increments) {
  RunParams p;
  p.strategy = strategy;
  p.workers = workers;
  p.increments = increments;
  return p;
}

// The model's store: its state's cells and lock holders. No write ids: values alone (a model CAS
// compares values; no scenario's value comes back to one it had under `cas`).
class ModelStore final : public Store {
 public:
  ModelStore(StepModel::State& s, std::uint32_t worker) : s_(s), me_(worker + 1) {}
  CellValue read(std::uint32_t cell) override { return {s_.cells[cell], 0}; }
  std::optional<std::uint64_t> write(std::uint32_t cell, std::int64_t value, const CellValue&,
                                     std::uint32_t) override {
    s_.cells[cell] = value;
    return 0;
  }
  std::optional<std::uint64_t> compare_exchange(std::uint32_t cell, const CellValue& read,
                                                std::int64_t value, std::uint32_t) override {
    if (s_.cells[cell] != read.value) return std::nullopt;
    s_.cells[cell] = value;
    return 0;
  }
  std::optional<std::int64_t> fetch_add(std::uint32_t cell, std::int64_t delta,
                                        std::optional<std::int64_t> floor) override {
    const std::int64_t old = s_.cells[cell];
    if (floor && old + delta < *floor) return std::nullopt;
    s_.cells[cell] = old + delta;
    return old;
  }
  LockTake lock(std::uint32_t l) override {
    s_.holders[l] = me_;
    return LockTake::kAcquired;
  }
  bool unlock(std::uint32_t l) override {
    s_.holders[l] = 0;
    return true;
  }

 private:
  StepModel::State& s_;
  std::uint32_t me_;
};

}  // namespace

StepModel::StepModel(const RunParams& params)
    : params_(params), scenario_(scenario_of(params.scenario)) {
  for (std::uint32_t w = 0; w < params_.workers; ++w)
    ops_.push_back(std::make_unique<Operation>(scenario_, params_, w));
}

StepModel::StepModel(Strategy strategy, std::uint32_t workers, std::uint64_t increments)
    : StepModel(counter_params(strategy, workers, increments)) {}

StepModel::State StepModel::initial() const {
  State s;
  for (const CellSpec& c : scenario_.cells(params_)) s.cells.push_back(c.initial);
  s.workers.resize(params_.workers);
  for (std::uint32_t w = 0; w < params_.workers; ++w) s.workers[w].op = ops_[w]->begin();
  s.holders.assign(std::max<std::size_t>(s.cells.size(), 1), 0);
  return s;
}

std::int64_t StepModel::expected() const { return scenario_.expected_measure(params_); }

bool StepModel::finished(const State& s, std::uint32_t worker) const {
  return s.workers[worker].ops >= params_.increments;
}

bool StepModel::done(const State& s) const {
  for (std::uint32_t w = 0; w < params_.workers; ++w) {
    if (!finished(s, w)) return false;
  }
  return true;
}

Step StepModel::next_step(const State& s, std::uint32_t worker) const {
  return ops_[worker]->next_step(s.workers[worker].op).step;
}

StepPlan StepModel::next_plan(const State& s, std::uint32_t worker) const {
  return ops_[worker]->next_step(s.workers[worker].op);
}

bool StepModel::can_move(const State& s, std::uint32_t worker) const {
  if (finished(s, worker)) return false;
  const StepPlan plan = ops_[worker]->next_step(s.workers[worker].op);
  if (plan.step != Step::kLock) return true;
  const std::uint32_t holder = s.holders[plan.lock];
  return holder == 0 || holder == worker + 1;
}

bool StepModel::deadlocked(const State& s) const {
  if (done(s)) return false;
  for (std::uint32_t w = 0; w < params_.workers; ++w) {
    if (can_move(s, w)) return false;
  }
  return true;
}

ScheduleToken StepModel::move(State& s, std::uint32_t worker) const {
  Worker& w = s.workers[worker];
  ModelStore store(s, worker);
  const StepEvent e = ops_[worker]->take_step(w.op, store, w.ops);
  if (w.op.result != OpResult::kPending) {
    if (w.op.result == OpResult::kDone) ++w.completed;
    ++w.ops;
    w.op = ops_[worker]->begin();
  }
  return {worker + 1, e.step};
}

bool StepModel::apply(State& s, const ScheduleToken& token) const {
  const std::uint32_t w = token.worker - 1;
  if (w >= params_.workers) return false;
  if (token.step == Step::kVerify) return true;  // V changes nothing
  if (!can_move(s, w) || (token.step && *token.step != next_step(s, w))) return false;
  move(s, w);
  return true;
}

void StepModel::run_tail(State& s, std::vector<ScheduleToken>* out) const {
  for (std::uint32_t w = 0; w < params_.workers;) {
    if (!can_move(s, w)) {
      ++w;
      continue;
    }
    const ScheduleToken t = move(s, w);
    if (out != nullptr) out->push_back(t);
    w = 0;  // after an unlock, a lower-numbered worker may move again
  }
}

std::int64_t StepModel::final_value(const State& s) const {
  std::uint64_t completed = 0;
  for (const Worker& w : s.workers) completed += w.completed;
  return scenario_.measure(params_, s.cells, completed);
}

std::string StepModel::key(const State& s) const {
  std::string k;
  const auto put = [&k](std::uint64_t v) {
    do {  // varint: small states make small keys
      k += static_cast<char>((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
      v >>= 7;
    } while (v != 0);
  };
  for (std::int64_t c : s.cells) put(static_cast<std::uint64_t>(c));
  for (const Worker& w : s.workers) {
    put(w.ops);
    put(w.completed);
    put(w.op.pc);
    for (const CellValue& r : w.op.read) put(static_cast<std::uint64_t>(r.value));
  }
  for (std::uint32_t h : s.holders) put(h);
  return k;
}

}  // namespace shmlab
