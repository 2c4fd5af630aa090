// The result JSON of `shmlab run --json` (SPEC §4).
#pragma once

#include <cstddef>
#include <limits>
#include <nlohmann/json.hpp>
#include <ostream>

#include "shmlab/analysis/result.hpp"

namespace shmlab {

struct JsonOptions {
  // `lost` holds the first max_lost lost updates; `lost_total` counts them all and
  // `lost_truncated` says when the list stops short. kAllLost: every one (--lost all).
  std::size_t max_lost = 100;
  std::string run_name;  // the kept run's name for `shmlab inspect` (--keep); empty: cleaned up
};
inline constexpr std::size_t kAllLost = std::numeric_limits<std::size_t>::max();

// The result as one JSON value, `lost` cut at options.max_lost: its size stays bounded for any -n.
nlohmann::json result_json(const RunResult& result, int exit_code, const JsonOptions& options = {});

// Writes result_json (indented, then a newline) to out, streaming `lost` one entry a line so that
// even kAllLost never holds the whole list as JSON in memory.
void write_result_json(std::ostream& out, const RunResult& result, int exit_code,
                       const JsonOptions& options = {});

// What a run was asked to do, as the result and `inspect` name it: scenario, backend, strategy,
// workers, increments, seed, delay.
nlohmann::json run_params_json(const RunParams& params);

}  // namespace shmlab
