// explore's rate on real processes (issue 16): interleavings per second of the worker pool and of
// new processes per interleaving (--fresh-processes), measured in one invocation, with the ratio
// of their medians printed at the end. Each benchmark is one explore() of the counter under
// `none` (every interleaving: the limit is raised); the rate counts only the histogram's runs, not
// the model's solving nor the witness replays.
//   ./build/bench/shmlab_explore_benchmarks                          everything (a few minutes)
//   ./build/bench/shmlab_explore_benchmarks --benchmark_filter=2x2   the ratio on every backend
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>

#include "shmlab/explore/explorer.hpp"
#include "shmlab/region/backend.hpp"

namespace shmlab {
namespace {

struct Size {
  std::uint32_t workers;
  std::uint64_t increments;
};

std::string size_name(Size s) {
  return std::to_string(s.workers) + "x" + std::to_string(s.increments);
}

void BM_Explore(benchmark::State& state, Backend backend, Size size, bool fresh) {
  ExploreOptions e;
  e.run.params.workers = size.workers;
  e.run.params.increments = size.increments;
  e.run.params.backend = backend;
  e.run.params.quiet = true;
  e.run.params.log_stderr = true;
  e.run.self_exe = SHMLAB_BIN;
  const char* tmp = std::getenv("TMPDIR");
  e.run.temp_dir = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  e.limit = 100'000'000;
  e.fresh_processes = fresh;
  std::uint64_t interleavings = 0;
  std::int64_t ns = 0;
  for (auto _ : state) {
    const ExploreResult r = explore(e);
    interleavings += r.interleavings;
    ns += r.histogram_ns;
  }
  state.counters["interleavings"] =
      static_cast<double>(interleavings) /
      static_cast<double>(std::max<std::int64_t>(state.iterations(), 1));
  state.counters["per_second"] =
      ns > 0 ? static_cast<double>(interleavings) * 1e9 / static_cast<double>(ns) : 0.0;
}

// The console's report, and the medians of per_second kept to print the pool / fresh ratios.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  using ConsoleReporter::ConsoleReporter;

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      const bool single = r.repetitions <= 1 && r.run_type == Run::RT_Iteration;
      if (!single && r.aggregate_name != "median") continue;
      const std::string name = r.run_name.function_name;  // "BM_Explore_Pool/shm/2x2"
      const auto it = r.counters.find("per_second");
      if (it != r.counters.end()) medians_[name] = it->second.value;
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    const std::string pool = "BM_Explore_Pool/", fresh = "BM_Explore_Fresh/";
    std::cout << "\nInterleavings per second (medians), pool vs new processes per interleaving:\n";
    for (const auto& [name, rate] : medians_) {
      if (name.rfind(pool, 0) != 0) continue;
      const std::string what = name.substr(pool.size());
      const auto f = medians_.find(fresh + what);
      if (f == medians_.end()) {
        std::cout << fmt::format("  {:<14} pool {:>9.0f}/s\n", what, rate);
      } else {
        std::cout << fmt::format("  {:<14} pool {:>9.0f}/s  fresh {:>7.1f}/s  ratio {:>6.1f}x\n",
                                 what, rate, f->second, f->second > 0 ? rate / f->second : 0.0);
      }
    }
  }

 private:
  std::map<std::string, double> medians_;
};

void register_all() {
  const auto add = [](Backend b, Size s, bool fresh, int repetitions) {
    const std::string name =
        fmt::format("BM_Explore_{}/{}/{}", fresh ? "Fresh" : "Pool", backend_name(b), size_name(s));
    auto* bm = benchmark::RegisterBenchmark(name.c_str(), BM_Explore, b, s, fresh);
    bm->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);
    if (repetitions > 1) bm->Repetitions(repetitions)->DisplayAggregatesOnly(true);
  };
  // Both modes on every backend at 2 x 2 (70 interleavings, pool start-up included): the ratio.
  for (Backend b : all_backends()) {
    add(b, {2, 2}, false, 3);
    add(b, {2, 2}, true, 3);
  }
  // The targets: 924 interleavings of 2 x 3 in under 1 s (shm, mmap); 2 x 4 (12,870) and
  // 3 x 2 (34,650) in seconds. Fresh processes at 2 x 3 once, on shm, for the 14.7 s.
  for (Backend b : all_backends()) add(b, {2, 3}, false, 3);
  add(Backend::kShm, {2, 3}, true, 1);
  for (Backend b : {Backend::kShm, Backend::kMmap}) {
    add(b, {2, 4}, false, 1);
    add(b, {3, 2}, false, 1);
  }
}

}  // namespace
}  // namespace shmlab

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  shmlab::register_all();
  // Colour only on a terminal: the figures are pasted into docs from a file.
  shmlab::RatioReporter reporter(::isatty(1) == 1 ? benchmark::ConsoleReporter::OO_ColorTabular
                                                  : benchmark::ConsoleReporter::OO_Tabular);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
