// What `shmlab inspect` shows of a kept run: the control block's header and parameters, the
// region's values, each worker's slot, the lock holder and each worker's trace ring (its counts
// and newest events) — as JSON, and as text built from the same JSON so the two never disagree.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "shmlab/control/control_snapshot.hpp"

namespace shmlab {

// Events per worker: the JSON carries the newest kInspectJsonEvents of a ring, the text the newest
// kInspectTextEvents (a run's whole trace is what `run --trace FILE` writes).
inline constexpr std::size_t kInspectJsonEvents = 100;
inline constexpr std::size_t kInspectTextEvents = 5;

// Reads the region named in the control block too; throws std::system_error when it is missing,
// not a shmlab region, or not where the run's id says it must be.
nlohmann::json region_report(const ControlSnapshot& control);
std::string region_report_text(const nlohmann::json& report);
// "worker N's trace ring is corrupt: why" for each ring the report does not believe.
std::vector<std::string> trace_problems(const nlohmann::json& report);

}  // namespace shmlab
