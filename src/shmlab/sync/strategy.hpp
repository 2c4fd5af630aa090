// The strategies (SPEC §2): their names, the shape of the steps they give an operation, and which
// backends they fit. What each one costs and does when its holder dies: docs/strategies.md.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shmlab/control/params.hpp"

namespace shmlab {

// The step shape an operation takes under a strategy.
enum class Family {
  kPlain,        // R W: no protection (the seed)
  kLocked,       // L R W U: a lock around the read-modify-write
  kAtomic,       // A: one atomic read-modify-write
  kCas,          // R C: optimistic, a failed C goes back to R
  kSharded,      // R W on the worker's own cell; summed at the end
  kTransaction,  // L R W U as BEGIN IMMEDIATE, SELECT, UPDATE, COMMIT
};

struct StrategyInfo {
  Strategy id;
  std::string_view name;
  Family family;
  std::string_view summary;
};

const StrategyInfo& strategy_info(Strategy strategy);
std::string_view strategy_name(Strategy strategy);
std::optional<Strategy> parse_strategy(std::string_view name);
std::span<const StrategyInfo> all_strategies();

// Whether a write under this strategy names itself in the record (its write id), so that every lost
// update can be attributed to the write that erased it. Not so for `atomic` (one fetch_add cannot
// also store its own id) and `sharded` (each worker's cell has its own lineage).
bool attributable(Strategy strategy);

// Whether the pair can run; e.g. `atomic` on `file` cannot (no atomic read-modify-write of a file).
bool fits(Strategy strategy, Backend backend);
std::vector<Backend> backends_for(Strategy strategy);
// "atomic runs on mmap, shm, sqlite" — for the refusal of an impossible pair.
std::string fitting_backends_message(Strategy strategy);

}  // namespace shmlab
