#include "shmlab/region/file_region.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>

#include "shmlab/sys/clock.hpp"
#include "shmlab/sys/syscall.hpp"

namespace shmlab {
namespace {

// A reader that keeps seeing torn slots for this long is looking at something that is not being
// written by a worker: report it instead of spinning.
constexpr int kMaxTornRetries = 100'000;

off_t slot_offset(std::uint32_t cell) { return static_cast<off_t>(cell) * kRecordSlotSize; }

void write_slot(int fd, const std::string& path, std::uint32_t cell, const CounterRecord& record) {
  const RecordSlot slot = encode_record(record);
  const ssize_t n = sys::check(
      "pwrite", path, [&] { return ::pwrite(fd, slot.data(), slot.size(), slot_offset(cell)); });
  if (static_cast<std::size_t>(n) != slot.size()) {
    sys::throw_errno(fmt::format("{}: short write ({} bytes)", sys::call_name("pwrite", path), n),
                     EIO);
  }
}

}  // namespace

FileRegion::FileRegion(const std::string& path, std::uint32_t cells) : path_(path), cells_(cells) {
  fd_ = sys::UniqueFd(sys::check(sys::call_name("open", path), [&] {
    return ::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  }));
  struct stat st {};
  sys::check(sys::call_name("fstat", path), [&] { return ::fstat(fd_.get(), &st); });
  if (!S_ISREG(st.st_mode) || st.st_uid != ::getuid() ||
      static_cast<std::size_t>(st.st_size) != kRecordSlotSize * cells_) {
    sys::throw_errno(sys::call_name("open", path) + ": not a shmlab region file", EINVAL);
  }
}

CounterRecord FileRegion::read_cell(std::uint32_t cell) {
  if (cell >= cells_) throw std::out_of_range(fmt::format("region slot {} of {}", cell, cells_));
  RecordSlot slot;
  for (int attempt = 0; attempt < kMaxTornRetries; ++attempt) {
    const ssize_t n = sys::check("pread", path_, [&] {
      return ::pread(fd_.get(), slot.data(), slot.size(), slot_offset(cell));
    });
    if (static_cast<std::size_t>(n) == slot.size()) {
      if (auto record = decode_record(slot)) return *record;
    }
    ++torn_reads_;  // a concurrent pwrite was half-copied into our buffer: read again
  }
  sys::throw_errno(sys::call_name("pread", path_) + ": record stays garbled (not a shmlab record?)",
                   EINVAL);
}

void FileRegion::write_cell(std::uint32_t cell, const CounterRecord& record) {
  if (cell >= cells_) throw std::out_of_range(fmt::format("region slot {} of {}", cell, cells_));
  write_slot(fd_.get(), path_, cell, record);
}

std::int64_t FileRegion::total() {
  std::int64_t sum = 0;
  for (std::uint32_t i = 0; i < cells_; ++i) sum += read_cell(i).counter;
  return sum;
}

FileRegionStore::FileRegionStore(std::string path, std::uint32_t cells) : path_(std::move(path)) {
  // O_EXCL never follows a symlink planted at the path and never reuses another run's file.
  sys::UniqueFd fd(sys::check(sys::call_name("open", path_), [&] {
    return ::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  }));
  created_ = true;
  try {
    const CounterRecord initial{0, 0, sys::realtime_ms(), 0};
    for (std::uint32_t i = 0; i < cells; ++i) write_slot(fd.get(), path_, i, initial);
  } catch (...) {
    remove();
    throw;
  }
}

void FileRegionStore::remove() noexcept {
  if (created_) ::unlink(path_.c_str());
  created_ = false;
}

}  // namespace shmlab
