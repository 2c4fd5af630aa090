// The terminal timeline (`run --timeline`): one column per worker, one row per step in time
// order, with the values each read and wrote; lost writes and the writes that erased them marked.
#pragma once

#include <cstddef>
#include <string>

#include "shmlab/analysis/result.hpp"

namespace shmlab {

struct TimelineOptions {
  std::size_t width = 80;       // columns to fit; lanes never get narrower than min_lane
  std::size_t min_lane = 14;    // wider runs scroll sideways rather than lose the values
  std::size_t max_rows = 2000;  // longer runs end with a count of the rest
  bool color = false;
  bool ascii = false;  // -> | - + instead of → │ ─ ┼ (a locale that is not UTF-8)
};

std::string render_timeline(const RunResult& result, const TimelineOptions& options = {});

}  // namespace shmlab
