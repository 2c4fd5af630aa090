#include "shmlab/run/crash_spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <vector>

#include "shmlab/sync/strategy.hpp"
#include "shmlab/usage_error.hpp"

namespace shmlab {
namespace {

constexpr std::array kPoints = {CrashPoint::kBeforeLock, CrashPoint::kLocked,
                                CrashPoint::kAfterRead, CrashPoint::kAfterWrite,
                                CrashPoint::kBeforeUnlock};
// What each family's steps pass through (see sync/strategy.hpp): a lock gives all five points;
// an atomic read-modify-write has no separate read, only the moment right after it.
constexpr std::array kPlainPoints = {CrashPoint::kAfterRead, CrashPoint::kAfterWrite};
constexpr std::array kAtomicPoints = {CrashPoint::kAfterWrite};

[[noreturn]] void bad(std::string_view text, std::string_view why) {
  throw UsageError(fmt::format(
      "--crash '{}': {}; expected W@POINT[:K] (worker W, 1-based; its K-th operation, default 1), "
      "POINT one of before-lock, locked, after-read, after-write, before-unlock",
      text, why));
}

template <class T>
T parse_number(std::string_view whole, std::string_view part, std::string_view what) {
  T v{};
  const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
  if (part.empty() || ec != std::errc() || end != part.data() + part.size() || v == 0) {
    bad(whole, fmt::format("{} '{}' is not a positive integer", what, part));
  }
  return v;
}

}  // namespace

std::string_view crash_point_name(CrashPoint point) {
  switch (point) {
    case CrashPoint::kNone:
      return "none";
    case CrashPoint::kBeforeLock:
      return "before-lock";
    case CrashPoint::kLocked:
      return "locked";
    case CrashPoint::kAfterRead:
      return "after-read";
    case CrashPoint::kAfterWrite:
      return "after-write";
    case CrashPoint::kBeforeUnlock:
      return "before-unlock";
  }
  return "?";
}

std::span<const CrashPoint> all_crash_points() { return kPoints; }

CrashSpec parse_crash_spec(std::string_view text) {
  const auto at = text.find('@');
  if (at == std::string_view::npos) bad(text, "no '@'");
  CrashSpec spec;
  // Digits only: from_chars would read "-1" into a signed type, never into these.
  spec.worker = parse_number<std::uint32_t>(text, text.substr(0, at), "worker");
  std::string_view rest = text.substr(at + 1);
  const auto colon = rest.find(':');
  if (colon != std::string_view::npos) {
    spec.op = parse_number<std::uint64_t>(text, rest.substr(colon + 1), "operation");
    rest = rest.substr(0, colon);
  }
  for (CrashPoint p : kPoints) {
    if (crash_point_name(p) == rest) spec.point = p;
  }
  if (spec.point == CrashPoint::kNone) bad(text, fmt::format("unknown point '{}'", rest));
  if (spec.worker > kMaxWorkers)
    bad(text, fmt::format("worker {} is above {}", spec.worker, kMaxWorkers));
  if (spec.op > kMaxIncrements)
    bad(text, fmt::format("operation {} is above {}", spec.op, kMaxIncrements));
  return spec;
}

std::string format_crash_spec(const CrashSpec& spec) {
  if (spec.worker == 0) return {};
  return fmt::format("{}@{}:{}", spec.worker, crash_point_name(spec.point), spec.op);
}

std::span<const CrashPoint> crash_points_for(Strategy strategy) {
  switch (strategy_info(strategy).family) {
    case Family::kLocked:
    case Family::kTransaction:
      return kPoints;
    case Family::kAtomic:
      return kAtomicPoints;
    case Family::kPlain:
    case Family::kCas:
    case Family::kSharded:
      return kPlainPoints;
  }
  return {};
}

void check_crash_spec(const CrashSpec& spec, const RunParams& params) {
  if (spec.worker == 0) return;
  const std::string text = format_crash_spec(spec);
  if (spec.worker > params.workers) {
    bad(text, fmt::format("worker {} does not exist (--workers {})", spec.worker, params.workers));
  }
  if (spec.op > params.increments) {
    bad(text,
        fmt::format("operation {} does not exist (--increments {})", spec.op, params.increments));
  }
  const auto points = crash_points_for(params.strategy);
  if (std::find(points.begin(), points.end(), spec.point) == points.end()) {
    std::vector<std::string_view> names;
    for (CrashPoint p : points) names.push_back(crash_point_name(p));
    bad(text, fmt::format("strategy '{}' never passes '{}' (its points: {})",
                          strategy_name(params.strategy), crash_point_name(spec.point),
                          fmt::join(names, ", ")));
  }
}

}  // namespace shmlab
