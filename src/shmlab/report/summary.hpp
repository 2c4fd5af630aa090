// The human end of a run: the seed's final state, the verdict with exact numbers, and one line
// per lost update naming the write that erased it.
#pragma once

#include <cstddef>

#include "shmlab/analysis/result.hpp"
#include "shmlab/sys/log.hpp"

namespace shmlab {

struct SummaryOptions {
  std::size_t max_lost_lines = 20;  // longer lists end with a count of the rest
};

void print_summary(const RunResult& result, const Log& log, const SummaryOptions& options = {});

}  // namespace shmlab
