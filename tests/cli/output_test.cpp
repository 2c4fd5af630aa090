// What `shmlab run` prints, checked through the real binary: bounded JSON and logs, the kept
// run's name, log lines that show what each fix does, ASCII and colour by environment, typos.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/expect.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

using nlohmann::json;

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// The line of `text` that holds `needle` (empty when none does).
std::string line_with(const std::string& text, const std::string& needle) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.find(needle) != std::string::npos) return line;
  return {};
}

// Three rounds of "both read, both write": every round loses worker 1's write, so 3 lost updates.
const std::vector<std::string> kThreeLost = {
    "run",    "-w", "2", "-n", "3", "--schedule", "1R 2R 1W 2W 1R 2R 1W 2W 1R 2R 1W 2W",
    "--json", "-q"};

std::vector<std::string> with(std::vector<std::string> args,
                              std::initializer_list<std::string> more) {
  args.insert(args.end(), more);
  return args;
}

TEST(OutputCli, JsonListsTheFirstLostUpdatesAndTheirTotal) {
  TempDir tmp;
  const Outcome o = run_shmlab(with(kThreeLost, {"--lost", "2"}), tmp);
  ASSERT_EQ(o.exit_code, 3) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["lost_updates"], 3);
  EXPECT_EQ(r["lost_total"], 3);
  EXPECT_EQ(r["lost"].size(), 2u);
  EXPECT_EQ(r["lost_truncated"], true);
  expect_nothing_left(o, tmp);
}

TEST(OutputCli, LostAllStreamsEveryLostUpdateAsValidJson) {
  TempDir tmp;
  const Outcome o = run_shmlab(with(kThreeLost, {"--lost", "all"}), tmp);
  ASSERT_EQ(o.exit_code, 3) << o.err;
  const json r = parse_result(o);
  ASSERT_EQ(r["lost"].size(), 3u);
  EXPECT_EQ(r["lost_truncated"], false);
  for (const json& l : r["lost"]) {
    EXPECT_EQ(l["worker"], 1);  // the schedule always lets worker 2 write last
    EXPECT_EQ(l["erased_by"]["worker"], 2);
  }
  const Outcome none = run_shmlab(with(kThreeLost, {"--lost", "0"}), tmp);
  const json n = parse_result(none);
  EXPECT_TRUE(n["lost"].empty());
  EXPECT_EQ(n["lost_total"], 3);
  EXPECT_EQ(n["lost_truncated"], true);
}

TEST(OutputCli, LargeRunJsonStaysSmall) {
  TempDir tmp;
  const Outcome o =
      run_shmlab({"run", "-w", "4", "-n", "20000", "--delay", "none", "-q", "--json"}, tmp, 120);
  ASSERT_TRUE(o.exit_code == 0 || o.exit_code == 3) << o.err;
  const json r = parse_result(o);
  EXPECT_LE(r["lost"].size(), 100u);
  EXPECT_EQ(r["lost_total"], r["lost_updates"]);  // attribution is exact at this size
  EXPECT_EQ(r["lost_truncated"], r["lost_total"].get<std::size_t>() > 100);
  EXPECT_LT(o.out.size(), 64u * 1024) << "a bounded summary, whatever the number of lost updates";
  expect_nothing_left(o, tmp);
}

TEST(OutputCli, LongStepLogCollapsesWithACountUnlessAskedForAll) {
  TempDir tmp;
  const Outcome o = run_shmlab({"run", "-w", "2", "-n", "500", "--delay", "none"}, tmp);
  ASSERT_TRUE(o.exit_code == 0 || o.exit_code == 3) << o.err;
  EXPECT_EQ(count_of(o.out, "read counter"), 100u);  // 50 operations of each worker
  EXPECT_NE(
      o.out.find("the step lines of 900 more operations not shown; --log all shows every step"),
      std::string::npos)
      << o.out;
  const Outcome all =
      run_shmlab({"run", "-w", "2", "-n", "500", "--delay", "none", "--log", "all"}, tmp);
  EXPECT_EQ(count_of(all.out, "read counter"), 1000u);
  EXPECT_EQ(all.out.find("more operations not shown"), std::string::npos);
  expect_nothing_left(all, tmp);
}

