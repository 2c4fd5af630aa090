// --delay SPEC: "before:window:verify" milliseconds, each a value or a lo-hi uniform range, or
// "none"; and the per-worker generator that draws them reproducibly from --seed.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "shmlab/control/params.hpp"

namespace shmlab {

// Throws UsageError naming --delay and the accepted forms.
DelaySpec parse_delay_spec(std::string_view text);
std::string format_delay_spec(const DelaySpec& spec);
inline constexpr DelaySpec kNoDelay{{0, 0}, {0, 0}, {0, 0}};

class DelaySampler {
 public:
  DelaySampler(std::uint64_t seed, std::uint32_t worker_index);
  std::int64_t sample_ns(const DelayRange& range);

 private:
  std::mt19937_64 rng_;
};

}  // namespace shmlab
