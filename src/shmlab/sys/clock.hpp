// Clocks: monotonic nanoseconds for traces and timings (comparable across processes on one
// machine), wall-clock milliseconds for the seed's timestamps.
#pragma once

#include <cstdint>
#include <ctime>

namespace shmlab::sys {

inline std::int64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline std::int64_t realtime_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

// Sleeps ns nanoseconds (EINTR resumes the remaining time).
void sleep_ns(std::int64_t ns);

}  // namespace shmlab::sys
