// What `shmlab explore` prints: the JSON document (--json) and the human report, from an
// ExploreResult and the parameters it explored.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>

#include "shmlab/control/params.hpp"
#include "shmlab/explore/explorer.hpp"

namespace shmlab {

nlohmann::json explore_json(const ExploreResult& r, const RunParams& p, int exit_code);
void print_explore(std::FILE* out, const ExploreResult& r, const RunParams& p);

}  // namespace shmlab
