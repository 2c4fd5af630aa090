#include "shmlab/litmus/litmus_output.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace shmlab::litmus {
namespace {

std::string placement_text(const LitmusPlacement& p) {
  const std::size_t n = p.cpus.size();
  if (p.pinned()) return fmt::format("{} processes, pinned to CPUs {}", n, fmt::join(p.cpus, ", "));
  return fmt::format(
      "{} processes, not pinned: only {} CPU{} for {} threads, the scheduler shares them", n,
      p.cpus_available, p.cpus_available == 1 ? "" : "s", n);
}

std::string percent(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? "0%"
                    : fmt::format("{:.3g}%",
                                  100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

}  // namespace

std::string verdict_line(const LitmusResult& r, std::optional<Arch> arch) {
  const VerdictEntry& e = verdict_entry(r.test, r.order);
  const std::uint64_t pos = r.positive();
  if (!arch) {
    return fmt::format(
        "no verdict: shmlab has no model of this architecture (x86-TSO: {}, "
        "AArch64: {}); observed {} times in {} iterations",
        verdict_name(e.x86), verdict_name(e.aarch64), pos, r.iterations);
  }
  const Verdict v = verdict(r.test, r.order, *arch);
  const std::string reference = *arch == Arch::kX86Tso
                                    ? fmt::format("AArch64: {}", verdict_name(e.aarch64))
                                    : fmt::format("x86-TSO: {}", verdict_name(e.x86));
  if (v == Verdict::kForbidden && pos != 0) {
    return fmt::format(
        "FORBIDDEN on {} yet OBSERVED {} times in {} iterations: the test, the compiler or the "
        "machine is wrong",
        arch_name(*arch), pos, r.iterations);
  }
  if (v == Verdict::kForbidden) {
    return fmt::format("forbidden on {} ({}), never observed in {} iterations", arch_name(*arch),
                       reference, r.iterations);
  }
  if (pos == 0) {
    return fmt::format(
        "allowed on {} ({}), not observed in {} iterations (allowed is not "
        "required: run longer)",
        arch_name(*arch), reference, r.iterations);
  }
  return fmt::format("allowed on {} ({}), observed {} times in {} iterations ({})",
                     arch_name(*arch), reference, pos, r.iterations, percent(pos, r.iterations));
}

namespace {

std::string_view observation(const LitmusResult& r) {
  const std::uint64_t pos = r.positive();
  return pos == 0 ? "Never" : pos == r.iterations ? "Always" : "Sometimes";
}

}  // namespace

bool forbidden_observed(const LitmusResult& r, std::optional<Arch> arch) {
  return arch && verdict(r.test, r.order, *arch) == Verdict::kForbidden && r.positive() != 0;
}

std::string litmus_text(const LitmusResult& r, std::optional<Arch> arch) {
  const LitmusTestInfo& info = litmus_info(r.test);
  std::string out =
      fmt::format("Test {} ({}), order {}\n", info.name, info.title, access_order_name(r.order));
  for (std::uint32_t t = 0; t < info.threads; ++t)
    out += fmt::format("  thread {}: {}\n", t, info.code[t]);
  out += fmt::format("  {}\n", placement_text(r.placement));
  const std::size_t marked = state_index(info.marked);
  const auto states =
      std::count_if(r.histogram.begin(), r.histogram.end(), [](std::uint64_t c) { return c != 0; });
  out += fmt::format("Histogram ({} state{})\n", states, states == 1 ? "" : "s");
  for (std::size_t i = 0; i < kStateCount; ++i) {
    if (r.histogram[i] == 0) continue;
    out += fmt::format("{:>10} {}>{}\n", r.histogram[i], i == marked ? '*' : ':',
                       format_state(info, state_at(i)));
  }
  out += fmt::format("Witnesses: Positive {}, Negative {}\n", r.positive(), r.negative());
  out += fmt::format("Condition exists ({}) is {}validated\n", format_condition(info),
                     r.positive() == 0 ? "NOT " : "");
  out += fmt::format("Verdict: {}\n", verdict_line(r, arch));
  out += fmt::format("Observation {} {} {} {}\n", info.name, observation(r), r.positive(),
                     r.negative());
  out += fmt::format("Time {} {:.2f} s: {} iterations in {} batches ({:.0f} iterations/s)\n",
                     info.name, r.elapsed_s, r.iterations, r.batches,
                     r.elapsed_s > 0 ? static_cast<double>(r.iterations) / r.elapsed_s : 0.0);
  return out;
}

std::string litmus_summary(std::span<const LitmusResult> results, std::optional<Arch> arch) {
  std::string out = fmt::format("{:<5} {:<16} {:<36} {:<10} {:<10} {}\n", "test", "order",
                                "marked outcome", arch ? arch_name(*arch) : "x86-TSO",
                                arch == Arch::kAArch64 ? "x86-TSO" : "AArch64", "observed");
  for (const LitmusResult& r : results) {
    const LitmusTestInfo& info = litmus_info(r.test);
    const VerdictEntry& e = verdict_entry(r.test, r.order);
    const Verdict here = arch ? verdict(r.test, r.order, *arch) : e.x86;
    const Verdict other = arch == Arch::kAArch64 ? e.x86 : e.aarch64;
    out += fmt::format("{:<5} {:<16} {:<36} {:<10} {:<10} {} / {}{}\n", info.name,
                       access_order_name(r.order), format_condition(info), verdict_name(here),
                       verdict_name(other), r.positive(), r.iterations,
                       forbidden_observed(r, arch) ? "  FORBIDDEN OUTCOME OBSERVED" : "");
  }
  return out;
}

nlohmann::json litmus_json(std::span<const LitmusResult> results, std::optional<Arch> arch,
                           int exit_code) {
  nlohmann::json list = nlohmann::json::array();
  bool any_forbidden = false;
  for (const LitmusResult& r : results) {
    const LitmusTestInfo& info = litmus_info(r.test);
    const VerdictEntry& e = verdict_entry(r.test, r.order);
    const std::size_t marked = state_index(info.marked);
    nlohmann::json histogram = nlohmann::json::array();
    for (std::size_t i = 0; i < kStateCount; ++i) {
      if (r.histogram[i] == 0) continue;
      const State s = state_at(i);
      nlohmann::json values = nlohmann::json::object();
      for (std::uint32_t v = 0; v < info.values; ++v) values[info.value_names[v]] = s[v];
      histogram.push_back({{"state", format_state(info, s)},
                           {"values", values},
                           {"count", r.histogram[i]},
                           {"marked", i == marked}});
    }
    nlohmann::json cpus = nlohmann::json::array();
    for (int c : r.placement.cpus) cpus.push_back(c >= 0 ? nlohmann::json(c) : nlohmann::json());
    const bool bad = forbidden_observed(r, arch);
    any_forbidden = any_forbidden || bad;
    list.push_back({
        {"test", info.name},
        {"title", info.title},
        {"order", access_order_name(r.order)},
        {"threads", info.threads},
        {"pinned", r.placement.pinned()},
        {"cpus", cpus},
        {"iterations", r.iterations},
        {"batches", r.batches},
        {"elapsed_ms", r.elapsed_s * 1e3},
        {"histogram", histogram},
        {"condition", format_condition(info)},
        {"positive", r.positive()},
        {"negative", r.negative()},
        {"verdict",
         arch ? nlohmann::json(verdict_name(verdict(r.test, r.order, *arch))) : nlohmann::json()},
        {"observed", r.positive() != 0},
        {"forbidden_observed", bad},
        {"reference", {{"x86-TSO", verdict_name(e.x86)}, {"AArch64", verdict_name(e.aarch64)}}},
        {"why", e.why},
    });
  }
  return {{"architecture", arch ? nlohmann::json(arch_name(*arch)) : nlohmann::json()},
          {"cpus", results.empty() ? 0u : results.front().placement.cpus_available},
          {"results", list},
          {"forbidden_observed", any_forbidden},
          {"exit_code", exit_code}};
}

}  // namespace shmlab::litmus
