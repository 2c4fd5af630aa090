// WrappingCounter: follows a counter kept in the low bits of a word (the 40 counter bits of an
// mmap/shm region cell) through its wraps, so that a bench measurement of any length reports the
// exact count. At 375M operations/s 40 bits wrap after 49 minutes, and `expected - final` would
// then report about 2^40 lost updates. The bench runner reads each cell at least every
// kBenchCounterPollMs; progress between two readings must stay under half the range.
#pragma once

#include <cassert>
#include <cstdint>

namespace shmlab {

// How often the bench runner reads the cells: far below what 2^39 operations take at any rate a
// cache line allows (2^39 ops at 10^10 ops/s is 55 s).
inline constexpr int kBenchCounterPollMs = 100;

class WrappingCounter {
 public:
  // `start`: the counter bits before the first reading (0 for a fresh cell).
  explicit WrappingCounter(int bits, std::uint64_t start = 0)
      : mask_((std::uint64_t{1} << bits) - 1),
        half_(std::uint64_t{1} << (bits - 1)),
        start_(start & mask_),
        last_(start_) {
    assert(bits > 1 && bits < 64 && "a counter of 2..63 bits");
  }

  // Takes a reading of the counter bits (higher bits are ignored) and returns the count since the
  // start. A forward distance of half the range or more is a step back instead: under `none` a
  // stale write can move the counter down.
  std::int64_t update(std::uint64_t reading) {
    const std::uint64_t forward = (reading - last_) & mask_;
    total_ += forward < half_ ? static_cast<std::int64_t>(forward)
                              : -static_cast<std::int64_t>(mask_ + 1 - forward);
    last_ = reading & mask_;
    return total_;
  }
  // The count since the start (progress from `start`).
  std::int64_t total() const { return total_; }
  // Whether the counter passed the top of its range at least once.
  bool wrapped() const {
    return static_cast<std::int64_t>(start_) + total_ > static_cast<std::int64_t>(mask_);
  }

 private:
  std::uint64_t mask_;
  std::uint64_t half_;
  std::uint64_t start_;
  std::uint64_t last_;
  std::int64_t total_ = 0;
};

}  // namespace shmlab
