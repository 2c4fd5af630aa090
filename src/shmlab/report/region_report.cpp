#include "shmlab/report/region_report.hpp"

#include <fmt/format.h>
#include <signal.h>

#include <cerrno>

#include "shmlab/region/backend.hpp"
#include "shmlab/region/region.hpp"
#include "shmlab/run/crash_spec.hpp"
#include "shmlab/run/delay.hpp"
#include "shmlab/sync/strategy.hpp"

namespace shmlab {
namespace {

std::string_view state_name(WorkerState s) {
  switch (s) {
    case WorkerState::kSpawned:
      return "spawned";
    case WorkerState::kReady:
      return "ready";
    case WorkerState::kRunning:
      return "running";
    case WorkerState::kDone:
      return "done";
    case WorkerState::kFailed:
      return "failed";
  }
  return "unknown";
}

bool pid_alive(std::int32_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

}  // namespace

nlohmann::json region_report(const ControlBlock& control) {
  const ControlHeader& h = control.header();
  const RunParams& p = h.params;
  std::unique_ptr<Region> region = attach_region(p);
  const CounterRecord value = region->read();
  const std::int64_t total = region->total();

  nlohmann::json workers = nlohmann::json::array();
  std::uint32_t index = 0;
  for (const WorkerSlot& s : control.slots()) {
    const auto log = control.write_log(index++);
    std::uint64_t logged = 0;
    for (const WriteEntry& e : log) logged += e.value_written != 0 ? 1 : 0;
    workers.push_back({{"id", index},
                       {"pid", s.pid.load(std::memory_order_relaxed)},
                       {"state", state_name(s.state.load(std::memory_order_relaxed))},
                       {"ops", s.ops.load(std::memory_order_relaxed)},
                       {"retries", s.retries.load(std::memory_order_relaxed)},
                       {"recoveries", s.recoveries.load(std::memory_order_relaxed)},
                       {"writes_logged", logged}});
  }
  return {
      {"name", control.name()},
      {"header",
       {{"magic", fmt::format("{:#x}", h.magic)},
        {"version", h.version},
        {"size", h.total_size},
        {"owner_pid", h.owner_pid},
        {"owner_alive", pid_alive(h.owner_pid)},
        {"owner_uid", h.owner_uid},
        {"created_ms", h.created_ms},
        {"kept", h.kept.load(std::memory_order_relaxed) != 0}}},
      {"params",
       {{"scenario", "counter"},
        {"backend", backend_name(p.backend)},
        {"strategy", strategy_name(p.strategy)},
        {"workers", p.workers},
        {"increments", p.increments},
        {"seed", p.seed},
        {"delay", format_delay_spec(p.delays)},
        {"scheduled", p.scheduled},
        {"crash", p.crash.worker != 0 ? nlohmann::json(format_crash_spec(p.crash))
                                      : nlohmann::json(nullptr)},
        {"region", p.region_path}}},
      {"values",
       {{"counter", value.counter},
        {"total", total},
        {"last_writer", value.last_writer},
        {"timestamp_ms", value.timestamp_ms},
        {"write_id", value.write_id}}},
      {"lock_holder", h.holder.load(std::memory_order_relaxed)},
      {"workers", std::move(workers)},
      {"writes_logged", control.logs_writes()},
      // Per-worker trace rings arrive with --trace; until then no run records a trace.
      {"trace_events", nullptr},
  };
}

std::string region_report_text(const nlohmann::json& r) {
  const auto& h = r["header"];
  const auto& p = r["params"];
  const auto& v = r["values"];
  std::string out = fmt::format("shmlab region {}\n", r["name"].get<std::string>());
  out += fmt::format("  header   version {}, {} bytes, owner PID {} ({}), uid {}{}\n",
                     h["version"].get<int>(), h["size"].get<std::uint64_t>(),
                     h["owner_pid"].get<int>(), h["owner_alive"].get<bool>() ? "alive" : "gone",
                     h["owner_uid"].get<unsigned>(), h["kept"].get<bool>() ? ", kept" : "");
  out += fmt::format(
      "  run      {} workers x {} increments, strategy {}, backend {}, delay {}, seed {}{}\n",
      p["workers"].get<unsigned>(), p["increments"].get<std::uint64_t>(),
      p["strategy"].get<std::string>(), p["backend"].get<std::string>(),
      p["delay"].get<std::string>(), p["seed"].get<std::uint64_t>(),
      p["crash"].is_null() ? "" : ", crash " + p["crash"].get<std::string>());
  out += fmt::format("  region   {}\n", p["region"].get<std::string>());
  out += fmt::format("  values   counter {} (total {}), last writer {}, write id {}\n",
                     v["counter"].get<std::int64_t>(), v["total"].get<std::int64_t>(),
                     v["last_writer"].get<unsigned>(), v["write_id"].get<std::uint64_t>());
  const int holder = r["lock_holder"].get<int>();
  out += holder == 0 ? "  lock     free\n" : fmt::format("  lock     held by worker {}\n", holder);
  out += "  workers\n";
  for (const auto& w : r["workers"]) {
    out += fmt::format(
        "    {:>4}  PID {:<8} {:<8} ops {:<8} retries {:<6} recoveries {:<3} writes logged {}\n",
        w["id"].get<unsigned>(), w["pid"].get<int>(), w["state"].get<std::string>(),
        w["ops"].get<std::uint64_t>(), w["retries"].get<std::uint64_t>(),
        w["recoveries"].get<std::uint64_t>(), w["writes_logged"].get<std::uint64_t>());
  }
  out += r["trace_events"].is_null()
             ? "  trace    none recorded\n"
             : fmt::format("  trace    {} events\n", r["trace_events"].get<std::uint64_t>());
  return out;
}

}  // namespace shmlab
