// ControlSnapshot: `shmlab inspect`'s private copy of a kept run's control block. The object is
// opened read-only (O_NOFOLLOW, a regular object of the caller's uid, of a bounded size), copied
// once with pread into private memory and checked there (control_header_problem): every size,
// count and offset read afterwards comes from that checked copy, never again from the shared,
// writable object that its workers (or anyone of the same uid) may still change or shrink.
// Reads never map the object, so a shrinking object cannot raise SIGBUS. Never crosses processes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "shmlab/control/control_block.hpp"
#include "shmlab/sys/unique_fd.hpp"

namespace shmlab {

class ControlSnapshot {
 public:
  // Throws std::system_error naming the object and why it is not a shmlab control block of ours.
  static ControlSnapshot read(const std::string& name);

  const std::string& name() const { return name_; }
  const ControlHeader& header() const { return *reinterpret_cast<const ControlHeader*>(data()); }
  const RunParams& params() const { return header().params; }
  std::span<const WorkerSlot> slots() const;
  std::span<const WriteEntry> write_log(std::uint32_t worker_index) const;
  bool logs_writes() const { return header().write_log_offset != 0; }
  const void* data() const { return bytes_.data(); }
  std::size_t size() const { return size_; }
  // Worker `worker_index`'s trace-ring count as the object holds it now (after the copy), for a
  // ring whose worker is still alive; the copy's own count if it cannot be read.
  std::uint64_t ring_count_now(std::uint32_t worker_index) const;

 private:
  struct alignas(64) Line {
    std::byte bytes[64];
  };
  ControlSnapshot() = default;
  std::string name_;
  sys::UniqueFd fd_;
  std::vector<Line> bytes_;
  std::size_t size_ = 0;
};

}  // namespace shmlab
