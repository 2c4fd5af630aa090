// `shmlab run --step` through the real binary: tokens on a pipe drive real processes to the same
// outcome as the equivalent --schedule; a blocked or finished worker is said, not an error; input
// that ends early stops the run with nothing left behind; and a person drives it through tmux.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/expect.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

using nlohmann::json;

// `shmlab run --step args...` with `words` on its stdin (a pipe: the shell's here-document); exec
// keeps the PID, so the /dev/shm check finds the run's objects.
Outcome run_step(const std::string& words, const std::vector<std::string>& args,
                 const TempDir& tmp) {
  std::vector<std::string> argv = {"/bin/sh", "-c",
                                   "exec \"$0\" run --step \"$@\" <<'END'\n" + words + "\nEND\n",
                                   shmlab_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, tmp, 60);
}

class StepOnBackend : public ::testing::TestWithParam<std::string> {};

TEST_P(StepOnBackend, PipedWorkerNumbersEndLikeTheClassicSchedule) {
  TempDir tmp;
  const Outcome step = run_step(
      "1 2 1 2", {"-w", "2", "-n", "1", "--delay", "none", "--backend", GetParam(), "--json"}, tmp);
  const Outcome sched = run_shmlab(
      {"run", "-w", "2", "-n", "1", "--backend", GetParam(), "--schedule", "1R 2R 1W 2W", "--json"},
      tmp);
  EXPECT_EQ(step.exit_code, 3) << step.err;
  const json a = parse_result(step);
  const json b = parse_result(sched);
  EXPECT_EQ(a["final"], 1);
  EXPECT_EQ(a["final"], b["final"]);
  EXPECT_EQ(a["lost_updates"], b["lost_updates"]);
  EXPECT_EQ(a["lost"], b["lost"]);
  EXPECT_EQ(a["schedule_taken"], "1R 2R 1W 2W 1V 2V");
  EXPECT_NE(step.err.find("Replay this interleaving: shmlab run -w 2 -n 1 --backend " + GetParam() +
                          " --strategy none --schedule \"1R 2R 1W 2W 1V 2V\""),
            std::string::npos)
      << step.err;
  expect_nothing_left(step, tmp);
}

INSTANTIATE_TEST_SUITE_P(Backends, StepOnBackend,
                         ::testing::Values("file", "mmap", "shm", "sqlite"));

TEST(StepCli, BlockedWorkerIsSaidWaitingAndTheChoiceIsAskedAgain) {
  TempDir tmp;
  // 1L, then 2 (its L waits for worker 1's lock: refused), then 1R 1W 1U, then worker 2.
  const Outcome o = run_step("1 2 1 1 1 2 2 2 2",
                             {"-w", "2", "-n", "1", "--delay", "none", "--strategy", "mutex",
                              "--backend", "shm", "--json"},
                             tmp);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.err.find("Worker 2 is waiting for the lock held by 1: choose another"),
            std::string::npos)
      << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["final"], 2);
  EXPECT_EQ(r["schedule_taken"], "1L 1R 1W 1U 2L 2R 2W 2U 1V 2V");
  expect_nothing_left(o, tmp);
}

