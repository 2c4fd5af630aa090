// `shmlab litmus`: the classic memory-ordering litmus tests (SB, MP, LB, IRIW, 2+2W) between real
// processes on POSIX shared memory, with litmus7-style histograms and the verdict of this machine's
// memory model; and `shmlab litmus-worker`, the hidden command each of their threads runs as.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <vector>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "shmlab/litmus/litmus_block.hpp"
#include "shmlab/litmus/litmus_html.hpp"
#include "shmlab/litmus/litmus_output.hpp"
#include "shmlab/litmus/litmus_runner.hpp"
#include "shmlab/litmus/litmus_worker.hpp"
#include "shmlab/usage_error.hpp"

namespace shmlab::cli {
namespace {

using namespace shmlab::litmus;

struct LitmusOptions {
  std::string test = "all";       // SB, MP, LB, IRIW, 2+2W or all
  std::string order = "relaxed";  // relaxed, acquire-release, seq_cst, fence or all
  std::uint64_t iterations = 0;   // 0: whole batches for about a second per test
  std::uint32_t batch = 1000;     // iterations per batch (fresh cells each)
  double timeout_s = 30;          // a batch that takes longer: stuck, exit 4
  bool json = false;
  std::string report;
};

std::vector<LitmusTest> parse_tests(const std::string& name) {
  std::vector<LitmusTest> out;
  if (name == "all") {
    for (const LitmusTestInfo& t : all_litmus_tests()) out.push_back(t.id);
  } else if (auto t = parse_litmus_test(name)) {
    out.push_back(*t);
  } else {
    throw UsageError(
        fmt::format("litmus: unknown test '{}' (known: SB, MP, LB, IRIW, 2+2W, or all)", name));
  }
  return out;
}

std::vector<AccessOrder> parse_orders(const std::string& name) {
  if (name == "all") return {all_access_orders().begin(), all_access_orders().end()};
  if (auto o = parse_access_order(name)) return {*o};
  throw UsageError(fmt::format(
      "--order: unknown order '{}' (known: relaxed, acquire-release, seq_cst, fence, or all)",
      name));
}

int execute(const LitmusOptions& o) {
  const std::vector<LitmusTest> tests = parse_tests(o.test);
  const std::vector<AccessOrder> orders = parse_orders(o.order);
  // Opened before the runs: an unwritable path wastes nothing.
  std::ofstream report;
  if (!o.report.empty()) {
    report.open(o.report, std::ios::binary | std::ios::trunc);
    if (!report)
      throw std::system_error(errno, std::generic_category(),
                              fmt::format("open(\"{}\")", o.report));
  }

  const std::optional<Arch> arch = this_arch();
  LitmusConfig config;
  config.iterations = o.iterations;
  config.batch = o.batch;
  config.timeout_s = o.timeout_s;
  config.self_exe = self_exe();
  std::vector<LitmusResult> results;
  LitmusRunner runner;
  try {
    for (LitmusTest t : tests) {
      for (AccessOrder order : orders) {
        config.test = t;
        config.order = order;
        results.push_back(runner.run(config));
        if (!o.json) std::cout << litmus_text(results.back(), arch) << std::endl;
      }
    }
  } catch (const LitmusInterrupted& e) {
    fmt::print(stderr, "shmlab litmus: interrupted by SIG{}; cleaned up\n",
               ::sigabbrev_np(e.signal));
    return 128 + e.signal;
  } catch (const LitmusWorkerFault& e) {
    fmt::print(stderr, "shmlab litmus: {}; stopped and cleaned up\n", e.what());
    return kExitFault;
  }

  const bool bad = std::any_of(results.begin(), results.end(),
                               [&](const LitmusResult& r) { return forbidden_observed(r, arch); });
  const int code = bad ? kExitLost : kExitOk;
  if (o.json) {
    std::cout << litmus_json(results, arch, code).dump(2) << std::endl;
  } else if (results.size() > 1) {
    std::cout << "Summary (" << (arch ? arch_name(*arch) : "unknown architecture") << ")\n"
              << litmus_summary(results, arch) << std::flush;
  }
  if (bad) {
    fmt::print(stderr,
               "shmlab litmus: A FORBIDDEN OUTCOME WAS OBSERVED: the test, the compiler or the "
               "machine is wrong (see the verdicts above)\n");
  }
  if (report.is_open()) {
    report << litmus_html(results, arch);
    if (!report.flush())
      throw std::system_error(errno, std::generic_category(),
                              fmt::format("write(\"{}\")", o.report));
  }
  return code;
}

}  // namespace

Command add_litmus(CLI::App& app) {
  auto o = std::make_shared<LitmusOptions>();
  CLI::App* sub = app.add_subcommand(
      "litmus",
      "Memory-ordering litmus tests (SB, MP, LB, IRIW, 2+2W) between processes, with the "
      "verdict of the machine's memory model");
  sub->add_option("test", o->test, "SB, MP, LB, IRIW, 2+2W, or all")->capture_default_str();
  sub->add_option("--order", o->order,
                  "relaxed, acquire-release, seq_cst, fence (relaxed + seq_cst fence), or all")
      ->capture_default_str();
  sub->add_option("-n,--iterations", o->iterations,
                  "Iterations per test and order (default: whole batches for about 1 s)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000'000}));
  sub->add_option("--batch", o->batch, "Iterations per batch, each on fresh locations")
      ->check(CLI::Range(1u, kMaxBatch))
      ->capture_default_str();
  sub->add_option("--timeout", o->timeout_s, "A batch that takes longer is a stuck run (exit 4)")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  sub->add_flag("--json", o->json, "Print the results as JSON on stdout");
  sub->add_option("--report", o->report, "Also write a self-contained HTML report to FILE");
  sub->footer(
      "Examples:\n"
      "  shmlab litmus SB                          store buffering, relaxed: allowed on x86\n"
      "  shmlab litmus SB --order seq_cst          forbidden, and never observed\n"
      "  shmlab litmus all --order all --report litmus.html\n"
      "  shmlab litmus MP --order acquire-release -n 100000 --json\n"
      "Exit codes: 0 done, 3 a forbidden outcome was observed, 4 a worker died or got stuck,\n"
      "2 bad usage, 1 environment failure, 130/143 interrupted.");
  return {sub, [o] { return execute(*o); }};
}

Command add_litmus_worker(CLI::App& app) {
  auto block = std::make_shared<std::string>();
  auto thread = std::make_shared<std::uint32_t>(0);
  CLI::App* sub = app.add_subcommand("litmus-worker", "internal: one thread of a litmus test");
  sub->group("");  // hidden from --help
  sub->add_option("--block", *block, "Litmus block name")->required();
  sub->add_option("--thread", *thread, "0-based thread of the test")->required();
  return {sub, [block, thread] { return litmus_worker_main(*block, *thread); }};
}

}  // namespace shmlab::cli
