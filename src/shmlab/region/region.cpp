#include "shmlab/region/region.hpp"

#include <fmt/format.h>

#include <cstring>

#include "shmlab/region/file_region.hpp"

namespace shmlab {
namespace {

void set_path(RunParams& params, const std::string& path) {
  if (path.size() >= sizeof(params.region_path)) {
    throw std::system_error(ENAMETOOLONG, std::generic_category(),
                            fmt::format("region path \"{}\"", path));
  }
  std::memset(params.region_path, 0, sizeof(params.region_path));
  std::memcpy(params.region_path, path.data(), path.size());
}

}  // namespace

std::unique_ptr<RegionStore> create_region(RunParams& params, const std::string& dir) {
  switch (params.backend) {
    case Backend::kFile: {
      const std::string path = fmt::format("{}/{}.json", dir, params.run_id);
      set_path(params, path);
      return std::make_unique<FileRegionStore>(path);
    }
    default:
      break;
  }
  throw std::system_error(ENOTSUP, std::generic_category(), "create_region: backend not built");
}

std::unique_ptr<Region> attach_region(const RunParams& params) {
  switch (params.backend) {
    case Backend::kFile:
      return std::make_unique<FileRegion>(params.region_path);
    default:
      break;
  }
  throw std::system_error(ENOTSUP, std::generic_category(), "attach_region: backend not built");
}

}  // namespace shmlab
