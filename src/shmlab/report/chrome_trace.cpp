#include "shmlab/report/chrome_trace.hpp"

#include <fmt/format.h>

#include "shmlab/region/backend.hpp"
#include "shmlab/report/replay_line.hpp"
#include "shmlab/report/trace_index.hpp"
#include "shmlab/run/delay.hpp"
#include "shmlab/scenario/registry.hpp"
#include "shmlab/sync/strategy.hpp"

namespace shmlab {
namespace {

using nlohmann::json;

// Trace-event timestamps are microseconds; fractions keep the nanoseconds.
double us(double ms) { return ms * 1000.0; }

// Scenarios of several cells name the cell a step touched (the lock, for L and U).
json scenario_args(json a, const TraceEvent& e, const RunParams& p) {
  if (p.scenario == Scenario::kCounter) return a;
  if (e.step == 'L' || e.step == 'U') {
    a["lock"] = lock_name(e, p);
    if (e.step == 'L') a["wait_ms"] = static_cast<double>(e.t_end_ns - e.t_begin_ns) / 1e6;
    if (never_granted(e)) a["never_granted"] = true;
  } else {
    a["cell"] = cell_name(p, e.cell);
  }
  return a;
}

// A scenario's lock step that waited is a "wait" (Perfetto colours and filters by category).
std::string category(const TraceEvent& e, const RunParams& p) {
  const bool waited = e.step == 'L' && e.t_end_ns - e.t_begin_ns >= kNotableWaitNs;
  if (p.scenario != Scenario::kCounter && (waited || never_granted(e))) return "wait";
  return std::string(step_name(e.step));
}

json step_args(const TraceEvent& e, const TraceIndex& index) {
  json a = {{"op", e.op + 1}};
  switch (e.step) {
    case 'R':
      a["value"] = e.before;
      a["read_write_id"] = e.id;
      break;
    case 'W':
    case 'A':
    case 'C':
      a["read"] = e.before;
      a["wrote"] = e.after;
      a["write_id"] = e.id;
      a["based_on"] = e.based_on;
      break;
    case 'V':
      a["wrote"] = e.before;
      a["now"] = e.after;
      a["now_write_id"] = e.id;
      a["verdict"] = (e.flags & TraceEvent::kOverwritten) != 0 ? "overwritten"
                     : (e.flags & TraceEvent::kChanged) != 0   ? "changed since my write"
                                                               : "unchanged";
      break;
    default:
      break;
  }
  if ((e.flags & TraceEvent::kFailed) != 0) a["failed"] = true;
  if ((e.flags & TraceEvent::kRecovered) != 0) a["recovered"] = true;
  if ((e.flags & TraceEvent::kAborted) != 0) a["aborted"] = true;  // did nothing: rolled back
  if (const LostUpdate* l = index.lost(TraceIndex::write_of(e))) {
    a["lost"] = true;
    a["erased_by"] = fmt::format("worker {} op {}", l->erased_by.worker, l->erased_by.op);
  }
  return a;
}

}  // namespace

json chrome_trace_json(const RunResult& r) {
  const TraceIndex index(r);
  const RunRecord& rec = r.record;
  json events = json::array();
  // pid per worker: its real PID when known, else its number (a worker that never started).
  auto pid_of = [&](std::uint32_t number) {
    const std::int32_t pid = rec.workers[number - 1].pid;
    return pid > 0 ? pid : static_cast<std::int32_t>(number);
  };
  for (const WorkerRecord& w : rec.workers) {
    const std::int32_t pid = pid_of(w.number);
    events.push_back({{"ph", "M"},
                      {"name", "process_name"},
                      {"pid", pid},
                      {"tid", pid},
                      {"args", {{"name", fmt::format("worker {} (pid {})", w.number, w.pid)}}}});
    events.push_back({{"ph", "M"},
                      {"name", "process_sort_index"},
                      {"pid", pid},
                      {"tid", pid},
                      {"args", {{"sort_index", w.number}}}});
    events.push_back({{"ph", "M"},
                      {"name", "thread_name"},
                      {"pid", pid},
                      {"tid", pid},
                      {"args", {{"name", "steps"}}}});
  }
  std::uint64_t flow = 0;
  // Where each write sits, for the flow arrows' ends.
  std::unordered_map<std::uint64_t, const TraceStep*> writes;
  for (const TraceStep& s : index.steps()) {
    if (const std::uint64_t id = TraceIndex::write_of(*s.event)) writes[id] = &s;
  }
  for (const TraceStep& s : index.steps()) {
    const TraceEvent& e = *s.event;
    const std::int32_t pid = pid_of(s.worker);
    events.push_back({{"ph", "X"},
                      {"name", step_text(e, r.record.params)},
                      {"cat", category(e, r.record.params)},
                      {"pid", pid},
                      {"tid", pid},
                      {"ts", us(s.begin_ms)},
                      {"dur", us(s.end_ms - s.begin_ms)},
                      {"args", scenario_args(step_args(e, index), e, r.record.params)}});
    if (e.step == 'V' && (e.flags & (TraceEvent::kOverwritten | TraceEvent::kChanged)) != 0) {
      const bool over = (e.flags & TraceEvent::kOverwritten) != 0;
      events.push_back(
          {{"ph", "i"},
           {"s", "t"},
           {"name", over ? "race detected: my write was overwritten" : "changed since my write"},
           {"cat", "race"},
           {"pid", pid},
           {"tid", pid},
           {"ts", us(s.end_ms)},
           {"args", {{"wrote", e.before}, {"now", e.after}}}});
    }
    const LostUpdate* l = index.lost(TraceIndex::write_of(e));
    if (l == nullptr) continue;
    events.push_back(
        {{"ph", "i"},
         {"s", "t"},
         {"name", fmt::format("lost write {}→{}", e.before, e.after)},
         {"cat", "lost"},
         {"pid", pid},
         {"tid", pid},
         {"ts", us(s.end_ms)},
         {"args",
          {{"erased_by_worker", l->erased_by.worker},
           {"erased_by_op", l->erased_by.op},
           {"erased_by", fmt::format("worker {} wrote {} from its read of {}", l->erased_by.worker,
                                     l->erased_by.value_written, l->erased_by.value_read)}}}});
    const auto it = writes.find(l->erased_by.id);
    if (it == writes.end()) continue;
    const TraceStep& to = *it->second;
    // A flow arrow binds to the slices enclosing its ends: from the lost write to its eraser.
    ++flow;
    events.push_back({{"ph", "s"},
                      {"id", flow},
                      {"name", "erased by"},
                      {"cat", "lost"},
                      {"pid", pid},
                      {"tid", pid},
                      {"ts", us((s.begin_ms + s.end_ms) / 2)}});
    events.push_back({{"ph", "f"},
                      {"bp", "e"},
                      {"id", flow},
                      {"name", "erased by"},
                      {"cat", "lost"},
                      {"pid", pid_of(to.worker)},
                      {"tid", pid_of(to.worker)},
                      {"ts", us((to.begin_ms + to.end_ms) / 2)}});
  }
  const RunParams& p = rec.params;
  // A run under --schedule is its own replay: the schedule, and no observed one.
  const bool captured = !r.schedule && r.observed.captured();
  return {{"traceEvents", std::move(events)},
          {"displayTimeUnit", "ms"},
          {"otherData",
           {{"tool", "shmlab"},
            {"scenario", scenario_of(p.scenario).name()},
            {"workers", p.workers},
            {"increments", p.increments},
            {"strategy", strategy_name(p.strategy)},
            {"backend", backend_name(p.backend)},
            {"delay", format_delay_spec(p.delays)},
            {"seed", p.seed},
            {"initial", p.scenario == Scenario::kCounter ? nlohmann::json(p.scenario_params.initial)
                                                         : nlohmann::json(nullptr)},
            {"expected", r.expected},
            {"final", r.final_value},
            {"lost_updates", r.lost_updates},
            {"trace_dropped_events", index.dropped()},
            {"schedule", r.schedule ? nlohmann::json(*r.schedule) : nlohmann::json(nullptr)},
            {"observed_schedule", captured ? nlohmann::json(format_schedule(r.observed.tokens))
                                           : nlohmann::json(nullptr)},
            {"replay_command",
             captured ? nlohmann::json(replay_command(r)) : nlohmann::json(nullptr)}}}};
}

}  // namespace shmlab
