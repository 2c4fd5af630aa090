// The human end of a run: the seed's final state, the verdict with exact numbers, and one line
// per lost update naming the write that erased it.
#pragma once

#include <cstddef>
#include <string>

#include "shmlab/analysis/result.hpp"
#include "shmlab/sys/log.hpp"

namespace shmlab {

struct SummaryOptions {
  std::size_t max_lost_lines = 20;  // longer lists end with a count of the rest
};

// "worker 2 wrote 6 from its read of 5, erasing worker 1's 5 → 6 (op 3)"; when the eraser read
// another record than the lost write did, whose: "… from its read of worker 1's 5, …" (or "its
// own 5", "the initial 0").
std::string lost_update_sentence(const LostUpdate& lost);
// "ambiguous: worker 1's and worker 2's writes overlapped" when the eraser is not known exactly
// (file backend); empty otherwise.
std::string ambiguity(const LostUpdate& lost);

void print_summary(const RunResult& result, const Log& log, const SummaryOptions& options = {});

}  // namespace shmlab
