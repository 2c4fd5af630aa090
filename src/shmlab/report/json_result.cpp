#include "shmlab/report/json_result.hpp"

#include <fmt/format.h>

#include <string_view>

#include "shmlab/region/backend.hpp"
#include "shmlab/report/replay_line.hpp"
#include "shmlab/report/scenario_output.hpp"
#include "shmlab/run/crash_spec.hpp"
#include "shmlab/run/delay.hpp"
#include "shmlab/scenario/registry.hpp"
#include "shmlab/sync/strategy.hpp"

namespace shmlab {
namespace {

nlohmann::json write_json(const WriteRef& w) {
  return {{"worker", w.worker},     {"op", w.op},           {"write_id", w.id},
          {"based_on", w.based_on}, {"read", w.value_read}, {"wrote", w.value_written}};
}

// Why `lost` has (or lacks) one entry per lost update.
std::string attribution_text(const RunResult& r) {
  if (!r.attribution_applicable) {
    return fmt::format(
        "not applicable ({} writes carry no write id; lost_updates = expected - final is exact)",
        strategy_name(r.record.params.strategy));
  }
  if (!r.attributed) return "not recorded (too many writes to log)";
  return r.attribution.consistent ? "exact" : "inconsistent";
}

nlohmann::json lost_json(const LostUpdate& l) {
  nlohmann::json entry = write_json(l.lost);
  entry["erased_by"] = write_json(l.erased_by);
  entry["evidence"] = evidence_name(l.evidence);
  return entry;
}

// Stands for `lost` in the dumped text until write_result_json streams the entries there.
constexpr std::string_view kLostPlaceholder = R"("\u0001lost\u0001")";

}  // namespace

nlohmann::json run_params_json(const RunParams& p) {
  nlohmann::json j = {{"scenario", scenario_of(p.scenario).name()},
                      {"backend", backend_name(p.backend)},
                      {"strategy", strategy_name(p.strategy)},
                      {"workers", p.workers},
                      {"increments", p.increments},
                      {"initial", p.scenario_params.initial},
                      {"seed", p.seed},
                      {"delay", format_delay_spec(p.delays)}};
  if (p.backend == Backend::kPostgres && p.strategy == Strategy::kTransaction)
    j["isolation"] = isolation_name(p.isolation);
  return j;
}

nlohmann::json result_json(const RunResult& r, int exit_code, const JsonOptions& options) {
  const RunParams& p = r.record.params;
  nlohmann::json lost = nlohmann::json::array();
  for (const LostUpdate& l : r.attribution.lost) {
    if (lost.size() == options.max_lost) break;
    lost.push_back(lost_json(l));
  }
  nlohmann::json workers = nlohmann::json::array();
  std::uint64_t trace_events = 0;
  std::uint64_t trace_dropped = 0;
  for (const WorkerRecord& w : r.record.workers) {
    trace_events += w.trace.size();
    trace_dropped += w.trace_dropped;
    nlohmann::json jw = {{"id", w.number},
                         {"pid", w.pid},
                         {"status", worker_end_name(w.end)},
                         {"ops", w.ops},
                         {"retries", w.retries},
                         {"lock_wait_ns", w.lock_wait_ns},
                         {"verify_changed", w.verify_changed},
                         {"verify_overwritten", w.verify_overwritten},
                         {"torn_reads", w.torn_reads}};
    if (w.status.exited) {
      jw["exit_code"] = w.status.code;
    } else {
      jw["signal"] = w.status.signal;
    }
    if (!w.error.empty()) jw["error"] = w.error;
    if (!w.stuck_in.empty()) jw["stuck_in"] = w.stuck_in;
    if (p.strategy == Strategy::kLease) {
      jw["leases_expired"] = w.leases_expired;
      jw["late_writes_rejected"] = w.fenced_out;
    }
    for (const UnfinishedOp& u : r.unfinished) {
      if (u.worker != w.number) continue;
      const auto value = [&u](std::int64_t v) {
        return u.values_known ? nlohmann::json(v) : nlohmann::json(nullptr);
      };
      jw["unfinished_op"] = {{"op", u.op},
                             {"read", value(u.value_read)},
                             {"wrote", value(u.value_written)},
                             {"write", write_fate_name(u.fate)}};
    }
    workers.push_back(std::move(jw));
  }
  nlohmann::json j = run_params_json(p);
  j.update({
      {"schedule", r.schedule ? nlohmann::json(*r.schedule) : nlohmann::json(nullptr)},
      {"expected", r.expected},
      {"final", r.final_value},
      {"lost_updates", r.lost_updates},
      {"correct", r.correct},
      {"verify_detections",
       {{"total", r.verify_changed + r.verify_overwritten},
        {"changed_since_write", r.verify_changed},
        {"overwritten", r.verify_overwritten}}},
      {"torn_reads", r.torn_reads},
      {"attribution", attribution_text(r)},
      {"lost", std::move(lost)},
      {"lost_total", r.attribution.lost.size()},
      {"lost_truncated", r.attribution.lost.size() > options.max_lost},
      {"per_worker", std::move(workers)},
      {"recoveries", r.recoveries},
      {"trace", {{"events", trace_events}, {"dropped", trace_dropped}}},
      {"elapsed_ms", static_cast<double>(r.record.elapsed_ns) / 1e6},
      {"exit_code", exit_code},
      {"interrupted", r.outcome == Outcome::kInterrupted},
      {"run_name",
       options.run_name.empty() ? nlohmann::json(nullptr) : nlohmann::json(options.run_name)},
  });
  if (r.record.final_record) {
    j["last_writer"] = r.record.final_record->last_writer;
    j["final_write_id"] = r.record.final_record->write_id;
  }
  if (!r.record.watchdog_report.empty()) j["watchdog"] = r.record.watchdog_report;
  if (p.scenario != Scenario::kCounter) add_scenario_json(r, j);
  if (p.crash.worker != 0) {
    j["crash"] = {{"worker", p.crash.worker},
                  {"point", crash_point_name(p.crash.point)},
                  {"op", p.crash.op},
                  {"spec", format_crash_spec(p.crash)}};
  }
  if (p.pause.worker != 0) {
    const WorkerRecord* w =
        p.pause.worker <= r.record.workers.size() ? &r.record.workers[p.pause.worker - 1] : nullptr;
    const bool paused = w != nullptr && w->paused_ns != 0;
    const bool resumed = paused && w->resumed_ns != 0;
    j["pause"] = {
        {"worker", p.pause.worker},
        {"point", crash_point_name(p.pause.point)},
        {"ms", p.pause.ms},
        {"spec", format_pause_spec(p.pause)},
        {"paused", paused},
        // From the workers' release, and how long it really stayed stopped.
        {"paused_at_ms",
         paused ? nlohmann::json(static_cast<double>(w->paused_ns - r.record.go_ns) / 1e6)
                : nlohmann::json(nullptr)},
        {"stopped_ms", resumed
                           ? nlohmann::json(static_cast<double>(w->resumed_ns - w->paused_ns) / 1e6)
                           : nlohmann::json(nullptr)},
    };
  }
  if (p.strategy == Strategy::kLease) {
    j["lease"] = {{"ms", p.lease.ms},
                  {"fencing", p.lease.fencing},
                  {"leases_expired", r.leases_expired},
                  {"late_writes_rejected", r.late_writes_rejected}};
  }
  if (!r.schedule) {
    const bool captured = r.observed.captured();
    j["observed_schedule"] =
        captured ? nlohmann::json(format_schedule(r.observed.tokens)) : nlohmann::json(nullptr);
    j["observed_schedule_reason"] =
        captured ? nlohmann::json(nullptr) : nlohmann::json(r.observed.reason);
    j["replay_command"] = captured ? nlohmann::json(replay_command(r)) : nlohmann::json(nullptr);
    if (r.replay_checked) {
      j["replay_check"] = {{"confirmed", r.replay_differences.empty()},
                           {"differences", r.replay_differences}};
    }
  }
  if (r.schedule) {
    j["schedule_taken"] = r.record.schedule_taken;
    if (!r.record.schedule_blocked.empty()) j["schedule_blocked"] = r.record.schedule_blocked;
    nlohmann::json skipped = nlohmann::json::array();
    for (const SkippedToken& t : r.record.schedule_skipped)
      skipped.push_back({{"position", t.position}, {"token", t.token}});
    j["schedule_skipped"] = std::move(skipped);
  }
  return j;
}

void write_result_json(std::ostream& out, const RunResult& r, int exit_code,
                       const JsonOptions& options) {
  JsonOptions skeleton = options;
  skeleton.max_lost = 0;
  nlohmann::json j = result_json(r, exit_code, skeleton);
  j["lost_truncated"] = r.attribution.lost.size() > options.max_lost;
  j["lost"] = std::string("\x01lost\x01");
  const std::string text = j.dump(2);
  const std::size_t at = text.find(kLostPlaceholder);
  out << std::string_view(text).substr(0, at) << '[';  // `at` found: the key is always there
  std::size_t n = 0;
  for (const LostUpdate& l : r.attribution.lost) {
    if (n == options.max_lost) break;
    out << (n++ == 0 ? "\n    " : ",\n    ") << lost_json(l).dump();
  }
  out << (n == 0 ? "]" : "\n  ]") << std::string_view(text).substr(at + kLostPlaceholder.size())
      << '\n';
  out.flush();
}

}  // namespace shmlab
