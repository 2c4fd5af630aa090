// What the views show of inventory and bank runs, through the real binary under schedules whose
// steps are known by hand: the end of a deadlocked run (no lock recovered from a worker the
// coordinator killed, no "finished"), each lock wait as a span (granted, or never), and each read
// and write naming its cell in the timeline, the Chrome trace and the HTML report (rendered by
// headless Chromium, as report_test.cpp does).
#include <gtest/gtest.h>
#include <unistd.h>

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
using Args = std::vector<std::string>;

constexpr const char* kChromium = "/usr/bin/chromium";

const Args kDeadlock = {
    "run", "--scenario", "bank",          "--accounts", "2",     "-w",        "2",  "-n",
    "1",   "--strategy", "account-locks", "--schedule", "1L 2L", "--timeout", "60", "--no-color"};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The "X" events of a Chrome trace of worker `number` (its process is named "worker N (pid P)").
std::vector<json> worker_spans(const json& trace, int number) {
  int pid = -1;
  for (const json& e : trace["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "process_name" &&
        e["args"]["name"].get<std::string>().rfind("worker " + std::to_string(number) + " ", 0) ==
            0)
      pid = e["pid"];
  }
  std::vector<json> out;
  for (const json& e : trace["traceEvents"]) {
    if (e["ph"] == "X" && e["pid"] == pid) out.push_back(e);
  }
  return out;
}

TEST(ScenarioViewsCli, ADeadlockedRunEndsWithoutARecoveryAndSaysItStopped) {
  for (const char* backend : {"file", "shm"}) {
    TempDir tmp;
    Args args = kDeadlock;
    args.insert(args.end(), {"--backend", backend, "--timeline"});
    const Outcome o = run_shmlab(args, tmp);
    const std::string all = o.out + o.err;
    EXPECT_EQ(o.exit_code, 4) << all;
    // Killing worker 1 releases its robust mutex: worker 2 must not be said to take it over.
    EXPECT_EQ(all.find("took"), std::string::npos) << all;
    EXPECT_EQ(all.find("recover"), std::string::npos) << all;
    EXPECT_EQ(all.find("All workers finished"), std::string::npos) << all;
    EXPECT_NE(all.find("Run stopped at a deadlock"), std::string::npos) << all;
    EXPECT_NE(all.find("Deadlock: worker 1 holds account A and waits for B; worker 2 holds B and "
                       "waits for A"),
              std::string::npos)
        << all;
    // The two granted L's that blocked are not steps taken.
    EXPECT_NE(all.find("Steps taken: 1L 2L\n"), std::string::npos) << all;
    EXPECT_NE(all.find("never completed (each worker blocked in its lock): 1L 2L"),
              std::string::npos)
        << all;
    // The timeline: each worker's first lock, then its wait that never came.
    EXPECT_NE(all.find("│ L A "), std::string::npos) << all;
    EXPECT_NE(all.find("│ L B waits: never granted"), std::string::npos) << all;
    EXPECT_NE(all.find("│ L A waits: never granted"), std::string::npos) << all;
    EXPECT_NE(all.find("waits: never granted: still waiting when the run was stopped"),
              std::string::npos)
        << all;
    expect_nothing_left(o, tmp);
  }
}

TEST(ScenarioViewsCli, AnOsScheduledDeadlockIsStoppedWithoutARecoveryEither) {
  TempDir tmp;
  const Outcome o = run_shmlab(
      {"run", "--scenario", "bank", "--accounts", "2", "-w", "2", "-n", "1000", "--delay", "none",
       "--backend", "shm", "--strategy", "account-locks", "--timeout", "60", "--json"},
      tmp, 120);
  // Whether the workers meet in a cycle is the OS's choice; when they do, nobody recovers a lock.
  ASSERT_TRUE(o.exit_code == 0 || o.exit_code == 4) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["recoveries"], 0);
  EXPECT_EQ(o.err.find("took the lock"), std::string::npos) << o.err;
  if (o.exit_code == 4) {
    EXPECT_NE(o.err.find("Run stopped at a deadlock"), std::string::npos) << o.err;
    EXPECT_EQ(r["money_created"], 0);  // a worker between its two writes holds both locks
  }
  expect_nothing_left(o, tmp);
}

