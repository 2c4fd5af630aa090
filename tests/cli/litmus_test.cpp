// `shmlab litmus` through the real binary, on small iteration counts: forbidden outcomes never
// appear, every iteration is counted, the processes and the shm block are set up and removed
// whatever happens, bad usage exits 2. How often an allowed outcome shows is recorded (as a test
// property), never asserted.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "support/bad_usage.hpp"
#include "support/expect.hpp"
#include "support/process_scan.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

bool on_x86() {
#if defined(__x86_64__) || defined(__i386__)
  return true;
#else
  return false;
#endif
}

// The invariants of one result: every iteration in exactly one state of the histogram, the
// witnesses split them, the marked state is the condition's.
void expect_counted(const json& r, std::uint64_t iterations) {
  EXPECT_EQ(r["iterations"].get<std::uint64_t>(), iterations) << r;
  EXPECT_EQ(r["positive"].get<std::uint64_t>() + r["negative"].get<std::uint64_t>(), iterations)
      << r;
  std::uint64_t sum = 0;
  std::uint64_t marked = 0;
  for (const json& h : r["histogram"]) {
    EXPECT_GT(h["count"].get<std::uint64_t>(), 0u) << h;
    sum += h["count"].get<std::uint64_t>();
    if (h["marked"].get<bool>()) marked += h["count"].get<std::uint64_t>();
  }
  EXPECT_EQ(sum, iterations) << r;
  EXPECT_EQ(marked, r["positive"].get<std::uint64_t>()) << r;
}

struct Forbidden {
  std::string test;
  std::string order;
  std::uint64_t iterations;
};

void PrintTo(const Forbidden& f, std::ostream* os) { *os << f.test << " " << f.order; }

class LitmusForbidden : public ::testing::TestWithParam<Forbidden> {};

// x86-TSO forbids these marked outcomes: seeing one fails the run (exit 3) and this test.
TEST_P(LitmusForbidden, MarkedOutcomeNeverAppears) {
  const Forbidden& f = GetParam();
  TempDir tmp;
  const Outcome o = run_shmlab(
      {"litmus", f.test, "--order", f.order, "-n", std::to_string(f.iterations), "--json"}, tmp,
      60);
  EXPECT_EQ(o.exit_code, 0) << o.err << o.out;
  const json j = parse_result(o);
  ASSERT_EQ(j["results"].size(), 1u) << j;
  const json& r = j["results"][0];
  expect_counted(r, f.iterations);
  if (on_x86()) {
    EXPECT_EQ(j["architecture"], "x86-TSO");
    EXPECT_EQ(r["verdict"], "forbidden") << r;
  }
  if (r["verdict"] == "forbidden") {
    EXPECT_EQ(r["positive"], 0u) << r;
    EXPECT_EQ(r["forbidden_observed"], false);
  }
  EXPECT_EQ(j["exit_code"], 0);
  expect_nothing_left(o, tmp);
}

