#include "shmlab/run/delay.hpp"

#include <fmt/format.h>

#include <charconv>
#include <vector>

#include "shmlab/usage_error.hpp"

namespace shmlab {
namespace {

constexpr double kMaxMs = kMaxDelayUs / 1000.0;

[[noreturn]] void bad_delay(std::string_view text, std::string_view why) {
  throw UsageError(fmt::format(
      "--delay '{}': {}; expected BEFORE:WINDOW:VERIFY in milliseconds, each a number or LO-HI "
      "(e.g. 0-50:0-30:10), or 'none'",
      text, why));
}

std::uint32_t parse_ms(std::string_view whole, std::string_view part) {
  if (part.empty()) bad_delay(whole, "a field is empty");
  double ms = 0;
  const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), ms);
  if (ec != std::errc() || end != part.data() + part.size()) {
    bad_delay(whole, fmt::format("'{}' is not a number", part));
  }
  if (!(ms >= 0) || ms > kMaxMs)
    bad_delay(whole, fmt::format("'{}' is outside 0..{}", part, kMaxMs));
  return static_cast<std::uint32_t>(ms * 1000.0 + 0.5);
}

DelayRange parse_range(std::string_view whole, std::string_view part) {
  const auto dash = part.find('-');
  if (dash == std::string_view::npos) {
    const std::uint32_t v = parse_ms(whole, part);
    return {v, v};
  }
  const DelayRange r{parse_ms(whole, part.substr(0, dash)), parse_ms(whole, part.substr(dash + 1))};
  if (r.lo_us > r.hi_us)
    bad_delay(whole, fmt::format("range '{}' has its low end above its high end", part));
  return r;
}

std::string format_range(const DelayRange& r) {
  auto ms = [](std::uint32_t us) { return fmt::format("{:g}", us / 1000.0); };
  return r.lo_us == r.hi_us ? ms(r.lo_us) : fmt::format("{}-{}", ms(r.lo_us), ms(r.hi_us));
}

}  // namespace

DelaySpec parse_delay_spec(std::string_view text) {
  if (text == "none") return kNoDelay;
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const auto colon = text.find(':', start);
    parts.push_back(text.substr(start, colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (parts.size() != 3) bad_delay(text, fmt::format("{} field(s) instead of 3", parts.size()));
  return {parse_range(text, parts[0]), parse_range(text, parts[1]), parse_range(text, parts[2])};
}

std::string format_delay_spec(const DelaySpec& spec) {
  if (spec == kNoDelay) return "none";
  return fmt::format("{}:{}:{}", format_range(spec.before_read), format_range(spec.window),
                     format_range(spec.before_verify));
}

DelaySampler::DelaySampler(std::uint64_t seed, std::uint32_t worker_index)
    : rng_(seed ^ (0x9e3779b97f4a7c15ULL * (worker_index + 1))) {}

std::int64_t DelaySampler::sample_ns(const DelayRange& range) {
  if (range.hi_us == 0) return 0;
  // lo > hi is undefined behaviour for the distribution; parse_delay_spec and the control block's
  // check refuse it, and a range that got here anyway is read as its high end.
  if (range.lo_us > range.hi_us) return std::int64_t{range.hi_us} * 1000;
  std::uniform_int_distribution<std::uint32_t> dist(range.lo_us, range.hi_us);
  return std::int64_t{dist(rng_)} * 1000;
}

}  // namespace shmlab