TEST(ScenarioViewsCli, ADeadlockedRunsJsonCountsNoRecoveryAndListsTheBlockedSteps) {
  TempDir tmp;
  Args args = kDeadlock;
  args.insert(args.end(), {"--json", "--backend", "sqlite"});
  const Outcome o = run_shmlab(args, tmp);
  EXPECT_EQ(o.exit_code, 4) << o.err;
  const json r = parse_result(o);
  EXPECT_EQ(r["recoveries"], 0);
  EXPECT_EQ(r["schedule_taken"], "1L 2L");
  EXPECT_EQ(r["schedule_blocked"], "1L 2L");
  EXPECT_EQ(r["total_final"], 2000);
  expect_nothing_left(o, tmp);
}

TEST(ScenarioViewsCli, TheTraceShowsEachWaitAsASpanToTheStop) {
  TempDir tmp;
  TempDir out;
  const std::string trace_path = out.path() + "/trace.json";
  Args args = kDeadlock;
  args.insert(args.end(), {"-q", "--trace", trace_path});
  const Outcome o = run_shmlab(args, tmp);
  ASSERT_EQ(o.exit_code, 4) << o.err;
  const json trace = json::parse(slurp(trace_path));
  for (const auto& [worker, first, waits] : {std::tuple{1, "A", "B"}, std::tuple{2, "B", "A"}}) {
    const std::vector<json> spans = worker_spans(trace, worker);
    ASSERT_EQ(spans.size(), 2u) << trace.dump(1);
    // Granted at once under the schedule; a slow build can take over kNotableWaitNs to grant it,
    // and then the span says how long it waited.
    const std::string name = spans[0]["name"];
    EXPECT_TRUE(name == std::string("lock ") + first ||
                name.rfind(std::string("waits for ") + first + ", granted after ", 0) == 0)
        << name;
    EXPECT_EQ(spans[0]["args"]["lock"], first);
    EXPECT_EQ(spans[1]["name"], std::string("waits for ") + waits + ": never granted");
    EXPECT_EQ(spans[1]["cat"], "wait");
    EXPECT_EQ(spans[1]["args"]["never_granted"], true);
    // Confirmed only after 50 ms of an unchanged cycle: the wait lasted at least that long.
    EXPECT_GE(spans[1]["dur"].get<double>(), 50'000.0);
  }
  expect_nothing_left(o, tmp);
}

TEST(ScenarioViewsCli, EachReadAndWriteOfABankTransferNamesItsAccount) {
  TempDir tmp;
  TempDir out;
  const std::string trace_path = out.path() + "/trace.json";
  // Worker 1 moves 100 from A to B; worker 2 from B to A; both read before either writes.
  const Outcome o =
      run_shmlab({"run", "--scenario", "bank", "--accounts", "2", "-w", "2", "-n", "1",
                  "--schedule", "1R 2R 1R 2R 1W 2W 1W 2W", "--timeline", "--trace", trace_path},
                 tmp);
  EXPECT_EQ(o.exit_code, 3) << o.err;
  for (const char* row : {"│ R A 1000", "│ R B 1000", "│ W A 1000→900", "│ W B 1000→900",
                          "│ W B 1000→1100", "│ W A 1000→1100"})
    EXPECT_NE(o.out.find(row), std::string::npos) << row << "\n" << o.out;
  const json trace = json::parse(slurp(trace_path));
  std::vector<std::string> names;
  for (const json& e : worker_spans(trace, 1)) names.push_back(e["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"read A 1000", "read B 1000", "write A 1000→900",
                                             "write B 1000→1100"}));
  expect_nothing_left(o, tmp);
}

