#include "shmlab/region/region.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "shmlab/region/file_region.hpp"
#include "shmlab/region/mmap_region.hpp"
#include "shmlab/region/pg_region.hpp"
#include "shmlab/region/shm_region.hpp"
#include "shmlab/region/sqlite_region.hpp"
#include "shmlab/scenario/registry.hpp"
#include "shmlab/sys/clock.hpp"

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

std::optional<std::uint64_t> Region::exchange_cell(std::uint32_t cell,
                                                   const CounterRecord& record) {
  write_cell(cell, record);
  return std::nullopt;
}

CounterRecord Region::fetch_add(std::uint32_t, std::int64_t) { unsupported("fetch_add"); }
bool Region::compare_exchange(const CounterRecord&, const CounterRecord&) {
  unsupported("compare_exchange");
}
std::optional<CounterRecord> Region::fetch_add_cell(std::uint32_t, std::int64_t,
                                                    std::optional<std::int64_t>, std::uint32_t,
                                                    std::int64_t) {
  unsupported("fetch_add_cell");
}
bool Region::compare_exchange_cell(std::uint32_t, const CounterRecord&, const CounterRecord&) {
  unsupported("compare_exchange_cell");
}

std::vector<CounterRecord> Region::read_all(std::uint32_t cells) {
  std::vector<CounterRecord> out;
  out.reserve(cells);
  for (std::uint32_t i = 0; i < cells; ++i) out.push_back(read_cell(i));
  return out;
}
bool Region::begin_immediate() { unsupported("begin_immediate"); }
std::optional<LeaseGrant> Region::take_lease(std::uint32_t, std::int64_t, std::uint32_t) {
  unsupported("take_lease");
}
bool Region::release_lease(std::uint32_t, std::uint64_t) { unsupported("release_lease"); }
FencedWrite Region::exchange_cell_fenced(std::uint32_t, const CounterRecord&, std::uint64_t) {
  unsupported("exchange_cell_fenced");
}
bool Region::commit() { unsupported("commit"); }

std::uint32_t region_cells(const RunParams& params) {
  return static_cast<std::uint32_t>(scenario_of(params.scenario).cells(params).size());
}

std::uint32_t memory_cells(const RunParams& params) {
  return std::max(params.workers, region_cells(params));
}

namespace {

std::unique_ptr<RegionStore> create_storage(RunParams& params, const std::string& dir,
                                            const PgTcpAccess* tcp) {
  switch (params.backend) {
    case Backend::kFile: {
      const std::string path = fmt::format("{}/{}.json", dir, params.run_id);
      set_path(params, path);
      return std::make_unique<FileRegionStore>(path, region_cells(params));
    }
    case Backend::kMmap: {
      const std::string path = fmt::format("{}/{}.region", dir, params.run_id);
      set_path(params, path);
      return std::make_unique<MmapRegionStore>(path, memory_cells(params));
    }
    case Backend::kShm: {
      const std::string name = fmt::format("/{}-region", params.run_id);
      set_path(params, name);
      return std::make_unique<ShmRegionStore>(name, memory_cells(params));
    }
    case Backend::kSqlite: {
      const std::string path = fmt::format("{}/{}.sqlite", dir, params.run_id);
      set_path(params, path);
      return std::make_unique<SqliteRegionStore>(path, region_cells(params));
    }
    case Backend::kPostgres: {
      std::optional<std::string> dsn;
      if (const std::string_view given = params.region_path; given.starts_with(kDsnPrefix))
        dsn = std::string(given.substr(kDsnPrefix.size()));
      // The server's user (postgres, under root) must reach its directory: not inside our 0700 one.
      const std::string parent = std::filesystem::path(dir).parent_path().string();
      return std::make_unique<PgRegionStore>(params, dsn, parent.empty() ? "/" : parent, tcp);
    }
  }
  throw std::system_error(ENOTSUP, std::generic_category(), "create_region: unknown backend");
}

}  // namespace

std::unique_ptr<RegionStore> create_region(RunParams& params, const std::string& dir,
                                           const PgTcpAccess* tcp) {
  std::unique_ptr<RegionStore> store = create_storage(params, dir, tcp);
  // Every backend starts its cells at 0 (the counter's seed record); a scenario's other initial
  // values are written once, by the coordinator, before any worker exists.
  const std::vector<CellSpec> cells = scenario_of(params.scenario).cells(params);
  std::unique_ptr<Region> region;
  const std::int64_t now = sys::realtime_ms();
  for (std::uint32_t i = 0; i < cells.size(); ++i) {
    if (cells[i].initial == 0) continue;
    if (!region) region = attach_region(params);
    region->write_cell(i, {cells[i].initial, 0, now, 0});
  }
  return store;
}

std::unique_ptr<Region> attach_region(const RunParams& params,
                                      std::optional<std::uint32_t> worker) {
  switch (params.backend) {
    case Backend::kFile:
      return std::make_unique<FileRegion>(params.region_path, region_cells(params));
    case Backend::kMmap:
      return attach_mmap_region(params);
    case Backend::kShm:
      return attach_shm_region(params);
    case Backend::kSqlite:
      return attach_sqlite_region(params);
    case Backend::kPostgres:
      return attach_pg_region(params, worker);
  }
  throw std::system_error(ENOTSUP, std::generic_category(), "attach_region: unknown backend");
}

}  // namespace shmlab
