// `run --trace FILE`: the run as Chrome trace-event JSON (the format of chrome://tracing and
// Perfetto's JSON importer): one process track per worker, a complete event ("X") per step with
// its values in args, instant events for VERIFY's detections and for each lost write, and a flow
// arrow from each lost write to the write that erased it.
#pragma once

#include <nlohmann/json.hpp>

#include "shmlab/analysis/result.hpp"

namespace shmlab {

nlohmann::json chrome_trace_json(const RunResult& result);

}  // namespace shmlab
