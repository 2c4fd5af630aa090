#include "shmlab/region/region.hpp"

#include <fmt/format.h>

#include <cstring>
#include <stdexcept>

#include "shmlab/region/file_region.hpp"
#include "shmlab/region/mmap_region.hpp"
#include "shmlab/region/shm_region.hpp"
#include "shmlab/region/sqlite_region.hpp"

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

[[noreturn]] void unsupported(const char* op) {
  // sync/strategy.cpp `fits` refuses such a pair before anything is created.
  throw std::logic_error(fmt::format("region: {} is not supported by this backend", op));
}

}  // namespace

CounterRecord Region::read_cell(std::uint32_t cell) {
  if (cell != 0) unsupported("read_cell");
  return read();
}

void Region::write_cell(std::uint32_t cell, const CounterRecord& record) {
  if (cell != 0) unsupported("write_cell");
  write(record);
}

CounterRecord Region::fetch_add(std::uint32_t, std::int64_t) { unsupported("fetch_add"); }
bool Region::compare_exchange(const CounterRecord&, const CounterRecord&) {
  unsupported("compare_exchange");
}
bool Region::begin_immediate() { unsupported("begin_immediate"); }
bool Region::commit() { unsupported("commit"); }

std::uint32_t region_cells(const RunParams& params) {
  return params.strategy == Strategy::kSharded ? params.workers : 1;
}

std::unique_ptr<RegionStore> create_region(RunParams& params, const std::string& dir) {
  switch (params.backend) {
    case Backend::kFile: {
      const std::string path = fmt::format("{}/{}.json", dir, params.run_id);
      set_path(params, path);
      return std::make_unique<FileRegionStore>(path, region_cells(params));
    }
    case Backend::kMmap: {
      const std::string path = fmt::format("{}/{}.region", dir, params.run_id);
      set_path(params, path);
      return std::make_unique<MmapRegionStore>(path, params.workers);
    }
    case Backend::kShm: {
      const std::string name = fmt::format("/{}-region", params.run_id);
      set_path(params, name);
      return std::make_unique<ShmRegionStore>(name, params.workers);
    }
    case Backend::kSqlite: {
      const std::string path = fmt::format("{}/{}.sqlite", dir, params.run_id);
      set_path(params, path);
      return std::make_unique<SqliteRegionStore>(path, region_cells(params));
    }
  }
  throw std::system_error(ENOTSUP, std::generic_category(), "create_region: unknown backend");
}

std::unique_ptr<Region> attach_region(const RunParams& params) {
  switch (params.backend) {
    case Backend::kFile:
      return std::make_unique<FileRegion>(params.region_path, region_cells(params));
    case Backend::kMmap:
      return attach_mmap_region(params);
    case Backend::kShm:
      return attach_shm_region(params);
    case Backend::kSqlite:
      return attach_sqlite_region(params);
  }
  throw std::system_error(ENOTSUP, std::generic_category(), "attach_region: unknown backend");
}

}  // namespace shmlab
