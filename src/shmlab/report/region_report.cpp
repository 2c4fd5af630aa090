#include "shmlab/report/region_report.hpp"

#include <fmt/format.h>
#include <signal.h>

#include <cerrno>

#include "shmlab/control/trace_ring_check.hpp"
#include "shmlab/pg/connection.hpp"
#include "shmlab/pg/run_schema.hpp"
#include "shmlab/region/backend.hpp"
#include "shmlab/region/pg_region.hpp"
#include "shmlab/region/region.hpp"
#include "shmlab/report/json_result.hpp"
#include "shmlab/run/crash_spec.hpp"
#include "shmlab/run/delay.hpp"
#include "shmlab/scenario/registry.hpp"
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

// The value a step is about: what R read, what W, A or C wrote, what V found; L and U have none.
nlohmann::json step_value(const TraceEvent& e) {
  switch (e.step) {
    case 'R':
      return e.before;
    case 'W':
    case 'A':
    case 'C':
    case 'V':
      return e.after;
    default:
      return nullptr;
  }
}

nlohmann::json step_flags(std::uint8_t flags) {
  nlohmann::json out = nlohmann::json::array();
  if (flags & TraceEvent::kFailed) out.push_back("failed");
  if (flags & TraceEvent::kRecovered) out.push_back("recovered");
  if (flags & TraceEvent::kChanged) out.push_back("changed");
  if (flags & TraceEvent::kOverwritten) out.push_back("overwritten");
  if (flags & TraceEvent::kAborted) out.push_back("aborted");
  return out;
}

// Each worker's ring: its counts, its newest kInspectJsonEvents events, or why it is not believed.
nlohmann::json trace_report(const ControlSnapshot& control) {
  const ControlHeader& h = control.header();
  if (!h.params.trace) return nullptr;
  nlohmann::json workers = nlohmann::json::array();
  std::uint64_t capacity = 0;
  for (std::uint32_t i = 0; i < h.params.workers; ++i) {
    const bool live = pid_alive(control.slots()[i].pid.load(std::memory_order_relaxed));
    const TraceRingView ring =
        live ? read_trace_ring(control.data(), control.size(), i, RingOwner::kLive,
                               control.ring_count_now(i))
             : read_trace_ring(control.data(), control.size(), i, RingOwner::kGone);
    capacity = ring.capacity;
    nlohmann::json events = nlohmann::json::array();
    const std::size_t from =
        ring.held.size() > kInspectJsonEvents ? ring.held.size() - kInspectJsonEvents : 0;
    for (std::size_t k = from; k < ring.held.size(); ++k) {
      const TraceEvent& e = ring.held[k];
      events.push_back({{"n", ring.recorded - ring.held.size() + k + 1},
                        {"op", e.op + 1ULL},
                        {"step", std::string(1, e.step)},
                        {"value", step_value(e)},
                        {"before", e.before},
                        {"after", e.after},
                        {"write_id", e.id},
                        {"flags", step_flags(e.flags)},
                        {"t_begin_ns", e.t_begin_ns},
                        {"t_end_ns", e.t_end_ns}});
      // A scenario of several cells names the cell of each step (the lock's, for L and U).
      if (h.params.scenario != Scenario::kCounter)
        events.back()["cell"] = cell_name(h.params, e.cell);
    }
    nlohmann::json w = {
        {"id", i + 1},
        {"recorded", ring.recorded},
        {"overflowed", ring.overflowed},
        {"held", ring.held.size()},
        {"events", std::move(events)},
        {"problem", ring.problem.empty() ? nlohmann::json(nullptr) : nlohmann::json(ring.problem)}};
    workers.push_back(std::move(w));
  }
  return {{"capacity", capacity}, {"workers", std::move(workers)}};
}

// Every cell of the region: its name, value, last writer and the id of the write that left it.
nlohmann::json cells_report(const RunParams& p, Region& region) {
  const std::vector<CounterRecord> records = region.read_all(region_cells(p));
  nlohmann::json out = nlohmann::json::array();
  for (std::uint32_t i = 0; i < records.size(); ++i) {
    const CounterRecord& c = records[i];
    out.push_back({{"name", cell_name(p, i)},
                   {"value", c.counter},
                   {"last_writer", c.last_writer},
                   {"timestamp_ms", c.timestamp_ms},
                   {"write_id", c.write_id}});
  }
  return out;
}

