// The `file` backend, the seed's: the record is one fixed-size JSON slot at offset 0 of a file,
// read with one pread and written with one pwrite, so a concurrent reader sees either a whole
// record or one that fails its check, never a half-written file parsed as data. Under `sharded`
// the file holds one slot per worker (worker i's at offset i × kRecordSlotSize); otherwise one.
#pragma once

#include <memory>
#include <string>

#include "shmlab/region/region.hpp"
#include "shmlab/sys/unique_fd.hpp"

namespace shmlab {

class FileRegion final : public Region {
 public:
  // Opens an existing region file of `cells` slots (no symlinks, caller's uid, exact size).
  explicit FileRegion(const std::string& path, std::uint32_t cells = 1);
  CounterRecord read() override { return read_cell(0); }
  void write(const CounterRecord& record) override { write_cell(0, record); }
  CounterRecord read_cell(std::uint32_t cell) override;
  void write_cell(std::uint32_t cell, const CounterRecord& record) override;
  std::int64_t total() override;
  int lock_fd() const override { return fd_.get(); }
  ByteRange record_bytes() const override { return {0, kRecordSlotSize}; }

 private:
  std::string path_;
  sys::UniqueFd fd_;
  std::uint32_t cells_;
};

// Creates `path` exclusively with the initial record; unlinks it when it goes unless kept.
class FileRegionStore final : public RegionStore {
 public:
  explicit FileRegionStore(std::string path, std::uint32_t cells = 1);
  ~FileRegionStore() override { remove(); }
  FileRegionStore(const FileRegionStore&) = delete;
  FileRegionStore& operator=(const FileRegionStore&) = delete;
  void keep() noexcept override { created_ = false; }
  void remove() noexcept override;

 private:
  std::string path_;
  bool created_ = false;
};

}  // namespace shmlab
