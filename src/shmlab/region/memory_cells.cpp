#include "shmlab/region/memory_cells.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <new>
#include <stdexcept>

#include "shmlab/sys/clock.hpp"
#include "shmlab/sys/syscall.hpp"

namespace shmlab {
namespace {

constexpr std::size_t kPage = 4096;

RegionCell* cells_of(void* base) {
  return reinterpret_cast<RegionCell*>(static_cast<char*>(base) + sizeof(RegionHeader));
}
LeaseRecord* lease_of(void* base, std::uint32_t cells) {
  return reinterpret_cast<LeaseRecord*>(cells_of(base) + cells);
}

}  // namespace

std::size_t memory_region_size(std::uint32_t cells) {
  const std::size_t bytes = sizeof(RegionHeader) + sizeof(RegionCell) * cells + sizeof(LeaseRecord);
  return (bytes + kPage - 1) / kPage * kPage;
}

void init_memory_region(void* base, std::size_t size, std::uint32_t cells) {
  auto* h = new (base) RegionHeader{};
  h->version = kRegionVersion;
  h->header_size = sizeof(RegionHeader);
  h->total_size = size;
  h->cells = cells;
  h->cell_size = sizeof(RegionCell);
  h->owner_pid = ::getpid();
  h->owner_uid = ::getuid();
  h->created_ms = sys::realtime_ms();
  RegionCell* c = cells_of(base);
  for (std::uint32_t i = 0; i < cells; ++i) new (&c[i]) RegionCell{};
  c[0].timestamp_ms.store(h->created_ms, std::memory_order_relaxed);
  new (lease_of(base, cells)) LeaseRecord{};
  lease_of(base, cells)->base_ms = sys::monotonic_ns() / 1'000'000;
  // The magic goes last: a reader that sees it sees a complete header.
  std::atomic_thread_fence(std::memory_order_release);
  h->magic = kRegionMagic;
}

void validate_memory_region(const void* base, std::size_t size, std::uint32_t cells,
                            const std::string& what) {
  if (size < sizeof(RegionHeader)) {
    sys::throw_errno(fmt::format("{}: truncated ({} bytes)", what, size), EINVAL);
  }
  const auto* h = static_cast<const RegionHeader*>(base);
  if (h->magic != kRegionMagic)
    sys::throw_errno(what + ": not a shmlab region (bad magic)", EINVAL);
  if (h->version != kRegionVersion) {
    sys::throw_errno(fmt::format("{}: region version {} (this shmlab reads {})", what, h->version,
                                 kRegionVersion),
                     EINVAL);
  }
  if (h->header_size != sizeof(RegionHeader) || h->cell_size != sizeof(RegionCell) ||
      h->total_size != size || h->cells != cells || size != memory_region_size(cells)) {
    sys::throw_errno(what + ": region header does not match its size or the run", EINVAL);
  }
  if (h->owner_uid != ::getuid()) sys::throw_errno(what + ": owned by another user", EPERM);
}

std::unique_ptr<Region> open_memory_region(sys::UniqueFd fd, const RunParams& params,
                                           const std::string& what) {
  struct stat st {};
  sys::check(sys::call_name("fstat", what), [&] { return ::fstat(fd.get(), &st); });
  if (!S_ISREG(st.st_mode)) sys::throw_errno(what + ": not a regular file", EINVAL);
  if (st.st_uid != ::getuid()) {
    sys::throw_errno(fmt::format("{}: owned by uid {}, not {}", what, st.st_uid, ::getuid()),
                     EPERM);
  }
  const std::uint32_t cells = memory_cells(params);
  const std::size_t expected = memory_region_size(cells);
  if (static_cast<std::size_t>(st.st_size) != expected) {
    sys::throw_errno(
        fmt::format("{}: {} bytes, a region of this run has {}", what, st.st_size, expected),
        EINVAL);
  }
  sys::Mapping mapping = sys::Mapping::map_shared(fd.get(), expected, what.c_str());
  validate_memory_region(mapping.data(), mapping.size(), cells, what);
  return std::make_unique<MemoryRegion>(std::move(fd), std::move(mapping), params.increments);
}

MemoryRegion::MemoryRegion(sys::UniqueFd fd, sys::Mapping mapping, std::uint64_t increments)
    : fd_(std::move(fd)),
      mapping_(std::move(mapping)),
      increments_(increments),
      cells_(mapping_.as<RegionHeader>()->cells) {}

RegionCell& MemoryRegion::cell(std::uint32_t i) const {
  if (i >= cells_) throw std::out_of_range(fmt::format("region cell {} of {}", i, cells_));
  return cells_of(mapping_.data())[i];
}

CounterRecord MemoryRegion::unpack(const RegionCell& c, std::uint64_t word) const {
  CounterRecord r;
  r.counter = word_counter(word);
  r.write_id = word_id(word);
  // The writer named by the word's id is exact; the side field may belong to a racing write.
  r.last_writer = r.write_id != 0 && increments_ != 0
                      ? static_cast<std::uint32_t>((r.write_id - 1) / increments_ + 1)
                      : c.last_writer.load(std::memory_order_relaxed);
  r.timestamp_ms = c.timestamp_ms.load(std::memory_order_relaxed);
  return r;
}

void MemoryRegion::stamp(RegionCell& c, const CounterRecord& record) {
  // Relaxed: informational fields; the word alone carries the data and its ordering.
  c.last_writer.store(record.last_writer, std::memory_order_relaxed);
  c.timestamp_ms.store(record.timestamp_ms, std::memory_order_relaxed);
}

CounterRecord MemoryRegion::read_cell(std::uint32_t i) {
  const RegionCell& c = cell(i);
  return unpack(c, c.load());
}

void MemoryRegion::write_cell(std::uint32_t i, const CounterRecord& record) {
  RegionCell& c = cell(i);
  c.store(pack_word(record.counter, record.write_id));
  stamp(c, record);
}

std::optional<std::uint64_t> MemoryRegion::exchange_cell(std::uint32_t i,
                                                         const CounterRecord& record) {
  RegionCell& c = cell(i);
  const std::uint64_t old = c.exchange(pack_word(record.counter, record.write_id));
  stamp(c, record);
  return word_id(old);
}

CounterRecord MemoryRegion::fetch_add(std::uint32_t writer, std::int64_t timestamp_ms) {
  RegionCell& c = cell(0);
  CounterRecord old = unpack(c, c.fetch_add());
  stamp(c, {old.counter + 1, writer, timestamp_ms, 0});
  return old;
}

bool MemoryRegion::compare_exchange(const CounterRecord& expected, const CounterRecord& desired) {
  return compare_exchange_cell(0, expected, desired);
}

std::optional<CounterRecord> MemoryRegion::fetch_add_cell(std::uint32_t i, std::int64_t delta,
                                                          std::optional<std::int64_t> floor,
                                                          std::uint32_t writer,
                                                          std::int64_t timestamp_ms) {
  // A compare-exchange loop on the word: one indivisible conditional add (a plain fetch_add of a
  // negative delta would borrow from the id bits, and could not refuse an overdraft).
  RegionCell& c = cell(i);
  std::uint64_t word = c.load();
  for (;;) {
    const std::int64_t now = word_counter(word) + delta;
    if (floor && now < *floor) return std::nullopt;
    if (c.compare_exchange(word, pack_word(now, 0))) break;
  }
  CounterRecord old = unpack(c, word);
  stamp(c, {old.counter + delta, writer, timestamp_ms, 0});
  return old;
}

bool MemoryRegion::compare_exchange_cell(std::uint32_t i, const CounterRecord& expected,
                                         const CounterRecord& desired) {
  RegionCell& c = cell(i);
  std::uint64_t want = pack_word(expected.counter, expected.write_id);
  if (!c.compare_exchange(want, pack_word(desired.counter, desired.write_id))) return false;
  stamp(c, desired);
  return true;
}

LeaseRecord& MemoryRegion::lease() const { return *lease_of(mapping_.data(), cells_); }

std::optional<LeaseGrant> MemoryRegion::take_lease(std::uint32_t holder, std::int64_t now_ms,
                                                   std::uint32_t ttl_ms) {
  LeaseRecord& l = lease();
  const std::int64_t now = now_ms - l.base_ms;
  std::uint64_t w = l.word.load(std::memory_order_acquire);
  for (;;) {
    if ((w & kLeaseClaimed) != 0) {  // a fenced write is in progress: it lasts one exchange
      w = l.word.load(std::memory_order_acquire);
      continue;
    }
    const std::uint32_t h = lease_holder(w);
    if (h != 0 && now < lease_expiry(w)) return std::nullopt;
    const std::uint64_t token = lease_token(w) + 1;
    if (token > kMaxLeaseToken) {
      throw std::overflow_error(fmt::format("lease: more than {} grants", kMaxLeaseToken));
    }
    // Acq_rel: the new holder sees every write made under earlier grants.
    if (l.word.compare_exchange_weak(w, pack_lease(token, holder, now + ttl_ms),
                                     std::memory_order_acq_rel, std::memory_order_acquire)) {
      return LeaseGrant{token, h != holder ? h : 0};
    }
  }
}

bool MemoryRegion::release_lease(std::uint32_t holder, std::uint64_t token) {
  LeaseRecord& l = lease();
  std::uint64_t w = l.word.load(std::memory_order_acquire);
  for (;;) {
    if (lease_holder(w) != holder || lease_token(w) != token) return false;
    if ((w & kLeaseClaimed) != 0) {
      w = l.word.load(std::memory_order_acquire);
      continue;
    }
    if (l.word.compare_exchange_weak(w, pack_lease(token, 0, 0), std::memory_order_acq_rel,
                                     std::memory_order_acquire))
      return true;
  }
}

FencedWrite MemoryRegion::exchange_cell_fenced(std::uint32_t i, const CounterRecord& record,
                                               std::uint64_t token) {
  LeaseRecord& l = lease();
  std::uint64_t w = l.word.load(std::memory_order_acquire);
  for (;;) {
    if (lease_token(w) > token) return FencedWrite{false, std::nullopt, lease_token(w)};
    if ((w & kLeaseClaimed) != 0) {
      w = l.word.load(std::memory_order_acquire);
      continue;
    }
    // The claim: no grant can be made until the exchange below is done, so the check holds for it.
    if (l.word.compare_exchange_weak(w, w | kLeaseClaimed, std::memory_order_acq_rel,
                                     std::memory_order_acquire))
      break;
  }
  const std::optional<std::uint64_t> replaced = exchange_cell(i, record);
  l.word.fetch_and(~kLeaseClaimed, std::memory_order_acq_rel);
  return FencedWrite{true, replaced, token};
}

std::int64_t MemoryRegion::total() {
  std::int64_t sum = 0;
  // Cells past the scenario's are padding, never written: they stay 0.
  for (std::uint32_t i = 0; i < cells_; ++i) sum += read_cell(i).counter;
  return sum;
}

ByteRange MemoryRegion::record_bytes() const {
  return {static_cast<std::int64_t>(sizeof(RegionHeader)), sizeof(RegionCell)};
}

}  // namespace shmlab
