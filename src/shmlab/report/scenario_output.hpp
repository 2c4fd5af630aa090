// How the inventory and bank scenarios describe their results: the log's verdict in the seed's
// style ("⚡ The last item was sold twice: ...") and their JSON fields. The counter's stay in
// summary.cpp and json_result.cpp, unchanged.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>

#include "shmlab/analysis/result.hpp"
#include "shmlab/sys/log.hpp"

namespace shmlab {

// The final state and the verdict; at most `max_lines` lines of lost writes, then a count.
void print_scenario_summary(const RunResult& r, const Log& log, std::size_t max_lines);
// The scenario's fields, added to the result JSON (stock_*, sold, ... or total_*, balances, ...).
void add_scenario_json(const RunResult& r, nlohmann::json& j);

}  // namespace shmlab
