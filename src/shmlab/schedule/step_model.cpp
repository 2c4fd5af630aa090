#include "shmlab/schedule/step_model.hpp"

#include <numeric>

#include "shmlab/sync/strategy.hpp"

namespace shmlab {

StepModel::StepModel(Strategy strategy, std::uint32_t workers, std::uint64_t increments)
    : steps_(strategy_steps(strategy)),
      sharded_(strategy_info(strategy).family == Family::kSharded),
      workers_(workers),
      increments_(increments) {
  steps_.remove_suffix(1);  // V: it reads, never writes
}

StepModel::State StepModel::initial() const {
  State s;
  s.cells.assign(sharded_ ? workers_ : 1, 0);
  s.workers.assign(workers_, Worker{});
  return s;
}

bool StepModel::finished(const State& s, std::uint32_t worker) const {
  return s.workers[worker].ops >= increments_;
}

bool StepModel::done(const State& s) const {
  for (std::uint32_t w = 0; w < workers_; ++w) {
    if (!finished(s, w)) return false;
  }
  return true;
}

Step StepModel::next_step(const State& s, std::uint32_t worker) const {
  return static_cast<Step>(steps_[s.workers[worker].phase]);
}

bool StepModel::can_move(const State& s, std::uint32_t worker) const {
  if (finished(s, worker)) return false;
  return !(next_step(s, worker) == Step::kLock && s.holder != 0 && s.holder != worker + 1);
}

ScheduleToken StepModel::move(State& s, std::uint32_t worker) const {
  Worker& w = s.workers[worker];
  std::int64_t& cell = s.cells[sharded_ ? worker : 0];
  const Step step = next_step(s, worker);
  bool op_done = false;
  switch (step) {
    case Step::kLock:
      s.holder = worker + 1;
      break;
    case Step::kUnlock:
      s.holder = 0;
      op_done = true;
      break;
    case Step::kRead:
      w.read = cell;
      break;
    case Step::kWrite:
      cell = w.read + 1;
      op_done = steps_.back() == 'W';  // R W; under a lock U ends the operation
      break;
    case Step::kAtomic:
      ++cell;
      op_done = true;
      break;
    case Step::kCas:
      if (cell == w.read) {
        cell = w.read + 1;
        op_done = true;
      } else {
        w.phase = 0;  // a failed C goes back to R
        return {worker + 1, step};
      }
      break;
    case Step::kVerify:
      break;
  }
  if (op_done) {
    ++w.ops;
    w.phase = 0;
  } else {
    ++w.phase;
  }
  return {worker + 1, step};
}

bool StepModel::apply(State& s, const ScheduleToken& token) const {
  const std::uint32_t w = token.worker - 1;
  if (w >= workers_) return false;
  if (token.step == Step::kVerify) return true;  // V changes nothing
  if (!can_move(s, w) || (token.step && *token.step != next_step(s, w))) return false;
  move(s, w);
  return true;
}

void StepModel::run_tail(State& s, std::vector<ScheduleToken>* out) const {
  for (std::uint32_t w = 0; w < workers_;) {
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
  return std::accumulate(s.cells.begin(), s.cells.end(), std::int64_t{0});
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
    put(w.phase);
    put(static_cast<std::uint64_t>(w.read));
  }
  put(s.holder);
  return k;
}

}  // namespace shmlab