INSTANTIATE_TEST_SUITE_P(LitmusCli, LitmusForbidden,
                         ::testing::Values(Forbidden{"SB", "seq_cst", 20000},
                                           Forbidden{"SB", "fence", 20000},
                                           Forbidden{"MP", "acquire-release", 20000},
                                           Forbidden{"2+2W", "relaxed", 20000},
                                           Forbidden{"LB", "relaxed", 20000},
                                           Forbidden{"IRIW", "seq_cst", 2000}),
                         [](const auto& p) {
                           std::string name = p.param.test + "_" + p.param.order;
                           for (char& c : name)
                             c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

TEST(LitmusCli, EveryIterationIsCountedInWholeBatchesAndAllowedOutcomesPass) {
  TempDir tmp;
  // 30000 is not a multiple of the batch: the last batch is shorter.
  const Outcome o =
      run_shmlab({"litmus", "sb", "-n", "30000", "--batch", "700", "--json"}, tmp, 60);
  EXPECT_EQ(o.exit_code, 0) << o.err;  // allowed on x86 and AArch64: never an error
  const json j = parse_result(o);
  const json& r = j["results"][0];
  expect_counted(r, 30000);
  EXPECT_EQ(r["batches"], 43);  // ceil(30000 / 700)
  EXPECT_EQ(r["verdict"], on_x86() ? json("allowed") : r["verdict"]);
  EXPECT_EQ(r["threads"], 2);
  ::testing::Test::RecordProperty("sb_relaxed_positive", r["positive"].dump());
  expect_nothing_left(o, tmp);
}

TEST(LitmusCli, IriwRunsFourProcessesAndSaysWhenItCannotPinThem) {
  TempDir tmp;
  const Outcome o = run_shmlab({"litmus", "IRIW", "-n", "1500", "--order", "fence"}, tmp, 60);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("Test IRIW"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("Witnesses: Positive 0, Negative 1500"), std::string::npos) << o.out;
  const unsigned cpus = std::thread::hardware_concurrency();
  if (cpus < 4) {
    EXPECT_NE(o.out.find("4 processes, not pinned"), std::string::npos) << o.out;
  } else {
    EXPECT_NE(o.out.find("4 processes, pinned to CPUs"), std::string::npos) << o.out;
  }
  expect_nothing_left(o, tmp);
}

TEST(LitmusCli, AllTestsWithJsonAndHtmlReport) {
  TempDir tmp;
  const std::string report = tmp.path() + "/litmus.html";
  const Outcome o = run_shmlab(
      {"litmus", "all", "--order", "seq_cst", "-n", "1000", "--json", "--report", report}, tmp, 60);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  const json j = parse_result(o);
  ASSERT_EQ(j["results"].size(), 5u);
  std::vector<std::string> names;
  for (const json& r : j["results"]) {
    names.push_back(r["test"]);
    expect_counted(r, 1000);
    EXPECT_EQ(r["positive"], 0u) << r;  // seq_cst forbids every marked outcome on every arch
  }
  EXPECT_EQ(names, (std::vector<std::string>{"SB", "MP", "LB", "IRIW", "2+2W"}));
  std::ifstream f(report);
  std::stringstream html;
  html << f.rdbuf();
  const std::string text = html.str();
  EXPECT_EQ(text.rfind("<!DOCTYPE html>", 0), 0u);
  std::size_t svgs = 0;
  for (auto at = text.find("<svg"); at != std::string::npos; at = text.find("<svg", at + 1)) ++svgs;
  EXPECT_EQ(svgs, 5u);
  EXPECT_EQ(text.find("<script"), std::string::npos);
  std::filesystem::remove(report);
  expect_nothing_left(o, tmp);
}

TEST(LitmusCli, TextOutputHasTheLitmus7Shape) {
  TempDir tmp;
  const Outcome o = run_shmlab({"litmus", "MP", "--order", "acq_rel", "-n", "2000"}, tmp, 60);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  for (const char* s : {"Test MP (message passing), order acquire-release", "Histogram (",
                        "Witnesses: Positive 0, Negative 2000",
                        "Condition exists (1:r0=1 /\\ 1:r1=0) is NOT validated",
                        "Verdict: ", "Observation MP Never 0 2000"}) {
    EXPECT_NE(o.out.find(s), std::string::npos) << s << "\n" << o.out;
  }
  expect_nothing_left(o, tmp);
}

TEST(LitmusCli, HelpListsTheOptionsAndHidesTheWorker) {
  const std::string top = expect_help_lists(
      "litmus", {"--order", "--iterations", "--json", "--report", "IRIW", "2+2W"});
  EXPECT_EQ(top.find("litmus-worker"), std::string::npos) << top;
}

class LitmusBadUsage : public ::testing::TestWithParam<BadArgs> {};

TEST_P(LitmusBadUsage, ExitsTwoNamingTheOption) { expect_bad_usage("litmus", GetParam()); }

INSTANTIATE_TEST_SUITE_P(LitmusCli, LitmusBadUsage,
                         ::testing::Values(BadArgs{{"XY"}, "unknown test 'XY'"},
                                           BadArgs{{"SB", "--order", "acquire"}, "--order"},
                                           BadArgs{{"SB", "-n", "0"}, "--iterations"},
                                           BadArgs{{"SB", "-n", "many"}, "--iterations"},
                                           BadArgs{{"SB", "--batch", "0"}, "--batch"},
                                           BadArgs{{"SB", "--bogus"}, "--bogus"}),
                         bad_args_name);

// Waits for the run's `count` worker processes; returns their pids (empty if they never came).
std::vector<pid_t> wait_for_workers(const TempDir& tmp, std::size_t count) {
  for (int i = 0; i < 2000; ++i) {
    std::this_thread::sleep_for(10ms);
    const auto pids = processes_of(tmp.path(), "litmus-worker");
    if (pids.size() >= count) return pids;
  }
  return {};
}

bool no_processes_left(const TempDir& tmp) {
  for (int i = 0; i < 250 && !processes_of(tmp.path()).empty(); ++i)
    std::this_thread::sleep_for(20ms);
  return processes_of(tmp.path()).empty();
}

// A run far too long to end by itself: only the signal or the fault ends it.
const std::vector<std::string> kEndless = {"litmus", "SB", "-n", "1000000000"};

class LitmusSignal : public ::testing::TestWithParam<int> {};

TEST_P(LitmusSignal, StopsTheWorkersRemovesTheBlockAndExits128PlusSignal) {
  const int sig = GetParam();
  TempDir tmp;
  pid_t coordinator = 0;
  std::thread sender([&] {
    const auto pids = wait_for_workers(tmp, 2);
    if (pids.empty()) return;
    coordinator = parent_of(pids.front());
    std::this_thread::sleep_for(100ms);  // into the batches
    ::kill(coordinator, sig);
  });
  const Outcome o = run_shmlab(kEndless, tmp, 60);
  sender.join();
  ASSERT_EQ(coordinator, o.pid);
  EXPECT_EQ(o.exit_code, 128 + sig) << o.err;
  EXPECT_NE(o.err.find("cleaned up"), std::string::npos) << o.err;
  EXPECT_TRUE(no_processes_left(tmp));
  expect_nothing_left(o, tmp);
}

INSTANTIATE_TEST_SUITE_P(LitmusCli, LitmusSignal, ::testing::Values(SIGINT, SIGTERM),
                         [](const auto& p) { return std::string(::sigabbrev_np(p.param)); });

TEST(LitmusCli, AWorkerThatDiesEndsTheRunWithExitFourAndNothingLeft) {
  TempDir tmp;
  std::thread killer([&] {
    const auto pids = wait_for_workers(tmp, 2);
    if (pids.empty()) return;
    std::this_thread::sleep_for(100ms);
    ::kill(pids.front(), SIGKILL);
  });
  const Outcome o = run_shmlab(kEndless, tmp, 60);
  killer.join();
  EXPECT_EQ(o.exit_code, 4) << o.err;
  EXPECT_NE(o.err.find("SIGKILL"), std::string::npos) << o.err;
  EXPECT_TRUE(no_processes_left(tmp));
  expect_nothing_left(o, tmp);
}

TEST(LitmusCli, WorkerRefusesAnObjectThatIsNotALitmusBlock) {
  TempDir tmp;
  const Outcome o = run_shmlab(
      {"litmus-worker", "--block", "/shmlab-litmus-test-absent", "--thread", "0"}, tmp, 20);
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_NE(o.err.find("/shmlab-litmus-test-absent"), std::string::npos) << o.err;
}

}  // namespace
}  // namespace shmlab::test
