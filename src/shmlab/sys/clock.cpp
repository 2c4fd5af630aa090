#include "shmlab/sys/clock.hpp"

#include <cerrno>

namespace shmlab::sys {

void sleep_ns(std::int64_t ns) {
  if (ns <= 0) return;
  timespec req{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
  timespec rem{};
  while (::nanosleep(&req, &rem) == -1 && errno == EINTR) req = rem;
}

}  // namespace shmlab::sys
