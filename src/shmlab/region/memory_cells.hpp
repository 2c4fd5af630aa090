// The layout of the `mmap` and `shm` regions, and the Region that works on it: a header (magic,
// version, sizes, cell count) followed by one cache-line-aligned cell per worker. Cell 0 is the
// shared counter; under `sharded` worker i owns cell i and the total is the sum of the cells.
// A cell keeps the counter and the id of the write that produced it in ONE 64-bit atomic word, so
// no read ever sees a value from one write and an id from another, even under `none`.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "shmlab/control/control_block.hpp"
#include "shmlab/region/region.hpp"
#include "shmlab/sys/mapping.hpp"
#include "shmlab/sys/unique_fd.hpp"

namespace shmlab {

inline constexpr std::uint64_t kRegionMagic = 0x31474552484d534bULL;  // "KSHMREG1"
inline constexpr std::uint32_t kRegionVersion = 1;

// The word: the cell's value in the low 40 bits (two's complement: an overdrawn account is
// negative), write id in the high 24 bits.
inline constexpr int kCounterBits = 40;
inline constexpr std::uint64_t kCounterMask = (std::uint64_t{1} << kCounterBits) - 1;
inline constexpr std::uint64_t kMaxPackedId = (std::uint64_t{1} << (64 - kCounterBits)) - 1;
// Every counter a run can reach fits, and every logged write id fits (ids above are never made).
static_assert(std::uint64_t{kMaxWorkers} * kMaxIncrements <= kCounterMask);
static_assert(kMaxLoggedWrites <= kMaxPackedId);

constexpr std::uint64_t pack_word(std::int64_t counter, std::uint64_t write_id) {
  const std::uint64_t id = write_id <= kMaxPackedId ? write_id : 0;
  return (id << kCounterBits) | (static_cast<std::uint64_t>(counter) & kCounterMask);
}
// The top kMaxCellValue values of the 40 bits stand for negative ones (an overdrawn account goes
// at most that far below 0); every counter a run can reach stays below them.
inline constexpr std::int64_t kNegativeFrom = (std::int64_t{1} << kCounterBits) - kMaxCellValue;
static_assert(std::int64_t{kMaxWorkers} * std::int64_t{kMaxIncrements} < kNegativeFrom);
constexpr std::int64_t word_counter(std::uint64_t word) {
  const auto v = static_cast<std::int64_t>(word & kCounterMask);
  return v >= kNegativeFrom ? v - (std::int64_t{1} << kCounterBits) : v;
}
constexpr std::uint64_t word_id(std::uint64_t word) { return word >> kCounterBits; }

struct alignas(64) RegionHeader {
  std::uint64_t magic = 0;
  std::uint32_t version = 0;
  std::uint32_t header_size = 0;
  std::uint64_t total_size = 0;
  std::uint32_t cells = 0;
  std::uint32_t cell_size = 0;
  std::int32_t owner_pid = 0;
  std::uint32_t owner_uid = 0;
  std::int64_t created_ms = 0;
};

// Align to the cache line so that cells of different workers never share one (false sharing).
// The word operations are inline and non-virtual: they are what every strategy on mmap/shm does
// to the data, and `shmlab bench` calls them directly (MemoryRegion, the Region a run uses, adds
// the informational stamps to each write).
struct alignas(64) RegionCell {
  std::atomic<std::uint64_t> word{0};  // pack_word(counter, write id)
  // Informational, written after the word: a racing write may pair them with another word.
  std::atomic<std::uint32_t> last_writer{0};
  std::atomic<std::int64_t> timestamp_ms{0};