// The per-account locks (account-locks, ordered-locks): who holds each, who waits for it.
nlohmann::json lock_table_report(const ControlSnapshot& control) {
  const RunParams& p = control.params();
  if (p.strategy != Strategy::kAccountLocks && p.strategy != Strategy::kOrderedLocks)
    return nullptr;
  const std::uint32_t locks = std::min(region_cells(p), kMaxAccounts);
  nlohmann::json out = nlohmann::json::array();
  for (std::uint32_t l = 0; l < locks; ++l) {
    const std::int32_t holder = control.header().locks[l].holder.load(std::memory_order_relaxed);
    nlohmann::json waiters = nlohmann::json::array();
    std::uint32_t number = 0;
    for (const WorkerSlot& s : control.slots()) {
      ++number;
      if (s.waiting_for.load(std::memory_order_relaxed) == l + 1) waiters.push_back(number);
    }
    out.push_back({{"lock", cell_name(p, l)},
                   {"holder", holder > 0 ? nlohmann::json(holder) : nlohmann::json(nullptr)},
                   {"waiting", std::move(waiters)}});
  }
  return out;
}

// The region a run creates is named by its id: "/<id>-region" in /dev/shm, or
// "<dir>/<id>/<id>.<ext>" in its private directory. A header that names anything else is not
// believed, so a crafted control block cannot make inspect open a file of its choosing.
void check_region_path(const RunParams& p) {
  const std::string id = p.run_id;
  const std::string path = p.region_path;
  bool fits = false;
  if (p.backend == Backend::kShm) {
    fits = path == "/" + id + "-region";
  } else if (p.backend == Backend::kPostgres) {
    // "schema=<the run's schema> <dsn>": a connection, no file to open.
    fits = !id.empty() && path.starts_with("schema=" + pg::run_schema_name(id) + " ");
  } else {
    const std::string tail = "/" + id + "/" + id + ".";
    const auto at = path.rfind(tail);
    fits = !id.empty() && at != std::string::npos && at != 0 && path[0] == '/' &&
           path.find('/', at + tail.size()) == std::string::npos &&
           path.find("/../") == std::string::npos;
  }
  if (!fits)
    throw std::system_error(
        EINVAL, std::generic_category(),
        fmt::format("region path \"{}\" is not run {}'s", pg::redact_password(path), id));
}

}  // namespace

nlohmann::json region_report(const ControlSnapshot& control) {
  const ControlHeader& h = control.header();
  const RunParams& p = h.params;
  check_region_path(p);
  // postgres: the run's throwaway server is stopped at its end, so its rows are gone; the control
  // block is still worth printing. The DSN's password is never printed.
  const bool postgres = p.backend == Backend::kPostgres;
  std::unique_ptr<Region> region;
  std::string region_error;
  try {
    region = attach_region(p);
  } catch (const std::exception& e) {
    if (!postgres) throw;
    region_error = pg::redact_password(e.what());
  }

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
  nlohmann::json params = run_params_json(p);
  params.update({{"scheduled", p.scheduled},
                 {"crash", p.crash.worker != 0 ? nlohmann::json(format_crash_spec(p.crash))
                                               : nlohmann::json(nullptr)},
                 {"region", postgres ? pg::redact_password(p.region_path) : p.region_path}});
  nlohmann::json report = {
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
      {"params", params},
      {"values", nullptr},
      {"cells", nullptr},
      {"lock_holder", h.holder.load(std::memory_order_relaxed)},
      {"lock_table", lock_table_report(control)},
      {"workers", std::move(workers)},
      {"writes_logged", control.logs_writes()},
      {"trace_events", nullptr},
      {"trace", trace_report(control)},
  };
  if (region) {
    const CounterRecord value = region->read();
    report["values"] = {{"counter", value.counter},
                        {"total", region->total()},
                        {"last_writer", value.last_writer},
                        {"timestamp_ms", value.timestamp_ms},
                        {"write_id", value.write_id}};
    report["cells"] = cells_report(p, *region);
  } else {
    report["region_error"] = region_error;
  }
  if (!report["trace"].is_null()) {
    std::uint64_t events = 0;
    for (const auto& w : report["trace"]["workers"]) events += w["recorded"].get<std::uint64_t>();
    report["trace_events"] = events;
  }
  return report;
}

