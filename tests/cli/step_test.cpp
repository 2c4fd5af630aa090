// `shmlab run --step` through the real binary: tokens on a pipe drive real processes to the same
// outcome as the equivalent --schedule; a blocked or finished worker is said, not an error; input
// that ends early stops the run with nothing left behind; and a person drives it through tmux, one
// keypress a step, the terminal put back as it was (stty -g) on every way out. `play` is its alias.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
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
// `command` is "run --step" or its alias "play".
Outcome run_step(const std::string& words, const std::vector<std::string>& args, const TempDir& tmp,
                 const std::string& command = "run --step") {
  std::vector<std::string> argv = {
      "/bin/sh", "-c", "exec \"$0\" " + command + " \"$@\" <<'END'\n" + words + "\nEND\n",
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

TEST(PlayCli, PlayIsRunStepUnderItsOwnName) {
  TempDir tmp;
  const std::vector<std::string> args = {"-w", "2", "-n", "1", "--delay", "none", "--json"};
  const Outcome play = run_step("1 2 1 2", args, tmp, "play");
  const Outcome step = run_step("1 2 1 2", args, tmp);
  EXPECT_EQ(play.exit_code, 3) << play.err;
  EXPECT_EQ(play.exit_code, step.exit_code);
  const json a = parse_result(play);
  const json b = parse_result(step);
  EXPECT_EQ(a["schedule_taken"], "1R 2R 1W 2W 1V 2V");
  EXPECT_EQ(a["final"], b["final"]);
  EXPECT_EQ(a["lost"], b["lost"]);
  EXPECT_NE(play.err.find("steps read from stdin"), std::string::npos) << play.err;
  expect_nothing_left(play, tmp);
}

TEST(PlayCli, HelpSaysItIsRunStepWithRunsOptions) {
  expect_help_lists("play", {"Alias of 'run --step'", "--initial", "--strategy", "--report",
                             "press a worker's number"});
  TempDir tmp;
  const Outcome o = run_shmlab({"play", "--help"}, tmp, 20);
  // What chooses the steps otherwise is not among its options; --step is implied.
  for (const char* option : {"--schedule", "--until-race", "--repeat", "--replay-check", "--step"})
    EXPECT_EQ(o.out.find(std::string("\n  ") + option + " "), std::string::npos) << option;
  const Outcome refused = run_shmlab({"play", "--schedule", "1R"}, tmp, 20);
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
}

// A tmux server of this test's own, its socket in a directory of its own (removed with it): the
// terminal mode, driven as a person would. The pane runs a script that saves `stty -g` before
// and after shmlab, so a test can check that the terminal was put back as it was.
class Tmux {
 public:
  explicit Tmux(const TempDir& tmp) : tmp_(tmp), socket_(own_.path() + "/tmux") {}
  ~Tmux() { run({"kill-server"}); }
  Tmux(const Tmux&) = delete;
  Tmux& operator=(const Tmux&) = delete;

  Outcome run(std::vector<std::string> args) const {
    args.insert(args.begin(), {"/usr/bin/tmux", "-S", socket_});
    return run_program(args, tmp_, 10);
  }
  // Starts `shmlab command` ("play -w 2", "run --step -w 2") in the session's one pane.
  void start(const std::string& command) const {
    const std::string dir = own_.path();
    std::ofstream(dir + "/pane.sh")
        << "trap : INT\n"  // Ctrl-C is for shmlab; this shell goes on to save the settings
        << "stty -g >'" << dir << "/stty.before'\n"
        << "TMPDIR='" << tmp_.path() << "' sh -c 'echo PID=$$; exec \"$0\" \"$@\"' '"
        << shmlab_binary() << "' " << command << "\n"
        << "echo EXIT=$?\n"
        << "stty -g >'" << dir << "/stty.after'\n"
        << "echo SETTINGS SAVED\n";
    const Outcome o =
        run({"new-session", "-d", "-s", "s", "-x", "160", "-y", "60", "sh '" + dir + "/pane.sh'"});
    EXPECT_EQ(o.exit_code, 0) << o.err;
    // It waits for our keys first, so it cannot exit before this.
    run({"set-option", "-t", "s", "remain-on-exit", "on"});
  }
  void keys(std::initializer_list<const char*> keys) const {
    for (const char* k : keys) run({"send-keys", "-t", "s", k});
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
  // Once shmlab has exited: its exit code, the terminal's settings as before, nothing left.
  void expect_ended(int code) const {
    ASSERT_TRUE(wait_for("SETTINGS SAVED")) << pane();
    EXPECT_NE(pane().find("EXIT=" + std::to_string(code)), std::string::npos) << pane();
    const std::string before = read(own_.path() + "/stty.before");
    EXPECT_FALSE(before.empty());
    EXPECT_EQ(read(own_.path() + "/stty.after"), before) << "the terminal was not put back";
    // The pane's shell is in the terminal's normal mode: shmlab's cbreak mode was the change.
    EXPECT_NE(before.find(':'), std::string::npos) << before;
    Outcome o;
    o.pid = pid();
    ASSERT_GT(o.pid, 0) << pane();
    expect_nothing_left(o, tmp_);
  }

 private:
  static std::string read(const std::string& path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  const TempDir& tmp_;
  TempDir own_;
  std::string socket_;
};

TEST(StepCli, PersonAtATerminalPressesOneKeyPerStepThroughTmux) {
  TempDir tmp;
  Tmux tmux(tmp);
  tmux.start("play -w 2 -n 1 --initial 5 --delay none");
  ASSERT_TRUE(tmux.wait_for("Step 1: the next step of each worker")) << tmux.pane();
  EXPECT_TRUE(tmux.wait_for("  1: R (read)")) << tmux.pane();
  EXPECT_TRUE(tmux.wait_for("press a worker's number")) << tmux.pane();
  // One key a step, no Enter; a letter opens a line for a token with its step letter checked.
  // The verifies are steps too: 1V and 2V end the run.
  tmux.keys({"1", "2"});
  ASSERT_TRUE(tmux.wait_for("Step 3: the next step of each worker")) << tmux.pane();
  tmux.keys({"t"});
  ASSERT_TRUE(tmux.wait_for("Token (such as 2W), then Enter")) << tmux.pane();
  tmux.keys({"1W", "Enter", "2", "1", "2"});
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
  tmux.expect_ended(3);
}

TEST(StepCli, AWrongKeyIsSaidAndTheTurnShownAgain) {
  TempDir tmp;
  Tmux tmux(tmp);
  tmux.start("run --step -w 2 -n 1 --delay none --backend shm");
  ASSERT_TRUE(tmux.wait_for("Step 1: the next step of each worker")) << tmux.pane();
  tmux.keys({"3"});
  ASSERT_TRUE(tmux.wait_for("There is no worker 3: workers are 1 to 2")) << tmux.pane();
  tmux.keys({"1", "1", "1", "2", "2", "2"});
  ASSERT_TRUE(tmux.wait_for("Replay this interleaving")) << tmux.pane();
  // The turn is shown again with its number: a step is numbered by the steps chosen before it.
  const std::string pane = tmux.pane();
  std::size_t shown = 0;
  for (std::size_t at = pane.find("Step 1: "); at != std::string::npos;
       at = pane.find("Step 1: ", at + 1))
    ++shown;
  EXPECT_EQ(shown, 2u) << pane;
  EXPECT_NE(pane.find("Step 6: "), std::string::npos) << pane;
  EXPECT_EQ(pane.find("Step 7: "), std::string::npos) << pane;
  EXPECT_NE(tmux.pane().find("--schedule \"1R 1W 1V 2R 2W 2V\""), std::string::npos) << tmux.pane();
  tmux.expect_ended(0);
}

TEST(StepCli, WithTwelveWorkersAOneWaitsForTheNextDigitOrEnter) {
  TempDir tmp;
  Tmux tmux(tmp);
  tmux.start("play -w 12 -n 1 --delay none --backend shm");
  ASSERT_TRUE(tmux.wait_for("Step 1: the next step of each worker")) << tmux.pane();
  tmux.keys({"1"});  // worker 1, or 10 to 12: not yet a choice
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(tmux.pane().find("Step 2:"), std::string::npos) << tmux.pane();
  tmux.keys({"Enter"});
  ASSERT_TRUE(tmux.wait_for("Worker 1 read counter: 0")) << tmux.pane();
  ASSERT_TRUE(tmux.wait_for("Step 2: the next step of each worker")) << tmux.pane();
  tmux.keys({"1", "2"});
  ASSERT_TRUE(tmux.wait_for("Worker 12 read counter: 0")) << tmux.pane();
  ASSERT_TRUE(tmux.wait_for("Step 3: the next step of each worker")) << tmux.pane();
  tmux.keys({"3"});  // 30 > 12: at once
  ASSERT_TRUE(tmux.wait_for("Worker 3 read counter: 0")) << tmux.pane();
  tmux.keys({"C-c"});
  ASSERT_TRUE(tmux.wait_for("Steps taken: 1R 12R 3R")) << tmux.pane();
  tmux.expect_ended(130);
}

TEST(StepCli, CtrlCWhileThePersonThinksStopsTheRunAndPutsTheTerminalBack) {
  TempDir tmp;
  Tmux tmux(tmp);
  tmux.start("play -w 2 -n 1 --delay none --strategy mutex --backend shm");
  ASSERT_TRUE(tmux.wait_for("Step 1: the next step of each worker")) << tmux.pane();
  tmux.keys({"1"});
  ASSERT_TRUE(tmux.wait_for("Step 2: the next step of each worker")) << tmux.pane();
  EXPECT_TRUE(tmux.wait_for("  2: waiting for the lock held by 1")) << tmux.pane();
  tmux.keys({"C-c"});
  ASSERT_TRUE(tmux.wait_for("No replay schedule: the run was interrupted")) << tmux.pane();
  EXPECT_TRUE(tmux.wait_for("Cleaned up the run's shared objects")) << tmux.pane();
  tmux.expect_ended(130);
}

TEST(StepCli, CtrlDEndsTheInputAndTheTerminalIsPutBackOnThatErrorToo) {
  TempDir tmp;
  Tmux tmux(tmp);
  tmux.start("play -w 2 -n 1 --delay none --backend mmap");
  ASSERT_TRUE(tmux.wait_for("Step 1: the next step of each worker")) << tmux.pane();
  tmux.keys({"1", "C-d"});
  ASSERT_TRUE(tmux.wait_for("--step: the input ended before the run did")) << tmux.pane();
  tmux.expect_ended(2);
}

}  // namespace
}  // namespace shmlab::test
