// --trace through the real binary: the Chrome trace parses and carries what Perfetto needs, and a
// property over many runs — every lost update the result names is consistent with the trace, and
// the writes off the final chain, recomputed from the trace alone, are exactly the lost ones.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "support/expect.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

using nlohmann::json;

json read_json_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str(), nullptr, false);
}

struct TracedWrite {
  std::uint32_t worker = 0;
  std::uint64_t op = 0;
  std::int64_t read = 0;
  std::int64_t wrote = 0;
  std::uint64_t based_on = 0;
  double begin_us = 0;
  double end_us = 0;
};

struct Traced {
  std::map<std::uint64_t, TracedWrite> writes;  // by write id
  std::size_t reads = 0;
};

// Reads the trace's writes and checks each read against the write it saw.
Traced parse_trace(const json& t) {
  Traced out;
  std::map<std::int64_t, std::uint32_t> worker_of_pid;
  for (const json& e : t["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "process_sort_index")
      worker_of_pid[e["pid"].get<std::int64_t>()] = e["args"]["sort_index"].get<std::uint32_t>();
  }
  std::vector<json> reads;
  for (const json& e : t["traceEvents"]) {
    if (e["ph"] != "X") continue;
    if (e["cat"] == "read") reads.push_back(e);
    if (e["cat"] != "write") continue;
    const json& a = e["args"];
    TracedWrite w{worker_of_pid.at(e["pid"].get<std::int64_t>()),
                  a["op"].get<std::uint64_t>(),
                  a["read"].get<std::int64_t>(),
                  a["wrote"].get<std::int64_t>(),
                  a["based_on"].get<std::uint64_t>(),
                  e["ts"].get<double>(),
                  e["ts"].get<double>() + e["dur"].get<double>()};
    EXPECT_TRUE(out.writes.emplace(a["write_id"].get<std::uint64_t>(), w).second)
        << "write id traced twice: " << a["write_id"];
  }
  for (const json& e : reads) {
    const std::uint64_t seen = e["args"]["read_write_id"].get<std::uint64_t>();
    const std::int64_t value = e["args"]["value"].get<std::int64_t>();
    if (seen == 0) {
      EXPECT_EQ(value, 0) << e.dump();
    } else {
      const auto it = out.writes.find(seen);
      EXPECT_TRUE(it != out.writes.end()) << "read of an untraced write: " << e.dump();
      if (it != out.writes.end()) {
        EXPECT_EQ(value, it->second.wrote) << e.dump();
      }
    }
  }
  out.reads = reads.size();
  return out;
}

void expect_write(const Traced& t, const json& ref, const char* what) {
  const std::uint64_t id = ref["write_id"].get<std::uint64_t>();
  ASSERT_TRUE(t.writes.count(id)) << what << " write not in the trace: " << ref.dump();
  const TracedWrite& w = t.writes.at(id);
  EXPECT_EQ(w.worker, ref["worker"].get<std::uint32_t>()) << ref.dump();
  EXPECT_EQ(w.op, ref["op"].get<std::uint64_t>()) << ref.dump();
  EXPECT_EQ(w.read, ref["read"].get<std::int64_t>()) << ref.dump();
  EXPECT_EQ(w.wrote, ref["wrote"].get<std::int64_t>()) << ref.dump();
  EXPECT_EQ(w.based_on, ref["based_on"].get<std::uint64_t>()) << ref.dump();
}

// The property: the result's lost list against a trace that was recorded independently of the
// write logs the attribution used.
void check_run(const std::vector<std::string>& args) {
  TempDir tmp;
  TempDir out;
  const std::string trace_path = out.path() + "/trace.json";
  std::vector<std::string> all = {"run", "--json", "-q", "--lost", "all", "--trace", trace_path};
  all.insert(all.end(), args.begin(), args.end());
  const Outcome o = run_shmlab(all, tmp);
  ASSERT_TRUE(o.exit_code == 0 || o.exit_code == 3) << o.err;
  const json r = json::parse(o.out, nullptr, false);
  ASSERT_FALSE(r.is_discarded()) << o.out;
  const json t = read_json_file(trace_path);
  ASSERT_FALSE(t.is_discarded()) << "trace is not JSON";

  EXPECT_EQ(r["attribution"], "exact");
  EXPECT_EQ(r["lost"].size(), r["lost_updates"].get<std::size_t>());
  EXPECT_EQ(r["trace"]["dropped"], 0);
  const Traced traced = parse_trace(t);
  const auto expected = r["expected"].get<std::size_t>();
  ASSERT_EQ(traced.writes.size(), expected);
  EXPECT_EQ(traced.reads, expected);

  // The final chain, from the trace alone.
  std::set<std::uint64_t> chain;
  for (std::uint64_t id = r["final_write_id"].get<std::uint64_t>(); id != 0;) {
    ASSERT_TRUE(traced.writes.count(id)) << "chain broken at " << id;
    ASSERT_TRUE(chain.insert(id).second) << "cycle at " << id;
    id = traced.writes.at(id).based_on;
  }
  EXPECT_EQ(chain.size(), r["final"].get<std::size_t>());

  std::set<std::uint64_t> lost_ids;
  for (const json& l : r["lost"]) {
    expect_write(traced, l, "lost");
    expect_write(traced, l["erased_by"], "eraser");
    const std::uint64_t lost = l["write_id"].get<std::uint64_t>();
    const std::uint64_t eraser = l["erased_by"]["write_id"].get<std::uint64_t>();
    EXPECT_TRUE(lost_ids.insert(lost).second) << "lost twice: " << l.dump();
    EXPECT_FALSE(chain.count(lost)) << "a lost write is on the final chain: " << l.dump();
    EXPECT_TRUE(chain.count(eraser)) << "the eraser is not on the final chain: " << l.dump();
    // The eraser's write finished after the lost write began: it came later, not before.
    EXPECT_GT(traced.writes.at(eraser).end_us, traced.writes.at(lost).begin_us) << l.dump();
  }
  // Exactly the writes off the chain are lost.
  for (const auto& [id, w] : traced.writes) {
    EXPECT_NE(chain.count(id), lost_ids.count(id)) << "write " << id << " of worker " << w.worker;
  }
}

TEST(TraceCli, EveryAttributionIsConsistentWithTheTraceOverManyRuns) {
  for (int i = 0; i < 30; ++i) {
    SCOPED_TRACE("short-delay run " + std::to_string(i));
    check_run({"-w", "3", "-n", "5", "--delay", "0-2:0-2:0"});
  }
  for (int i = 0; i < 10; ++i) {
    SCOPED_TRACE("zero-delay run " + std::to_string(i));
    check_run({"-w", "4", "-n", "100", "--delay", "none"});
  }
  for (int i = 0; i < 1; ++i) {
    SCOPED_TRACE("default-delay run " + std::to_string(i));
    check_run({});
  }
}

TEST(TraceCli, EveryAttributionIsConsistentWithTheTraceOnEveryBackend) {
  for (const char* backend : {"mmap", "shm", "sqlite"}) {
    for (int i = 0; i < 4; ++i) {
      SCOPED_TRACE(std::string(backend) + " run " + std::to_string(i));
      check_run({"-w", "3", "-n", "5", "--delay", "0-2:0-2:0", "--backend", backend});
    }
  }
}

TEST(TraceCli, TraceHasWhatPerfettoNeeds) {
  TempDir tmp;
  TempDir out;
  const std::string path = out.path() + "/t.json";
  const Outcome o = run_shmlab(
      {"run", "-w", "3", "-n", "6", "--delay", "0-2:0-2:0", "--json", "-q", "--trace", path}, tmp);
  ASSERT_TRUE(o.exit_code == 0 || o.exit_code == 3) << o.err;
  const json r = json::parse(o.out);
  const json t = read_json_file(path);
  ASSERT_TRUE(t.is_object());
  ASSERT_TRUE(t["traceEvents"].is_array());
  std::map<std::int64_t, std::string> names;
  std::map<std::string, int> by_phase;
  std::map<std::int64_t, int> flows;
  for (const json& e : t["traceEvents"]) {
    ASSERT_TRUE(e["ph"].is_string() && e["pid"].is_number_integer() &&
                e["tid"].is_number_integer() && e["name"].is_string())
        << e.dump();
    const std::string ph = e["ph"];
    ++by_phase[ph];
    if (ph == "M" && e["name"] == "process_name") names[e["pid"]] = e["args"]["name"];
    if (ph == "M") continue;
    ASSERT_TRUE(e["ts"].is_number()) << e.dump();
    EXPECT_GE(e["ts"].get<double>(), 0) << e.dump();
    if (ph == "X") {
      ASSERT_TRUE(e["dur"].is_number()) << e.dump();
      EXPECT_GE(e["dur"].get<double>(), 0) << e.dump();
      EXPECT_TRUE(e["args"].is_object()) << e.dump();
    }
    if (ph == "i") {
      EXPECT_TRUE(e["s"] == "t" || e["s"] == "p" || e["s"] == "g") << e.dump();
    }
    if (ph == "s") ++flows[e["id"].get<std::int64_t>()];
    if (ph == "f") --flows[e["id"].get<std::int64_t>()];
  }
  // One named track per worker process, named by its number and real PID.
  ASSERT_EQ(names.size(), 3u);
  for (const json& w : r["per_worker"]) {
    const auto pid = w["pid"].get<std::int64_t>();
    ASSERT_TRUE(names.count(pid)) << pid;
    EXPECT_EQ(names[pid], "worker " + std::to_string(w["id"].get<int>()) + " (pid " +
                              std::to_string(pid) + ")");
  }
  for (const json& e : t["traceEvents"]) EXPECT_TRUE(names.count(e["pid"])) << e.dump();
  // A span per step: R W V for each of 18 increments; an instant per lost write and detection.
  EXPECT_EQ(by_phase["X"], 3 * 18);
  const auto lost = r["lost_updates"].get<int>();
  const auto detections = r["verify_detections"]["total"].get<int>();
  EXPECT_EQ(by_phase["i"], lost + detections);
  EXPECT_EQ(by_phase["s"], lost);
  for (const auto& [id, balance] : flows) EXPECT_EQ(balance, 0) << "flow " << id;
}

// The trace's metadata says what the run was: --initial, the scenario, and under a schedule the
// schedule itself (its own replay) rather than an observed one.
TEST(TraceCli, MetadataHasTheInitialValueAndTheSchedule) {
  TempDir tmp;
  TempDir out;
  const std::string path = out.path() + "/t.json";
  const Outcome o = run_shmlab({"run", "-w", "2", "-n", "1", "--initial", "5", "--schedule",
                                "1R 2R 1W 2W", "-q", "--trace", path},
                               tmp);
  ASSERT_EQ(o.exit_code, 3) << o.err;
  const json meta = read_json_file(path)["otherData"];
  EXPECT_EQ(meta["scenario"], "counter");
  EXPECT_EQ(meta["initial"], 5);
  EXPECT_EQ(meta["expected"], 7);
  EXPECT_EQ(meta["final"], 6);
  EXPECT_EQ(meta["schedule"], "1R 2R 1W 2W");
  EXPECT_TRUE(meta["observed_schedule"].is_null()) << meta;
  EXPECT_TRUE(meta["replay_command"].is_null()) << meta;
  expect_nothing_left(o, tmp);
}

TEST(TraceCli, UnwritableOutputFailsBeforeTheRunStarts) {
  TempDir tmp;
  for (const char* option : {"--trace", "--report"}) {
    const std::string path = tmp.path() + "/no/such/dir/out";
    const Outcome o = run_shmlab({"run", "-w", "2", "-n", "1", option, path}, tmp, 20);
    EXPECT_EQ(o.exit_code, 1) << o.err;
    EXPECT_NE(o.err.find(option), std::string::npos) << o.err;
    EXPECT_NE(o.err.find(path), std::string::npos) << o.err;
    EXPECT_NE(o.err.find("No such file or directory"), std::string::npos) << o.err;
    EXPECT_EQ(o.out.find("Spawning"), std::string::npos) << "the run started: " << o.out;
    EXPECT_TRUE(shm_leftovers(o.pid).empty());
    EXPECT_TRUE(tmp.entries().empty());
  }
}

TEST(TraceCli, SameFileForTraceAndReportIsBadUsage) {
  TempDir tmp;
  const std::string path = tmp.path() + "/x";
  const Outcome o = run_shmlab({"run", "--trace", path, "--report", path}, tmp, 20);
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_NE(o.err.find("--trace and --report"), std::string::npos) << o.err;
  EXPECT_TRUE(tmp.entries().empty());
}

TEST(TraceCli, TimelineShowsEveryStepWithinEightyColumns) {
  TempDir tmp;
  const Outcome o =
      run_shmlab({"run", "--delay", "0-2:0-2:0", "--timeline", "--json", "--seed", "5"}, tmp);
  ASSERT_TRUE(o.exit_code == 0 || o.exit_code == 3) << o.err;
  const json r = json::parse(o.out);
  std::istringstream lines(o.err);
  std::string line;
  std::size_t rows = 0;
  std::size_t lost_marks = 0;
  bool in_timeline = false;
  while (std::getline(lines, line)) {
    if (line.rfind("Timeline:", 0) == 0) in_timeline = true;
    if (!in_timeline || line.rfind("[", 0) == 0) continue;
    std::size_t columns = 0;
    for (char c : line) columns += (c & 0xc0) != 0x80;
    EXPECT_LE(columns, 80u) << line;
    if (line.find(" │ ") == std::string::npos || line.find("worker") != std::string::npos) continue;
    ++rows;
    if (line.find("✗ lost (w") != std::string::npos) ++lost_marks;
  }
  EXPECT_EQ(rows, 3u * 15u);  // R W V of each increment
  EXPECT_EQ(lost_marks, r["lost_updates"].get<std::size_t>());
}

}  // namespace
}  // namespace shmlab::test
