// A data region for a unit test: parameters with a run id unique to this test process, and the
// region created (create_region) in a fresh temp dir; the region and the dir go when it goes.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "shmlab/control/params.hpp"
#include "shmlab/region/region.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {

inline RunParams region_params(Backend backend, std::uint32_t workers, std::uint64_t increments,
                               const std::string& tag, Strategy strategy = Strategy::kNone) {
  RunParams p;
  p.workers = workers;
  p.increments = increments;
  p.backend = backend;
  p.strategy = strategy;
  const std::string id = "shmlab-" + std::to_string(::getpid()) + "-" + tag;
  std::strncpy(p.run_id, id.c_str(), sizeof(p.run_id) - 1);
  return p;
}

struct TestRegion {
  explicit TestRegion(const RunParams& p) : params(p), store(create_region(params, tmp.path())) {}
  TempDir tmp;       // first: removed after the region
  RunParams params;  // region_path filled in by create_region
  std::unique_ptr<RegionStore> store;
};

}  // namespace shmlab::test
