#include "shmlab/run/crash_spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
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

[[noreturn]] void bad_pause(std::string_view text, std::string_view why) {
  throw UsageError(fmt::format(
      "--pause '{}': {}; expected W@POINT:MS (worker W, 1-based, stops at POINT of its first "
      "operation that passes it and is resumed MS ms later), POINT one of before-lock, locked, "
      "after-read, after-write, before-unlock",
      text, why));
}

using BadFn = void (*)(std::string_view, std::string_view);

template <class T>
T parse_number(std::string_view whole, std::string_view part, std::string_view what,
               BadFn fail = bad) {
  T v{};
  const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
  if (part.empty() || ec != std::errc() || end != part.data() + part.size() || v == 0) {
    fail(whole, fmt::format("{} '{}' is not a positive integer", what, part));
  }
  return v;
}

// "W@POINT[:N]" of --crash and --pause: the worker, the point, and N's text (nullopt: no ':').
struct WorkerAtPoint {
  std::uint32_t worker = 0;
  CrashPoint point = CrashPoint::kNone;
  std::optional<std::string_view> after_colon;
};
WorkerAtPoint parse_worker_at_point(std::string_view text, BadFn fail) {
  const auto at = text.find('@');
  if (at == std::string_view::npos) fail(text, "no '@'");
  WorkerAtPoint out;
  // Digits only: from_chars would read "-1" into a signed type, never into these.
  out.worker = parse_number<std::uint32_t>(text, text.substr(0, at), "worker", fail);
  std::string_view rest = text.substr(at + 1);
  if (const auto colon = rest.find(':'); colon != std::string_view::npos) {
    out.after_colon = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
  }
  for (CrashPoint p : kPoints) {
    if (crash_point_name(p) == rest) out.point = p;
  }
  if (out.point == CrashPoint::kNone) fail(text, fmt::format("unknown point '{}'", rest));
  if (out.worker > kMaxWorkers)
    fail(text, fmt::format("worker {} is above {}", out.worker, kMaxWorkers));
  return out;
}

// The points `strategy` passes through, or a message naming them.
std::string point_refusal(CrashPoint point, Strategy strategy) {
  const auto points = crash_points_for(strategy);
  if (std::find(points.begin(), points.end(), point) != points.end()) return {};
  std::vector<std::string_view> names;
  for (CrashPoint p : points) names.push_back(crash_point_name(p));
  return fmt::format("strategy '{}' never passes '{}' (its points: {})", strategy_name(strategy),
                     crash_point_name(point), fmt::join(names, ", "));
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
  const WorkerAtPoint w = parse_worker_at_point(text, bad);
  CrashSpec spec{w.worker, w.point, 1};
  if (w.after_colon) spec.op = parse_number<std::uint64_t>(text, *w.after_colon, "operation");
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
  if (const std::string why = point_refusal(spec.point, params.strategy); !why.empty())
    bad(text, why);
}

PauseSpec parse_pause_spec(std::string_view text) {
  const WorkerAtPoint w = parse_worker_at_point(text, bad_pause);
  if (!w.after_colon) bad_pause(text, "no ':MS'");
  PauseSpec spec{w.worker, w.point, 0};
  spec.ms = parse_number<std::uint32_t>(text, *w.after_colon, "milliseconds", bad_pause);
  if (spec.ms > kMaxPauseMs)
    bad_pause(text, fmt::format("{} ms is above {}", spec.ms, kMaxPauseMs));
  return spec;
}

std::string format_pause_spec(const PauseSpec& spec) {
  if (spec.worker == 0) return {};
  return fmt::format("{}@{}:{}", spec.worker, crash_point_name(spec.point), spec.ms);
}

void check_pause_spec(const PauseSpec& spec, const RunParams& params) {
  if (spec.worker == 0) return;
  const std::string text = format_pause_spec(spec);
  if (spec.worker > params.workers) {
    bad_pause(text,
              fmt::format("worker {} does not exist (--workers {})", spec.worker, params.workers));
  }
  if (const std::string why = point_refusal(spec.point, params.strategy); !why.empty())
    bad_pause(text, why);
}

}  // namespace shmlab
