// The result JSON of `shmlab run --json` (SPEC §4).
#pragma once

#include <nlohmann/json.hpp>

#include "shmlab/analysis/result.hpp"

namespace shmlab {

nlohmann::json result_json(const RunResult& result, int exit_code);

}  // namespace shmlab
