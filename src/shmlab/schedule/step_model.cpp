#include "shmlab/schedule/step_model.hpp"

#include <algorithm>
#include <cassert>

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

// The server's store (StepModel::server_transactions()): one row, MVCC as PostgreSQL keeps it.
// can_move has already held back a statement that would wait for the row's lock.
class ServerStore final : public Store {
 public:
  ServerStore(StepModel::State& s, std::uint32_t worker, Isolation isolation, bool for_update)
      : s_(s),
        me_(worker + 1),
        t_(s.workers[worker].txn),
        aborts_(s.workers[worker].aborts),
        snapshots_(isolation != Isolation::kReadCommitted),
        for_update_(for_update) {}

  CellValue read(std::uint32_t) override {
    if (t_.aborted) return {};  // skipped: the server refuses every statement until ROLLBACK
    if (for_update_) s_.row_holder = me_;  // SELECT … FOR UPDATE
    if (t_.wrote) return {t_.own, 0};
    if (!snapshots_) return {s_.cells[0], 0};  // read committed: what is committed now
    if (!t_.snapshot) t_.snapshot = true, t_.seen = s_.cells[0];
    return {t_.seen, 0};
  }
  std::optional<std::uint64_t> write(std::uint32_t, std::int64_t value, const CellValue&,
                                     std::uint32_t) override {
    if (t_.aborted) return 0;
    if (t_.stale) {  // 40001: could not serialize access due to concurrent update
      t_.aborted = true;
      ++aborts_;
      return 0;
    }
    s_.row_holder = me_;
    t_.wrote = true;
    t_.own = value;
    return 0;
  }
  std::optional<std::uint64_t> compare_exchange(std::uint32_t, const CellValue&, std::int64_t,
                                                std::uint32_t) override {
    assert(false && "no C step in a transaction");
    return std::nullopt;
  }
  std::optional<std::int64_t> fetch_add(std::uint32_t, std::int64_t,
                                        std::optional<std::int64_t>) override {
    assert(false && "no A step in a transaction");
    return std::nullopt;
  }
  LockTake lock(std::uint32_t) override {  // BEGIN
    t_ = StepModel::Transaction{};
    t_.open = true;
    return LockTake::kAcquired;
  }
  bool unlock(std::uint32_t) override {  // COMMIT; of an aborted transaction, ROLLBACK
    const bool commit = !t_.aborted;
    if (commit && t_.wrote) {
      s_.cells[0] = t_.own;
      for (StepModel::Worker& w : s_.workers) {
        if (&w.txn != &t_ && w.txn.open && w.txn.snapshot) w.txn.stale = true;
      }
    }
    if (s_.row_holder == me_) s_.row_holder = 0;
    t_ = StepModel::Transaction{};
    return commit;
  }

 private:
  StepModel::State& s_;
  std::uint32_t me_;
  StepModel::Transaction& t_;
  std::uint64_t& aborts_;
  bool snapshots_;
  bool for_update_;
};

}  // namespace

StepModel::StepModel(const RunParams& params)
    : params_(params), scenario_(scenario_of(params.scenario)) {
  for (std::uint32_t w = 0; w < params_.workers; ++w)
    ops_.push_back(std::make_unique<Operation>(scenario_, params_, w));
  // More rows could make transactions wait for each other in a cycle, which the server breaks
  // (40P01) by a timer the model does not know: those keep the model's locks.
  server_ =
      params_.backend == Backend::kPostgres &&
      (params_.strategy == Strategy::kTransaction || params_.strategy == Strategy::kForUpdate) &&
      scenario_.cells(params_).size() == 1;
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

bool StepModel::waits_for_row(const State& s, std::uint32_t worker) const {
  const Worker& w = s.workers[worker];
  const Step next = ops_[worker]->next_step(w.op).step;
  const bool locks_row =
      next == Step::kWrite || (next == Step::kRead && params_.strategy == Strategy::kForUpdate);
  return locks_row && !w.txn.aborted && s.row_holder != 0 && s.row_holder != worker + 1;
}

bool StepModel::can_move(const State& s, std::uint32_t worker) const {
  if (finished(s, worker)) return false;
  if (server_) return !waits_for_row(s, worker);
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
  ModelStore model_store(s, worker);
  // for-update runs at read committed (region/pg_region.cpp): its lock is the point.
  const bool for_update = params_.strategy == Strategy::kForUpdate;
  ServerStore server_store(s, worker, for_update ? Isolation::kReadCommitted : params_.isolation,
                           for_update);
  Store& store = server_ ? static_cast<Store&>(server_store) : model_store;
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
  if (server_) {
    put(s.row_holder);
    for (const Worker& w : s.workers) {
      const Transaction& t = w.txn;
      put(std::uint64_t{t.open} | std::uint64_t{t.snapshot} << 1 | std::uint64_t{t.stale} << 2 |
          std::uint64_t{t.aborted} << 3 | std::uint64_t{t.wrote} << 4);
      put(static_cast<std::uint64_t>(t.seen));
      put(static_cast<std::uint64_t>(t.own));
    }
  }
  return k;
}

std::uint64_t StepModel::aborts(const State& s) const {
  std::uint64_t n = 0;
  for (const Worker& w : s.workers) n += w.aborts;
  return n;
}

}  // namespace shmlab
