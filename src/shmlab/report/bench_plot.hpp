// The chart of `shmlab bench --plot`: operations per second against worker processes, one line
// per strategy × backend (solid) beside its bare loop (dashed, same colour) and the Boost peer,
// on a log scale. A self-contained SVG; wrapped in a minimal HTML page when asked for one.
#pragma once

#include <string>

#include "shmlab/analysis/bench_result.hpp"

namespace shmlab {

std::string bench_svg(const BenchResult& result);
std::string bench_html(const BenchResult& result);

}  // namespace shmlab