std::vector<std::string> trace_problems(const nlohmann::json& report) {
  std::vector<std::string> out;
  if (!report.contains("trace") || report["trace"].is_null()) return out;
  for (const auto& w : report["trace"]["workers"]) {
    if (!w["problem"].is_null())
      out.push_back(fmt::format("worker {}'s trace ring is corrupt: {}", w["id"].get<unsigned>(),
                                w["problem"].get<std::string>()));
  }
  return out;
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
  if (v.is_null()) {
    out += fmt::format("  values   unavailable: {}\n", r["region_error"].get<std::string>());
  } else if (p["scenario"] == "counter") {
    out += fmt::format("  values   counter {} (total {}), last writer {}, write id {}\n",
                       v["counter"].get<std::int64_t>(), v["total"].get<std::int64_t>(),
                       v["last_writer"].get<unsigned>(), v["write_id"].get<std::uint64_t>());
  } else {
    out += "  cells\n";
    for (const auto& c : r["cells"]) {
      const unsigned writer = c["last_writer"].get<unsigned>();
      out += fmt::format("    {:>6}  {:<10} last writer {:<10} write id {}\n",
                         c["name"].get<std::string>(), c["value"].get<std::int64_t>(),
                         writer == 0 ? std::string("none") : fmt::format("worker {}", writer),
                         c["write_id"].get<std::uint64_t>());
    }
  }
  if (r["lock_table"].is_null()) {
    const int holder = r["lock_holder"].get<int>();
    out +=
        holder == 0 ? "  lock     free\n" : fmt::format("  lock     held by worker {}\n", holder);
  } else {
    out += "  locks\n";
    for (const auto& l : r["lock_table"]) {
      std::string waiting;
      for (const auto& w : l["waiting"])
        waiting += fmt::format("{}worker {}", waiting.empty() ? "" : ", ", w.get<unsigned>());
      out += fmt::format("    {:>6}  {}{}\n", l["lock"].get<std::string>(),
                         l["holder"].is_null()
                             ? std::string("free")
                             : fmt::format("held by worker {}", l["holder"].get<int>()),
                         waiting.empty() ? "" : "; waiting: " + waiting);
    }
  }
  out += "  workers\n";
  for (const auto& w : r["workers"]) {
    out += fmt::format(
        "    {:>4}  PID {:<8} {:<8} ops {:<8} retries {:<6} recoveries {:<3} writes logged {}\n",
        w["id"].get<unsigned>(), w["pid"].get<int>(), w["state"].get<std::string>(),
        w["ops"].get<std::uint64_t>(), w["retries"].get<std::uint64_t>(),
        w["recoveries"].get<std::uint64_t>(), w["writes_logged"].get<std::uint64_t>());
  }
  if (r["trace"].is_null())
    return out + "  trace    none recorded (the run was made without trace)\n";
  out += fmt::format("  trace    {} events, rings of {} events\n",
                     r["trace_events"].get<std::uint64_t>(),
                     r["trace"]["capacity"].get<std::uint64_t>());
  for (const auto& w : r["trace"]["workers"]) {
    out += fmt::format("    {:>4}  recorded {}, overflowed {}", w["id"].get<unsigned>(),
                       w["recorded"].get<std::uint64_t>(), w["overflowed"].get<std::uint64_t>());
    if (!w["problem"].is_null()) {
      out += fmt::format("; ring corrupt, events not shown: {}\n", w["problem"].get<std::string>());
      continue;
    }
    const auto& events = w["events"];
    const std::size_t shown = std::min(events.size(), kInspectTextEvents);
    out += shown == 0 ? "\n" : fmt::format("; last {}:", shown);
    for (std::size_t k = events.size() - shown; k < events.size(); ++k) {
      const auto& e = events[k];
      out += fmt::format(" op {} {}", e["op"].get<std::uint64_t>(), e["step"].get<std::string>());
      if (e.contains("cell")) out += " " + e["cell"].get<std::string>();
      if (!e["value"].is_null()) out += fmt::format(" {}", e["value"].get<std::int64_t>());
      for (const auto& f : e["flags"]) out += fmt::format(" ({})", f.get<std::string>());
      out += k + 1 == events.size() ? "\n" : ",";
    }
  }
  return out;
}

}  // namespace shmlab
