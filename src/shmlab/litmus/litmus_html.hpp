// litmus_html: the self-contained HTML report of `shmlab litmus --report FILE`: per run, the
// test's code, its verdict and an SVG bar chart of the histogram (log scale, marked outcome in
// colour), then the summary table. No script, no external resource.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "shmlab/litmus/litmus_result.hpp"
#include "shmlab/litmus/verdict_table.hpp"

namespace shmlab::litmus {

std::string litmus_html(std::span<const LitmusResult> results, std::optional<Arch> arch);

}  // namespace shmlab::litmus
