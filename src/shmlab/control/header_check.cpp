#include "shmlab/control/header_check.hpp"

#include <fmt/format.h>

#include <cstring>

#include "shmlab/control/control_block.hpp"

namespace shmlab {
namespace {

bool terminated(const char* s, std::size_t n) { return std::memchr(s, '\0', n) != nullptr; }

// Reading a bool whose byte is neither 0 nor 1 is undefined behaviour: look at the byte first.
bool valid_bool(const bool& b) {
  unsigned char byte = 0;
  std::memcpy(&byte, &b, 1);
  return byte <= 1;
}

std::string params_problem(const RunParams& p) {
  for (const bool* flag : {&p.scheduled, &p.quiet, &p.color, &p.log_stderr, &p.trace}) {
    if (!valid_bool(*flag)) return "corrupt flags";
  }
  if (p.workers == 0 || p.workers > kMaxWorkers) return fmt::format("{} workers", p.workers);
  if (p.increments == 0 || p.increments > kMaxIncrements)
    return fmt::format("{} increments", p.increments);
  if (p.backend > Backend::kPostgres) return "unknown backend";
  if (p.strategy > Strategy::kAdvisory) return "unknown strategy";
  if (p.scenario > Scenario::kBank) return "unknown scenario";
  if (p.isolation > Isolation::kSerializable) return "unknown isolation level";
  if (!valid_bool(p.scenario_params.auditor)) return "corrupt flags";
  if (p.scenario_params.accounts == 0 || p.scenario_params.accounts > kMaxAccounts)
    return fmt::format("{} accounts", p.scenario_params.accounts);
  if (p.crash.point > CrashPoint::kBeforeUnlock || p.crash.worker > p.workers)
    return "bad crash spec";
  for (const DelayRange* d : {&p.delays.before_read, &p.delays.window, &p.delays.before_verify}) {
    if (d->lo_us > d->hi_us || d->hi_us > kMaxDelayUs)
      return fmt::format("delay range {}-{} us", d->lo_us, d->hi_us);
  }
  if (p.crash.worker != 0 && (p.crash.point == CrashPoint::kNone || p.crash.op > p.increments))
    return "bad crash spec";
  if (p.pause.point > CrashPoint::kBeforeUnlock || p.pause.worker > p.workers ||
      p.pause.ms > kMaxPauseMs || (p.pause.worker != 0 && p.pause.point == CrashPoint::kNone))
    return "bad pause spec";
  if (!valid_bool(p.lease.fencing)) return "corrupt flags";
  if (p.strategy == Strategy::kLease && (p.lease.ms == 0 || p.lease.ms > kMaxLeaseMs))
    return fmt::format("lease of {} ms", p.lease.ms);
  if (!terminated(p.run_id, sizeof(p.run_id)) || !terminated(p.region_path, sizeof(p.region_path)))
    return "unterminated name";
  return {};
}

}  // namespace

std::string control_header_problem(const void* data, std::size_t size, std::uint32_t uid) {
  if (size < sizeof(ControlHeader)) {
    return fmt::format("truncated ({} bytes; a control block has at least {})", size,
                       sizeof(ControlHeader));
  }
  const auto* h = static_cast<const ControlHeader*>(data);
  if (h->magic != kControlMagic) return "not a shmlab control block (bad magic)";
  if (h->version != kControlVersion)
    return fmt::format("version {} (this shmlab reads {})", h->version, kControlVersion);
  if (h->header_size != sizeof(ControlHeader))
    return fmt::format("header size {} (expected {})", h->header_size, sizeof(ControlHeader));
  if (std::string why = params_problem(h->params); !why.empty())
    return "corrupt parameters: " + why;
  const ControlLayout expected = control_layout(h->params);
  if (h->total_size != size || size != expected.total_size) {
    return fmt::format(
        "wrong size: the object has {} bytes, its header says {}, its parameters need {}", size,
        h->total_size, expected.total_size);
  }
  if (h->slots_offset != expected.slots_offset || h->write_log_offset != expected.write_log_offset)
    return "corrupt layout offsets";
  // The trace rings: each one whole and 64-aligned, right after the write log; with the size
  // checked above they lie inside the object, so a reader that indexes a ring by the parameters'
  // capacity stays in bounds.
  if (h->trace_offset != expected.trace_offset || h->trace_stride != expected.trace_stride)
    return "corrupt trace layout";
  if (h->owner_uid != uid) return fmt::format("owned by uid {}, not {}", h->owner_uid, uid);
  return {};
}

}  // namespace shmlab
