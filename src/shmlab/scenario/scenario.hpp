// A scenario is one module (STYLE 16): its cells and their initial values, the cells one operation
// reads and the locks it takes, what it decides to write from what it read, its invariant and its
// outcome measure. The steps of an operation are built from that ONCE, by Operation below, and
// run step by step against a Store: the real worker's store is the region (with its lock, write
// log and trace, scenario/live_op.hpp); the model's store is the state `explore` searches
// (run/step_model.hpp). Both call next_step()/take_step() of the same Operation, so the model
// cannot drift from the code. How to add one: docs/scenarios.md.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shmlab/control/params.hpp"
#include "shmlab/scenario/step_context.hpp"
#include "shmlab/sync/strategy.hpp"
#include "shmlab/usage_error.hpp"

namespace shmlab {

[[noreturn]] inline void throw_usage(const std::string& message) { throw UsageError(message); }

// A named cell and its value before the run.
struct CellSpec {
  std::string name;  // "counter", "stock", "A"
  std::int64_t initial = 0;
};

// What a read returns: the value and the id of the write that left it (0: initial, or no ids).
struct CellValue {
  std::int64_t value = 0;
  std::uint64_t id = 0;
};

enum class LockTake { kAcquired, kRecovered, kBusy };

// What an operation's steps do to the shared data.
class Store {
 public:
  virtual ~Store() = default;
  virtual CellValue read(std::uint32_t cell) = 0;
  // W: writes `value` built on `read` (the read of this cell); `slot` is the change's index in the
  // operation (a bank transfer writes two). Returns the write id the record now carries; nullopt
  // when the storage refused it (`lease --fencing`: a newer lease was granted): nothing was
  // written, the operation starts again from its lock.
  virtual std::optional<std::uint64_t> write(std::uint32_t cell, std::int64_t value,
                                             const CellValue& read, std::uint32_t slot) = 0;
  // C: replaces `read` by `value` only if the cell still holds `read`; the new write id, or
  // nullopt when it did not swap.
  virtual std::optional<std::uint64_t> compare_exchange(std::uint32_t cell, const CellValue& read,
                                                        std::int64_t value, std::uint32_t slot) = 0;
  // A: adds `delta` indivisibly unless the result would fall below `floor`; the value before, or
  // nullopt when refused.
  virtual std::optional<std::int64_t> fetch_add(std::uint32_t cell, std::int64_t delta,
                                                std::optional<std::int64_t> floor) = 0;
  // L, U of lock `lock` (0: the strategy's one lock; an account's index under per-account locks).
  // kBusy: not taken (a transaction's BEGIN stayed busy); unlock false: a COMMIT failed, rolled
  // back: the operation starts again.
  virtual LockTake lock(std::uint32_t lock) = 0;
  virtual bool unlock(std::uint32_t lock) = 0;
};

// The cells one operation reads (in order) and the locks it takes (in taking order), fixed for a
// worker under a strategy.
struct OpShape {
  std::array<std::uint32_t, 2> reads{};
  std::uint8_t n_reads = 0;
  std::array<std::uint32_t, 2> locks{};
  std::uint8_t n_locks = 0;
};

// A change an operation decided on from its reads.
struct Change {
  std::uint32_t cell = 0;
  std::int64_t value = 0;             // W, C: the new value
  std::int64_t delta = 0;             // A: what it adds
  std::optional<std::int64_t> floor;  // A: refused when the result would fall below
};

struct Decision {
  bool declined = false;  // nothing to write: no stock, not enough money
  std::array<Change, 2> changes{};
  std::uint8_t n = 0;
};

class ScenarioDef {
 public:
  virtual ~ScenarioDef() = default;
  virtual Scenario id() const = 0;
  virtual std::string_view name() const = 0;
  virtual std::vector<CellSpec> cells(const RunParams& p) const = 0;
  // Why `strategy` cannot express this scenario; empty when it can.
  virtual std::string refusal(Strategy strategy) const = 0;
  // Checks the scenario's own parameters; throws UsageError.
  virtual void check(const RunParams&) const {}
  virtual OpShape shape(const RunParams& p, std::uint32_t worker) const = 0;
  // From the values read (reads[i] of shape().reads[i]); `atomic`: the changes are indivisible
  // adds.
  virtual Decision decide(const RunParams& p, std::uint32_t worker,
                          std::span<const std::int64_t> reads, bool atomic) const = 0;
  // Whether each operation ends with VERIFY (the counter, as the seed).
  virtual bool has_verify() const { return false; }
  // The outcome measure (explore's histogram key), from the final cells and the operations that
  // took effect; and its value when nothing went wrong in a run where `completed` took effect.
  virtual std::int64_t measure(const RunParams& p, std::span<const std::int64_t> cells,
                               std::uint64_t completed) const = 0;
  virtual std::string_view measure_name() const = 0;
  // The measure of a correct run of every operation (explore's `expected`).
  virtual std::int64_t expected_measure(const RunParams& p) const = 0;
  // The log line of a step of worker `number` (empty: none), and whether it is a success line.
  virtual std::string step_line(const RunParams& p, std::uint32_t number, const StepEvent& e,
                                bool& success) const = 0;
};

enum class OpResult : std::uint8_t { kPending, kDone, kDeclined };

// One operation in progress: small and copyable, part of the model's state.
struct OpState {
  std::uint8_t pc = 0;  // steps taken in the current attempt
  bool decided = false;
  OpResult result = OpResult::kPending;
  std::array<CellValue, 2> read{};
  Decision decision;
};

// Where an operation stands: the next step, on which cell or lock.
struct StepPlan {
  Step step = Step::kRead;
  std::uint32_t cell = 0;  // R W A C
  std::uint32_t lock = 0;  // L U
  std::uint8_t index = 0;  // which read, change or lock of the operation
};

// The steps of one worker's operations under a strategy, the same for the worker and the model.
class Operation {
 public:
  Operation(const ScenarioDef& scenario, const RunParams& params, std::uint32_t worker);

  OpState begin() const;
  StepPlan next_step(const OpState& s) const;
  // Takes the next step against `store`; the event carries what it saw and did (ids from the
  // store). s.result leaves kPending when the operation is over.
  StepEvent take_step(OpState& s, Store& store, std::uint64_t op) const;
  const OpShape& shape() const { return shape_; }
  bool takes_locks() const;

 private:
  std::uint8_t steps_in(const OpState& s) const;
  void decide(OpState& s) const;

  const ScenarioDef& scenario_;
  const RunParams& params_;
  std::uint32_t worker_;
  Family family_;
  OpShape shape_;
};

}  // namespace shmlab
