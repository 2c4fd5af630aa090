// What `shmlab inspect` shows of a kept run: the control block's header and parameters, the
// region's values, each worker's slot, the lock holder and the trace length — as JSON, and as
// text built from the same JSON so the two never disagree.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "shmlab/control/control_block.hpp"

namespace shmlab {

// Reads the region named in the control block too; throws std::system_error when it is missing or
// not a shmlab region.
nlohmann::json region_report(const ControlBlock& control);
std::string region_report_text(const nlohmann::json& report);

}  // namespace shmlab