TEST(ScenarioViewsCli, TheInventorysStepsNameTheStock) {
  TempDir tmp;
  const Outcome o = run_shmlab(
      {"run", "--scenario", "inventory", "--stock", "1", "-w", "2", "-n", "1", "--strategy",
       "mutex", "--schedule", "1L 1R 1W 1U 2L 2R 2U", "--timeline", "--no-color"},
      tmp);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  for (const char* row : {"│ R stock 1", "│ W stock 1→0", "│ R stock 0"})
    EXPECT_NE(o.out.find(row), std::string::npos) << row << "\n" << o.out;
  expect_nothing_left(o, tmp);
}

TEST(ScenarioViewsCli, TheCountersTimelineDoesNotNameACell) {
  TempDir tmp;
  const Outcome o = run_shmlab(
      {"run", "-w", "2", "-n", "1", "--schedule", "1R 2R 1W 2W", "--timeline", "--no-color"}, tmp);
  EXPECT_EQ(o.exit_code, 3) << o.err;
  EXPECT_NE(o.out.find("│ R 0 "), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("counter 0"), std::string::npos) << o.out;
  expect_nothing_left(o, tmp);
}

TEST(ScenarioViewsCli, TheReportDrawsTheWaitsThatWereNeverGranted) {
  if (::access(kChromium, X_OK) != 0)
    GTEST_SKIP() << kChromium << " is missing: run scripts/install-deps.sh to render the report";
  TempDir tmp;
  TempDir out;
  const std::string html = out.path() + "/report.html";
  Args args = kDeadlock;
  args.insert(args.end(), {"-q", "--report", html});
  const Outcome o = run_shmlab(args, tmp);
  ASSERT_EQ(o.exit_code, 4) << o.err;
  const Outcome dom = run_program(
      {kChromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
       "--disable-background-networking", "--disable-component-update", "--disable-sync",
       "--user-data-dir=" + out.path() + "/profile", "--dump-dom", "file://" + html},
      out, 90, /*own_group=*/true);
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  // The two waits never granted; a first lock slow to grant (a sanitized build) adds its own.
  EXPECT_GE(count(dom.out, "class=\"wait\""), 2u) << dom.out;
  EXPECT_EQ(count(dom.out, "data-never-granted=\"1\""), 2u);
  EXPECT_NE(dom.out.find("data-worker=\"1\" data-lock=\"B\""), std::string::npos);
  EXPECT_NE(dom.out.find("data-worker=\"2\" data-lock=\"A\""), std::string::npos);
  EXPECT_NE(dom.out.find("waits for B: never granted"), std::string::npos);
  EXPECT_NE(dom.out.find("waiting for a lock"), std::string::npos);  // the legend says what it is
  // The head speaks of transfers and money, not of a counter.
  EXPECT_NE(dom.out.find("The run did not complete normally: 0 transfers completed"),
            std::string::npos);
  EXPECT_NE(dom.out.find("<b>2</b><span>lock waits never granted</span>"), std::string::npos);
  EXPECT_NE(dom.out.find("<b>2000</b><span>total money after</span>"), std::string::npos);
  EXPECT_EQ(dom.out.find("final counter"), std::string::npos);
  expect_nothing_left(o, tmp);
}

// ---- inspect ----

// Runs `shmlab run ARGS --keep`, inspects the kept run (text and JSON), then removes it.
struct Inspected {
  std::string text;
  json report;
};

Inspected keep_and_inspect(Args args, const TempDir& tmp) {
  args.insert(args.begin(), "run");
  args.insert(args.end(), {"--keep", "-q"});
  const Outcome o = run_shmlab(args, tmp);
  EXPECT_TRUE(o.exit_code == 0 || o.exit_code == 3 || o.exit_code == 4) << o.err;
  std::vector<std::string> names = shm_leftovers(o.pid);
  std::erase_if(names, [](const std::string& n) { return n.ends_with("-region"); });  // shm's data
  EXPECT_EQ(names.size(), 1u);
  if (names.empty()) return {};
  Inspected out;
  const Outcome text = run_shmlab({"inspect", names.front()}, tmp, 20);
  EXPECT_EQ(text.exit_code, 0) << text.out << text.err;  // a ring without V is not corrupt
  out.text = text.out;
  const Outcome j = run_shmlab({"inspect", names.front(), "--json"}, tmp, 20);
  EXPECT_EQ(j.exit_code, 0) << j.err;
  out.report = json::parse(j.out, nullptr, false);
  const Outcome c = run_shmlab({"clean", "--all", names.front()}, tmp, 20);
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_TRUE(shm_leftovers(o.pid).empty());
  EXPECT_TRUE(tmp.entries().empty());
  return out;
}