TEST(StepCli, WrongWordsAreSaidAndSkipped) {
  TempDir tmp;
  const Outcome o = run_step("x 3 1W 1 2 1 2", {"-w", "2", "-n", "1", "--delay", "none"}, tmp);
  EXPECT_EQ(o.exit_code, 3) << o.err;
  EXPECT_NE(o.out.find("'x' is neither a worker's number nor a token"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("There is no worker 3"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("Worker 1's next step is R (read), not W (write)"), std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("Expected 2 but got 1"), std::string::npos) << o.out;
  expect_nothing_left(o, tmp);
}

TEST(StepCli, InputEndingBeforeTheRunStopsItWithNothingLeft) {
  TempDir tmp;
  const Outcome o =
      run_step("1 2", {"-w", "2", "-n", "1", "--delay", "none", "--backend", "shm"}, tmp);
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_NE(o.err.find("--step: the input ended before the run did"), std::string::npos) << o.err;
  expect_nothing_left(o, tmp);
}

TEST(StepCli, RefusesAScheduleBeside) {
  TempDir tmp;
  const Outcome o = run_step("1", {"--schedule", "1R"}, tmp);
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_NE(o.err.find("--step"), std::string::npos) << o.err;
  expect_nothing_left(o, tmp);
}

// A tmux server of this test's own, its socket in a directory of its own (removed with it): the
// terminal mode, driven as a person would.
class Tmux {
 public:
  explicit Tmux(const TempDir& tmp) : tmp_(tmp), socket_(socket_dir_.path() + "/tmux") {}
  ~Tmux() { run({"kill-server"}); }
  Tmux(const Tmux&) = delete;
  Tmux& operator=(const Tmux&) = delete;

  Outcome run(std::vector<std::string> args) const {
    args.insert(args.begin(), {"/usr/bin/tmux", "-S", socket_});
    return run_program(args, tmp_, 10);
  }
  // Starts `shmlab run --step args` in the session's one pane, which stays after it exits.
  void start(const std::string& args) const {
    const std::string cmd = "echo PID=$$; TMPDIR='" + tmp_.path() + "' exec '" + shmlab_binary() +
                            "' run --step " + args;
    const Outcome o =
        run({"new-session", "-d", "-s", "s", "-x", "160", "-y", "60", "sh -c \"" + cmd + "\""});
    EXPECT_EQ(o.exit_code, 0) << o.err;
    // It waits for our keys first, so it cannot exit before this.
    run({"set-option", "-t", "s", "remain-on-exit", "on"});
  }
  // The run's PID, as the shell printed it before exec.
  pid_t pid() const {
    const std::string p = pane();
    const std::size_t at = p.find("PID=");
    return at == std::string::npos ? -1 : static_cast<pid_t>(std::stol(p.substr(at + 4)));
  }
  std::string pane() const { return run({"capture-pane", "-p", "-S", "-200", "-t", "s"}).out; }
  // Polls the pane until it shows `text` (at most ~20 s).
  bool wait_for(const std::string& text) const {
    for (int i = 0; i < 400; ++i) {
      if (pane().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

 private:
  const TempDir& tmp_;
  TempDir socket_dir_;
  std::string socket_;
};

TEST(StepCli, PersonAtATerminalChoosesEachStepThroughTmux) {
  TempDir tmp;
  Tmux tmux(tmp);
  tmux.start("-w 2 -n 1 --initial 5 --delay none");
  ASSERT_TRUE(tmux.wait_for("Step 1: the next step of each worker")) << tmux.pane();
  EXPECT_TRUE(tmux.wait_for("  1: R (read)")) << tmux.pane();
  // The verifies are steps too: 1V and 2V end the run.
  for (const char* key : {"1", "2", "1W", "2", "1", "2V"}) {
    tmux.run({"send-keys", "-t", "s", key, "Enter"});
  }
  ASSERT_TRUE(tmux.wait_for("Replay this interleaving")) << tmux.pane();
  const std::string pane = tmux.pane();
  EXPECT_NE(pane.find("Step 4: the next step of each worker"), std::string::npos) << pane;
  EXPECT_NE(pane.find("Worker 2 read counter: 5"), std::string::npos) << pane;
  EXPECT_NE(pane.find("  2: W (write), from its read of 5"), std::string::npos) << pane;
  EXPECT_NE(pane.find("Expected 7 but got 6"), std::string::npos) << pane;
  EXPECT_NE(
      pane.find("--initial 5 --backend file --strategy none --schedule \"1R 2R 1W 2W 1V 2V\""),
      std::string::npos)
      << pane;
  Outcome o;
  o.pid = tmux.pid();
  ASSERT_GT(o.pid, 0) << pane;
  EXPECT_TRUE(tmux.wait_for("Cleaned up the run's shared objects")) << pane;
  expect_nothing_left(o, tmp);
}

TEST(StepCli, CtrlCWhileThePersonThinksStopsTheRunWithNothingLeft) {
  TempDir tmp;
  Tmux tmux(tmp);
  tmux.start("-w 2 -n 1 --delay none --strategy mutex --backend shm");
  ASSERT_TRUE(tmux.wait_for("Step 1: the next step of each worker")) << tmux.pane();
  tmux.run({"send-keys", "-t", "s", "1", "Enter"});
  ASSERT_TRUE(tmux.wait_for("Step 2: the next step of each worker")) << tmux.pane();
  EXPECT_TRUE(tmux.wait_for("  2: waiting for the lock held by 1")) << tmux.pane();
  tmux.run({"send-keys", "-t", "s", "C-c"});
  ASSERT_TRUE(tmux.wait_for("No replay schedule: the run was interrupted")) << tmux.pane();
  EXPECT_TRUE(tmux.wait_for("Cleaned up the run's shared objects")) << tmux.pane();
  Outcome o;
  o.pid = tmux.pid();
  ASSERT_GT(o.pid, 0) << tmux.pane();
  expect_nothing_left(o, tmp);
}

}  // namespace
}  // namespace shmlab::test
