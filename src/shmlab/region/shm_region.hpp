// The `shm` backend: a POSIX shared memory object (shm_open + mmap) named "/<run id>-region";
// its layout is memory_cells.hpp. The coordinator's ShmRegionStore creates it (O_EXCL, 0600) and
// unlinks it; workers shm_open it by name.
#pragma once

#include <memory>
#include <string>

#include "shmlab/region/region.hpp"
#include "shmlab/sys/shm_object.hpp"

namespace shmlab {

class ShmRegionStore final : public RegionStore {
 public:
  ShmRegionStore(const std::string& name, std::uint32_t cells);
  void keep() noexcept override { object_.disown(); }
  void remove() noexcept override { object_.unlink(); }

 private:
  sys::ShmObject object_;
};

// Opens the object named in params.region_path (its own descriptor and mapping).
std::unique_ptr<Region> attach_shm_region(const RunParams& params);

}  // namespace shmlab