TEST(OutputCli, KeptRunIsNamedEvenWhenQuiet) {
  TempDir tmp;
  const Outcome o =
      run_shmlab({"run", "-w", "1", "-n", "1", "--delay", "none", "--keep", "-q", "--json"}, tmp);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const json r = parse_result(o);
  ASSERT_TRUE(r["run_name"].is_string());
  const std::string name = r["run_name"];
  EXPECT_EQ(shm_leftovers(o.pid), std::vector<std::string>{name});
  EXPECT_NE(o.err.find("shmlab inspect " + name), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find("Cleaned up"), std::string::npos) << o.err;
  EXPECT_EQ(run_shmlab({"clean", "--all", name}, tmp, 20).exit_code, 0);
  expect_nothing_left(o, tmp);
}

TEST(OutputCli, LastLineSaysKeptNotCleanedUp) {
  TempDir tmp;
  const Outcome o = run_shmlab({"run", "-w", "1", "-n", "1", "--delay", "none", "--keep"}, tmp);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const auto names = shm_leftovers(o.pid);
  ASSERT_EQ(names.size(), 1u);
  std::string last = o.out.substr(0, o.out.size() - 1);
  last = last.substr(last.rfind('\n') + 1);
  EXPECT_NE(last.find("Kept the run's objects (--keep): shmlab inspect " + names.front()),
            std::string::npos)
      << last;
  // Said once: the coordinator's own line named the shm object ("/shmlab-…") a second time.
  EXPECT_EQ(o.out.find("Kept the run's objects"), o.out.rfind("Kept the run's objects")) << o.out;
  const Outcome plain = run_shmlab({"run", "-w", "1", "-n", "1", "--delay", "none"}, tmp);
  EXPECT_NE(plain.out.find("Cleaned up the run's shared objects\n"), std::string::npos);
  EXPECT_EQ(plain.out.find("(kept"), std::string::npos);
  EXPECT_EQ(run_shmlab({"clean", "--all", names.front()}, tmp, 20).exit_code, 0);
  expect_nothing_left(o, tmp);
}

TEST(OutputCli, FailedCompareAndSwapIsLogged) {
  TempDir tmp;
  const Outcome o = run_shmlab({"run", "-w", "2", "-n", "1", "--strategy", "cas", "--backend",
                                "shm", "--schedule", "1R 2R 1C 2C"},
                               tmp);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(count_of(o.out, "compare-and-swap failed: the counter is no longer 0"), 1u) << o.out;
  EXPECT_EQ(count_of(o.out, "succeeded"), 2u) << o.out;
  expect_nothing_left(o, tmp);
}

TEST(OutputCli, EachFixShowsItsStepsInTheLog) {
  TempDir tmp;
  const Outcome mutex = run_shmlab(
      {"run", "-w", "2", "-n", "2", "--strategy", "mutex", "--backend", "shm", "--delay", "none"},
      tmp);
  ASSERT_EQ(mutex.exit_code, 0) << mutex.err;
  EXPECT_EQ(count_of(mutex.out, "acquired the lock (waited"), 4u) << mutex.out;
  EXPECT_EQ(count_of(mutex.out, "released the lock"), 4u);
  const Outcome atomic = run_shmlab(
      {"run", "-w", "2", "-n", "2", "--strategy", "atomic", "--backend", "shm", "--delay", "none"},
      tmp);
  ASSERT_EQ(atomic.exit_code, 0) << atomic.err;
  EXPECT_EQ(count_of(atomic.out, "incremented counter atomically"), 4u) << atomic.out;
  const Outcome sharded = run_shmlab(
      {"run", "-w", "2", "-n", "1", "--strategy", "sharded", "--backend", "shm", "--delay", "none"},
      tmp);
  ASSERT_EQ(sharded.exit_code, 0) << sharded.err;
  // Each worker names its own cell: two "0 → 1" lines are not a lost update.
  EXPECT_NE(sharded.out.find("Worker 1 incremented its own cell 1: 0 → 1"), std::string::npos)
      << sharded.out;
  EXPECT_NE(sharded.out.find("Worker 2 incremented its own cell 2: 0 → 1"), std::string::npos);
  expect_nothing_left(sharded, tmp);
}