  // Acquire/release, not seq_cst: the word is the only datum, so a load only has to see a whole
  // word and what the writer stored before it; locks order the critical sections themselves.
  std::uint64_t load() const { return word.load(std::memory_order_acquire); }
  // A plain store of the whole word: under `none` it loses updates, but never tears one.
  void store(std::uint64_t w) { word.store(w, std::memory_order_release); }
  // The same store, returning the word it replaced: exact evidence of which write this one erased.
  std::uint64_t exchange(std::uint64_t w) { return word.exchange(w, std::memory_order_acq_rel); }
  // Adds 1 to the counter bits; the id bits stay as they were (0: atomic writes carry no id, and
  // an `atomic` run never makes another kind of write). The counter never reaches bit 40.
  std::uint64_t fetch_add() { return word.fetch_add(1, std::memory_order_acq_rel); }
  // Replaces `expected` by `desired`; on failure `expected` is the word found.
  bool compare_exchange(std::uint64_t& expected, std::uint64_t desired) {
    return word.compare_exchange_strong(expected, desired, std::memory_order_acq_rel,
                                        std::memory_order_acquire);
  }
};

// The `lease` record, after the cells (docs/lease.md). One word, so that taking, releasing and
// claiming it are each one compare-and-swap: token (26 bits) | holder (11) | expiry (26: ms after
// base_ms, CLOCK_MONOTONIC) | claimed (1: a fenced write is in progress; writes and grants wait
// out the claim, which lasts one exchange).
struct alignas(64) LeaseRecord {
  std::atomic<std::uint64_t> word{0};
  std::int64_t base_ms = 0;  // written once by the coordinator, before any worker starts
};
inline constexpr std::uint64_t kLeaseClaimed = 1;
inline constexpr int kLeaseExpiryBits = 26;
inline constexpr int kLeaseHolderBits = 11;
inline constexpr std::uint64_t kMaxLeaseToken = (std::uint64_t{1} << 26) - 1;
static_assert(kMaxWorkers < (1u << kLeaseHolderBits));
static_assert(1 + kLeaseExpiryBits + kLeaseHolderBits + 26 == 64);
static_assert(sizeof(LeaseRecord) == 64);
constexpr std::uint64_t lease_token(std::uint64_t w) { return w >> (64 - 26); }
constexpr std::uint32_t lease_holder(std::uint64_t w) {
  return static_cast<std::uint32_t>(w >> (1 + kLeaseExpiryBits)) & ((1u << kLeaseHolderBits) - 1);
}
constexpr std::int64_t lease_expiry(std::uint64_t w) {
  return static_cast<std::int64_t>((w >> 1) & ((std::uint64_t{1} << kLeaseExpiryBits) - 1));
}
constexpr std::uint64_t pack_lease(std::uint64_t token, std::uint32_t holder, std::int64_t expiry) {
  return token << (64 - 26) | std::uint64_t{holder} << (1 + kLeaseExpiryBits) |
         (static_cast<std::uint64_t>(expiry) & ((std::uint64_t{1} << kLeaseExpiryBits) - 1)) << 1;
}

static_assert(sizeof(RegionHeader) == 64);
static_assert(sizeof(RegionCell) == 64);
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(std::atomic<std::int64_t>::is_always_lock_free);

// Bytes of a region with `cells` cells, rounded to whole pages.
std::size_t memory_region_size(std::uint32_t cells);
// Lays out a fresh, zeroed mapping: header (magic last), cells at 0, timestamp `now_ms`.
void init_memory_region(void* base, std::size_t size, std::uint32_t cells);
// Checks a mapping against what a run expects; throws std::system_error naming `what` otherwise.
void validate_memory_region(const void* base, std::size_t size, std::uint32_t cells,
                            const std::string& what);

class MemoryRegion;
// Maps an opened region descriptor after checking it (a regular object of the caller's uid, of
// exactly the run's size) and its header; throws std::system_error naming `what` otherwise.
std::unique_ptr<Region> open_memory_region(sys::UniqueFd fd, const RunParams& params,
                                           const std::string& what);

// A worker's (or the coordinator's) view of an mmap/shm region: its own descriptor (an open file
// description of its own, for flock/ofd) and its own mapping.
class MemoryRegion final : public Region {
 public:
  MemoryRegion(sys::UniqueFd fd, sys::Mapping mapping, std::uint64_t increments);

  CounterRecord read() override { return read_cell(0); }
  void write(const CounterRecord& record) override { write_cell(0, record); }
  CounterRecord read_cell(std::uint32_t cell) override;
  void write_cell(std::uint32_t cell, const CounterRecord& record) override;
  std::optional<std::uint64_t> exchange_cell(std::uint32_t cell,
                                             const CounterRecord& record) override;
  CounterRecord fetch_add(std::uint32_t writer, std::int64_t timestamp_ms) override;
  bool compare_exchange(const CounterRecord& expected, const CounterRecord& desired) override;
  std::optional<CounterRecord> fetch_add_cell(std::uint32_t cell, std::int64_t delta,
                                              std::optional<std::int64_t> floor,
                                              std::uint32_t writer,
                                              std::int64_t timestamp_ms) override;
  bool compare_exchange_cell(std::uint32_t cell, const CounterRecord& expected,
                             const CounterRecord& desired) override;
  std::int64_t total() override;
  int lock_fd() const override { return fd_.get(); }
  ByteRange record_bytes() const override;

  std::optional<LeaseGrant> take_lease(std::uint32_t holder, std::int64_t now_ms,
                                       std::uint32_t ttl_ms) override;
  bool release_lease(std::uint32_t holder, std::uint64_t token) override;
  FencedWrite exchange_cell_fenced(std::uint32_t cell, const CounterRecord& record,
                                   std::uint64_t token) override;

  // Cell i of the mapping (checked): for callers that run the word operations themselves.
  RegionCell& cell(std::uint32_t i) const;

 private:
  CounterRecord unpack(const RegionCell& c, std::uint64_t word) const;
  void stamp(RegionCell& c, const CounterRecord& record);
  LeaseRecord& lease() const;

  sys::UniqueFd fd_;
  sys::Mapping mapping_;
  std::uint64_t increments_;
  std::uint32_t cells_;
};

}  // namespace shmlab