TEST(ScenarioViewsCli, InspectOfAKeptBankRunShowsEveryAccount) {
  for (const char* backend : {"file", "sqlite", "shm"}) {
    TempDir tmp;
    // Both transfers erase each other's first write: A and B both end at 1100.
    const Inspected i =
        keep_and_inspect({"--scenario", "bank", "--accounts", "2", "-w", "2", "-n", "1",
                          "--backend", backend, "--schedule", "1R 2R 1R 2R 1W 2W 1W 2W"},
                         tmp);
    const json& cells = i.report["cells"];
    ASSERT_EQ(cells.size(), 2u) << i.report.dump(1);
    EXPECT_EQ(cells[0]["name"], "A");
    EXPECT_EQ(cells[0]["value"], 1100);
    EXPECT_EQ(cells[0]["last_writer"], 2);  // worker 2's second write: A + 100
    EXPECT_EQ(cells[1]["name"], "B");
    EXPECT_EQ(cells[1]["value"], 1100);
    EXPECT_EQ(cells[1]["last_writer"], 1);
    EXPECT_NE(cells[0]["write_id"], 0);
    EXPECT_NE(cells[0]["write_id"], cells[1]["write_id"]);  // two workers' operations
    EXPECT_TRUE(i.report["lock_table"].is_null());          // no per-account locks
    EXPECT_NE(i.text.find("A  1100       last writer worker 2"), std::string::npos) << i.text;
    EXPECT_NE(i.text.find("B  1100       last writer worker 1"), std::string::npos) << i.text;
    EXPECT_NE(i.text.find("op 1 W A"), std::string::npos) << i.text;  // the events name cells
  }
}

TEST(ScenarioViewsCli, InspectOfAKeptInventoryRunShowsTheStock) {
  TempDir tmp;
  const Inspected i = keep_and_inspect({"--scenario", "inventory", "--stock", "3", "-w", "2", "-n",
                                        "1", "--schedule", "1R 1W 2R 2W"},
                                       tmp);
  ASSERT_EQ(i.report["cells"].size(), 1u);
  EXPECT_EQ(i.report["cells"][0]["name"], "stock");
  EXPECT_EQ(i.report["cells"][0]["value"], 1);
  EXPECT_EQ(i.report["cells"][0]["last_writer"], 2);
  EXPECT_NE(i.text.find("stock  1          last writer worker 2"), std::string::npos) << i.text;
}

TEST(ScenarioViewsCli, InspectOfPerAccountLocksShowsTheLockTable) {
  TempDir tmp;
  const Inspected i = keep_and_inspect({"--scenario", "bank", "--accounts", "3", "-w", "3", "-n",
                                        "1", "--strategy", "ordered-locks", "--delay", "none"},
                                       tmp);
  const json& table = i.report["lock_table"];
  ASSERT_EQ(table.size(), 3u) << i.report.dump(1);
  for (std::size_t l = 0; l < 3; ++l) {
    EXPECT_EQ(table[l]["lock"], std::string(1, static_cast<char>('A' + l)));
    EXPECT_TRUE(table[l]["holder"].is_null());  // every transfer released its locks
    EXPECT_TRUE(table[l]["waiting"].empty());
  }
  EXPECT_NE(i.text.find("locks\n"), std::string::npos) << i.text;
  EXPECT_NE(i.text.find("C  free"), std::string::npos) << i.text;
}

}  // namespace
}  // namespace shmlab::test
