// The result JSON of `shmlab run --json` (SPEC §4).
#pragma once

#include <nlohmann/json.hpp>

#include "shmlab/analysis/result.hpp"

namespace shmlab {

nlohmann::json result_json(const RunResult& result, int exit_code);

// What a run was asked to do, as the result and `inspect` name it: scenario, backend, strategy,
// workers, increments, seed, delay.
nlohmann::json run_params_json(const RunParams& params);

}  // namespace shmlab
