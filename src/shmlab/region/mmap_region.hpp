// The `mmap` backend: a file in the run's temp dir ($TMPDIR), mapped MAP_SHARED by every process
// of the run; its layout is memory_cells.hpp. The coordinator's MmapRegionStore creates the file
// (O_EXCL, 0600, never through a symlink) and unlinks it; workers open it by path.
#pragma once

#include <memory>
#include <string>

#include "shmlab/region/region.hpp"

namespace shmlab {

class MmapRegionStore final : public RegionStore {
 public:
  MmapRegionStore(std::string path, std::uint32_t cells);
  ~MmapRegionStore() override { remove(); }
  MmapRegionStore(const MmapRegionStore&) = delete;
  MmapRegionStore& operator=(const MmapRegionStore&) = delete;
  void keep() noexcept override { created_ = false; }
  void remove() noexcept override;

 private:
  std::string path_;
  bool created_ = false;
};

// Opens the region file named in params.region_path (its own descriptor and mapping).
std::unique_ptr<Region> attach_mmap_region(const RunParams& params);

}  // namespace shmlab
