// Region: where the shared data lives, as seen by one process. The coordinator holds a
// RegionStore, which creates the storage exclusively (O_EXCL, 0600), writes the initial record
// and removes the storage when it goes (unless kept); each worker attaches a Region by the
// name in RunParams::region_path. Backends: file (the seed), later mmap, shm, sqlite.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "shmlab/control/params.hpp"
#include "shmlab/region/record.hpp"

namespace shmlab {

class Region {
 public:
  virtual ~Region() = default;
  // READ: one whole record; never torn (a torn read is retried and counted in torn_reads()).
  virtual CounterRecord read() = 0;
  // WRITE: the whole record at once.
  virtual void write(const CounterRecord& record) = 0;
  // The descriptor flock/ofd strategies lock, for file-backed regions; -1 if none.
  virtual int lock_fd() const { return -1; }
  // The counter's value for the final report (a sharded region sums its cells).
  virtual std::int64_t total() { return read().counter; }
  std::uint64_t torn_reads() const { return torn_reads_; }

 protected:
  std::uint64_t torn_reads_ = 0;
};

class RegionStore {
 public:
  virtual ~RegionStore() = default;
  // Leaves the storage in place after this object goes (--keep).
  virtual void keep() noexcept = 0;
  // Removes the storage now (idempotent, never throws).
  virtual void remove() noexcept = 0;
};

// Creates the storage of params.backend named after params.run_id in `dir` (for file-based
// backends), writes the initial record, and fills params.region_path.
std::unique_ptr<RegionStore> create_region(RunParams& params, const std::string& dir);
// Attaches to the storage named in params.region_path.
std::unique_ptr<Region> attach_region(const RunParams& params);

}  // namespace shmlab