TEST(OutputCli, VerifyChangedInACorrectRunIsInfoNotWarning) {
  TempDir tmp;
  // Worker 2 writes after worker 1, before worker 1 verifies: changed since my write, correctly.
  const Outcome o = run_shmlab({"run", "-w", "2", "-n", "1", "--strategy", "mutex", "--backend",
                                "shm", "--schedule", "1L 1R 1W 1U 2L 2R 2W 2U 1V 2V"},
                               tmp);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const std::string line = line_with(o.out, "changed since its write");
  ASSERT_FALSE(line.empty()) << o.out;
  EXPECT_NE(line.find("] ℹ "), std::string::npos) << line;
  EXPECT_EQ(line.find("⚠"), std::string::npos) << line;
}

TEST(OutputCli, RaceLinesSayWhatStudentsMisread) {
  TempDir tmp;
  const Outcome o =
      run_shmlab({"run", "-w", "2", "-n", "1", "--schedule", "1R 2R 1W 2W 1V 2V"}, tmp);
  ASSERT_EQ(o.exit_code, 3) << o.err;
  EXPECT_EQ(o.out.find("Wrote 1 but now it's 1"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("Its write of 1 was replaced by worker 2's write of the same 1"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("VERIFY sees only the latest write; the list below is exact"),
            std::string::npos);
  EXPECT_NE(o.out.find("erasing worker 1's 0 → 1 (its op 1)"), std::string::npos);
}

TEST(OutputCli, CounterGoingBackwardsIsPointedOut) {
  TempDir tmp;
  // Worker 1 reads 0; worker 2 counts to 2; worker 1 then writes 1 over 2.
  const Outcome o =
      run_shmlab({"run", "-w", "2", "-n", "2", "--schedule", "1R 2R 2W 2V 2R 2W 2V 1W 1V"}, tmp);
  ASSERT_EQ(o.exit_code, 3) << o.err;
  EXPECT_NE(o.out.find("erasing worker 2's 1 → 2 (its op 2): the counter went backwards"),
            std::string::npos)
      << o.out;
}

TEST(OutputCli, ReportRepeatsTheScheduleAndFitsThePage) {
  TempDir tmp;
  const std::string path = tmp.path() + "/../output-test-" + std::to_string(::getpid()) + ".html";
  const Outcome o = run_shmlab(
      {"run", "-w", "2", "-n", "1", "--schedule", "1R 2R 1W 2W", "-q", "--report", path}, tmp);
  ASSERT_EQ(o.exit_code, 3) << o.err;
  std::ifstream f(path);
  const std::string html((std::istreambuf_iterator<char>(f)), {});
  std::filesystem::remove(path);
  EXPECT_NE(html.find("--schedule &quot;1R 2R 1W 2W&quot;"), std::string::npos);
  EXPECT_NE(
      html.find("2 worker processes × 1 increment of one shared counter · schedule 1R 2R 1W 2W"),
      std::string::npos);
  EXPECT_NE(html.find(R"(<svg class="tl" xmlns="http://www.w3.org/2000/svg" width="100%")"),
            std::string::npos);
  EXPECT_EQ(html.find("lock held"), std::string::npos);  // strategy none holds no lock
  EXPECT_NE(html.find("race window"), std::string::npos);
}

TEST(OutputCli, ReportUnderMutexHasALockAndNoRaceWindow) {
  TempDir tmp;
  const std::string path = tmp.path() + "/../output-test-m-" + std::to_string(::getpid()) + ".html";
  const Outcome o = run_shmlab({"run", "-w", "2", "-n", "1", "--strategy", "mutex", "--backend",
                                "shm", "--delay", "none", "-q", "--report", path},
                               tmp);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  std::ifstream f(path);
  const std::string html((std::istreambuf_iterator<char>(f)), {});
  std::filesystem::remove(path);
  EXPECT_NE(html.find("lock held"), std::string::npos);
  EXPECT_EQ(html.find("race window"), std::string::npos);
  EXPECT_EQ(html.find("none ms"), std::string::npos);
  EXPECT_NE(html.find("· delay none ·"), std::string::npos);
}

TEST(OutputCli, CountsAgreeAndLongNumbersAreGrouped) {
  TempDir tmp;
  const Outcome one = run_shmlab({"run", "-w", "1", "-n", "1", "--delay", "none"}, tmp);
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.out.find("1 worker × 1 increment,"), std::string::npos) << one.out;
  EXPECT_NE(one.out.find("Worker 1 completed 1 increment\n"), std::string::npos);
  EXPECT_EQ(one.out.find("1 workers"), std::string::npos);
  const Outcome big = run_shmlab({"run", "-w", "1", "-n", "12000", "--delay", "none"}, tmp);
  ASSERT_EQ(big.exit_code, 0) << big.err;
  EXPECT_NE(big.out.find("All 12,000 increments completed successfully: counter = 12,000"),
            std::string::npos)
      << big.out;
}

TEST(OutputCli, TyposNameTheWordAndSuggestTheClosest) {
  TempDir tmp;
  const Outcome rn = run_shmlab({"rn"}, tmp, 20);
  EXPECT_EQ(rn.exit_code, 2);
  EXPECT_NE(rn.err.find("unknown command 'rn'; did you mean 'run'?"), std::string::npos) << rn.err;
  const Outcome version = run_shmlab({"--verison"}, tmp, 20);
  EXPECT_EQ(version.exit_code, 2);
  EXPECT_NE(version.err.find("unknown option '--verison'; did you mean '--version'?"),
            std::string::npos)
      << version.err;
  const Outcome worker = run_shmlab({"run", "--worker", "2"}, tmp, 20);
  EXPECT_EQ(worker.exit_code, 2);
  EXPECT_NE(worker.err.find("unknown option '--worker'; did you mean '--workers'?"),
            std::string::npos)
      << worker.err;
  expect_nothing_left(worker, tmp);
}

TEST(OutputCli, HelpCommandAndHelpShowWhatAUserTypes) {
  TempDir tmp;
  const Outcome top = run_shmlab({"help"}, tmp, 20);
  EXPECT_EQ(top.exit_code, 0) << top.err;
  EXPECT_NE(top.out.find("Examples:"), std::string::npos);
  const Outcome run = run_shmlab({"help", "run"}, tmp, 20);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("-w,--workers N=3"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("--timeout SECONDS=30"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("UINT"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("FLOAT"), std::string::npos) << run.out;
}

TEST(OutputCli, NonUtf8LocaleGetsAscii) {
  TempDir tmp;
  const Outcome o = run_program({"/usr/bin/env", "LC_ALL=C", "LANG=C", shmlab_binary(), "run", "-w",
                                 "2", "-n", "1", "--schedule", "1R 2R 1W 2W", "--timeline"},
                                tmp, 60);
  ASSERT_EQ(o.exit_code, 3) << o.err;
  for (const char* glyph : {"ℹ", "✓", "⚡", "│", "→", "✗", "»"})
    EXPECT_EQ(o.out.find(glyph), std::string::npos) << glyph << " in\n" << o.out;
  EXPECT_NE(o.out.find("incremented counter: 0 -> 1"), std::string::npos) << o.out;
  for (unsigned char c : o.out) EXPECT_LT(c, 0x80) << o.out;
}

TEST(OutputCli, DumbTerminalGetsNoColour) {
  TempDir tmp;
  auto on_terminal = [&](const std::string& term) {
    const std::string cmd =
        "env -u NO_COLOR TERM=" + term + " " + shmlab_binary() + " run -w 1 -n 1 --delay none";
    return run_program({"/usr/bin/script", "-qec", cmd, "/dev/null"}, tmp, 60);
  };
  const Outcome color = on_terminal("xterm");
  ASSERT_EQ(color.exit_code, 0) << color.err;
  EXPECT_NE(color.out.find("\x1b["), std::string::npos) << "a terminal gets colour";
  const Outcome dumb = on_terminal("dumb");
  ASSERT_EQ(dumb.exit_code, 0) << dumb.err;
  EXPECT_EQ(dumb.out.find("\x1b["), std::string::npos) << dumb.out;
}

TEST(OutputCli, LongRunShowsProgressOnATerminalOnly) {
  TempDir tmp;
  // 1 × 60 operations of 50 ms each: about 3 s, past the 2 s after which progress shows; step
  // lines stop after 5 operations (progress never shows between them).
  const std::string cmd =
      "env -u NO_COLOR " + shmlab_binary() + " run -w 1 -n 60 --delay 50:0:0 --log 5";
  const Outcome tty = run_program({"/usr/bin/script", "-qec", cmd, "/dev/null"}, tmp, 60);
  ASSERT_EQ(tty.exit_code, 0) << tty.err;
  EXPECT_NE(tty.out.find(" of 60 operations ("), std::string::npos) << tty.out;
  EXPECT_NE(tty.out.find("s left"), std::string::npos);
  // The same run on a pipe: no progress line.
  const Outcome pipe =
      run_shmlab({"run", "-w", "1", "-n", "60", "--delay", "50:0:0", "--log", "5"}, tmp);
  ASSERT_EQ(pipe.exit_code, 0) << pipe.err;
  EXPECT_EQ(pipe.out.find(" of 60 operations ("), std::string::npos) << pipe.out;
  EXPECT_EQ(pipe.out.find('\r'), std::string::npos);
}

TEST(OutputCli, LongRunSaysHowLongAndTheFasterCommandEvenWhenQuiet) {
  TempDir tmp;
  // 20 s of sleep before VERIFY, cut short: the worker is killed right after its write.
  const Outcome o = run_shmlab(
      {"run", "-w", "1", "-n", "1", "--delay", "0:0:20000", "--crash", "1@after-write", "-q"}, tmp);
  EXPECT_EQ(o.exit_code, 4) << o.err;
  EXPECT_NE(o.err.find("This run will take about 20 s"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("shmlab run -w 1 -n 1 --strategy none --backend file --delay none"),
            std::string::npos)
      << o.err;
  expect_nothing_left(o, tmp);
}

TEST(OutputCli, InterruptedRunSaysSoAndWhatTheCountsMean) {
  TempDir tmp;
  // Ctrl-C reaches the whole process group; `timeout` sends SIGINT to its group the same way.
  const Outcome o =
      run_program({"/usr/bin/timeout", "--preserve-status", "-s", "INT", "1.5", shmlab_binary(),
                   "run", "-w", "2", "-n", "200", "--delay", "20:0:0"},
                  tmp, 60);
  EXPECT_EQ(o.exit_code, 130) << o.out << o.err;
  EXPECT_EQ(o.out.find("All workers finished"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("Run interrupted: the workers were stopped"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("of 400 increments completed; the counts below cover only what ran"),
            std::string::npos)
      << o.out;
  expect_nothing_left(o, tmp);
}

}  // namespace
}  // namespace shmlab::test
