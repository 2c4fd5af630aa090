#include "shmlab/analysis/replay_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

namespace shmlab {
namespace {

using Erasure = std::tuple<std::uint32_t, std::uint32_t, std::uint64_t, std::uint32_t,
                           std::uint64_t>;  // cell, lost worker/op, eraser worker/op

std::vector<Erasure> erasures(const RunResult& r) {
  std::vector<Erasure> out;
  for (const LostUpdate& l : r.attribution.lost)
    out.emplace_back(l.cell, l.lost.worker, l.lost.op, l.erased_by.worker, l.erased_by.op);
  std::sort(out.begin(), out.end());
  return out;
}

std::string erasure_text(const Erasure& e) {
  return fmt::format("worker {}'s op {} erased by worker {}'s op {}", std::get<1>(e),
                     std::get<2>(e), std::get<3>(e), std::get<4>(e));
}

}  // namespace

ReplayCheck compare_replay(const RunResult& a, const RunResult& b) {
  ReplayCheck c;
  c.ran = true;
  auto differ = [&c](std::string what, auto x, auto y) {
    if (x != y)
      c.differences.push_back(fmt::format("{}: {} in the run, {} in the replay", what, x, y));
  };
  differ("final", a.final_value, b.final_value);
  differ("lost updates", a.lost_updates, b.lost_updates);
  for (std::size_t i = 0; i < a.record.final_cells.size() && i < b.record.final_cells.size(); ++i)
    differ(fmt::format("cell {}", i), a.record.final_cells[i].counter,
           b.record.final_cells[i].counter);
  const std::vector<Erasure> ea = erasures(a);
  const std::vector<Erasure> eb = erasures(b);
  if (a.attributed && b.attributed && ea != eb) {
    for (const Erasure& e : ea) {
      if (std::find(eb.begin(), eb.end(), e) == eb.end())
        c.differences.push_back(fmt::format("not in the replay: {}", erasure_text(e)));
    }
    for (const Erasure& e : eb) {
      if (std::find(ea.begin(), ea.end(), e) == ea.end())
        c.differences.push_back(fmt::format("only in the replay: {}", erasure_text(e)));
    }
  }
  for (std::size_t i = 0; i < a.record.workers.size() && i < b.record.workers.size(); ++i) {
    const WorkerRecord& x = a.record.workers[i];
    const WorkerRecord& y = b.record.workers[i];
    differ(fmt::format("worker {}'s VERIFY saw overwritten", x.number), x.verify_overwritten,
           y.verify_overwritten);
    differ(fmt::format("worker {}'s VERIFY saw changed", x.number), x.verify_changed,
           y.verify_changed);
    differ(fmt::format("worker {}'s operations that took effect", x.number), x.completed,
           y.completed);
  }
  differ("invariant held", a.scenario.invariant_held, b.scenario.invariant_held);
  return c;
}

}  // namespace shmlab
