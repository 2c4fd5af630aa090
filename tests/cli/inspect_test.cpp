// `shmlab inspect` of a kept run, and `inspect`/`worker` pointed at objects that are not a shmlab
// region of this user: exit 1 with the reason, never a crash, nothing of theirs changed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <tuple>
#include <vector>

#include "shmlab/control/control_block.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// A finished run kept with --keep: its control block's name and bytes.
struct KeptRun {
  std::string name;  // "shmlab-<pid>-<hex>" in /dev/shm
  std::string bytes;
  json result;
};

KeptRun keep_a_run(const TempDir& tmp) {
  const Outcome o =
      run_shmlab({"run", "-w", "2", "-n", "3", "--delay", "none", "--keep", "--json"}, tmp);
  EXPECT_TRUE(o.exit_code == 0 || o.exit_code == 3) << o.err;
  KeptRun k;
  k.result = json::parse(o.out, nullptr, false);
  const auto names = shm_leftovers(o.pid);
  EXPECT_EQ(names.size(), 1u);
  if (names.empty()) return k;
  k.name = names.front();
  std::ifstream f("/dev/shm/" + k.name, std::ios::binary);
  k.bytes.assign((std::istreambuf_iterator<char>(f)), {});
  return k;
}

// A shm object made by the test; unlinked on destruction.
class FakeObject {
 public:
  FakeObject(const std::string& tag, const std::string& bytes)
      : name_("shmlab-test-" + std::to_string(::getpid()) + "-" + tag) {
    const int fd = ::shm_open(("/" + name_).c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
    EXPECT_GE(fd, 0) << name_ << ": " << std::strerror(errno);
    if (fd < 0) return;
    EXPECT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    fd_ = fd;
  }
  ~FakeObject() {
    if (fd_ >= 0) ::close(fd_);
    ::shm_unlink(("/" + name_).c_str());
  }
  const std::string& name() const { return name_; }
  int fd() const { return fd_; }

 private:
  std::string name_;
  int fd_ = -1;
};

Outcome inspect(const std::string& name, const TempDir& tmp) {
  return run_shmlab({"inspect", name}, tmp, 20);
}

TEST(InspectCli, KeptRunShowsHeaderValuesWorkersAndTrace) {
  TempDir tmp;
  const KeptRun k = keep_a_run(tmp);
  ASSERT_FALSE(k.name.empty());
  const Outcome o = run_shmlab({"inspect", k.name, "--json"}, tmp, 20);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  const json r = json::parse(o.out, nullptr, false);
  ASSERT_FALSE(r.is_discarded()) << o.out;
  EXPECT_EQ(r["name"], "/" + k.name);
  EXPECT_EQ(r["header"]["version"], kControlVersion);
  EXPECT_EQ(r["header"]["kept"], true);
  EXPECT_EQ(r["header"]["owner_alive"], false);
  EXPECT_EQ(r["params"]["workers"], 2);
  EXPECT_EQ(r["params"]["increments"], 3);
  EXPECT_EQ(r["values"]["counter"], k.result["final"]);
  EXPECT_EQ(r["values"]["last_writer"], k.result["last_writer"]);
  ASSERT_EQ(r["workers"].size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(r["workers"][i]["ops"], 3);
    EXPECT_EQ(r["workers"][i]["state"], "done");
    EXPECT_EQ(r["workers"][i]["pid"], k.result["per_worker"][i]["pid"]);
    EXPECT_EQ(r["workers"][i]["writes_logged"], 3);
  }
  EXPECT_TRUE(r.contains("trace_events"));

  const Outcome text = inspect("/dev/shm/" + k.name, tmp);
  EXPECT_EQ(text.exit_code, 0) << text.err;
  for (const char* part : {"header", "values", "workers", "trace"})
    EXPECT_NE(text.out.find(part), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("counter " + std::to_string(k.result["final"].get<int>())),
            std::string::npos)
      << text.out;

  // clean --all RUN removes exactly this kept run (its control block and its region file).
  const Outcome c = run_shmlab({"clean", "--all", k.name}, tmp, 20);
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find("/dev/shm/" + k.name), std::string::npos) << c.out;
  EXPECT_FALSE(fs::exists("/dev/shm/" + k.name));
  EXPECT_TRUE(tmp.entries().empty());
}

TEST(InspectCli, KeptRunIsLeftByPlainClean) {
  TempDir tmp;
  const KeptRun k = keep_a_run(tmp);
  ASSERT_FALSE(k.name.empty());
  const Outcome c = run_shmlab({"clean", k.name}, tmp, 20);
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find("kept runs left"), std::string::npos) << c.out;
  EXPECT_TRUE(fs::exists("/dev/shm/" + k.name));
  ::shm_unlink(("/" + k.name).c_str());
}

struct Hostile {
  std::string tag;
  std::string reason;  // what the message must say
};

class HostileObject : public ::testing::TestWithParam<Hostile> {};

// Builds the object for a case from a real kept run's bytes.
std::string hostile_bytes(const std::string& tag, std::string bytes) {
  if (tag == "badmagic") bytes[0] ^= 0x55;
  if (tag == "version") bytes[8] = 7;
  if (tag == "truncated") bytes.resize(100);
  if (tag == "empty") bytes.clear();
  if (tag == "grown") bytes.append(4096, '\0');
  if (tag == "garbage") bytes.assign(bytes.size(), 'x');
  if (tag == "params") std::memset(bytes.data() + 48, 0xff, 4);  // RunParams::increments
  if (tag == "delay") {
    // The window's range turned upside down: 30 ms to 0.01 ms.
    ControlHeader h;
    const auto at =
        reinterpret_cast<const char*>(&h.params.delays.window) - reinterpret_cast<const char*>(&h);
    const DelayRange upside_down{30'000, 10};
    std::memcpy(bytes.data() + at, &upside_down, sizeof upside_down);
  }
  return bytes;
}

TEST_P(HostileObject, InspectAndWorkerRefuseWithExitOne) {
  TempDir tmp;
  const KeptRun k = keep_a_run(tmp);
  ASSERT_FALSE(k.name.empty());
  ::shm_unlink(("/" + k.name).c_str());
  const std::string tag = GetParam().tag;
  std::string target;
  std::unique_ptr<FakeObject> fake;
  std::string link;
  if (tag == "symlink") {
    fake = std::make_unique<FakeObject>("target", k.bytes);
    link = "/dev/shm/shmlab-test-" + std::to_string(::getpid()) + "-link";
    fs::create_symlink("/dev/shm/" + fake->name(), link);
    target = fs::path(link).filename().string();
  } else if (tag == "missing") {
    target = "shmlab-test-" + std::to_string(::getpid()) + "-missing";
  } else if (tag == "fifo") {
    target = "shmlab-test-" + std::to_string(::getpid()) + "-fifo";
    link = "/dev/shm/" + target;
    ASSERT_EQ(::mkfifo(link.c_str(), 0600), 0);
  } else {
    fake = std::make_unique<FakeObject>(tag, hostile_bytes(tag, k.bytes));
    target = fake->name();
    if (tag == "otheruser") {
      if (::getuid() != 0) GTEST_SKIP() << "needs root to give an object to another uid";
      ASSERT_EQ(::fchown(fake->fd(), 65534, 65534), 0);
    }
  }
  const Outcome i = inspect(target, tmp);
  EXPECT_EQ(i.exit_code, 1) << i.err;
  EXPECT_NE(i.err.find(GetParam().reason), std::string::npos) << i.err;
  EXPECT_NE(i.err.find(target), std::string::npos) << "names the object: " << i.err;
  EXPECT_TRUE(i.out.empty()) << i.out;

  const Outcome w = run_shmlab({"worker", "--control", "/" + target, "--index", "0"}, tmp, 20);
  EXPECT_EQ(w.exit_code, 1) << w.err;
  EXPECT_NE(w.err.find(GetParam().reason), std::string::npos) << w.err;
  if (!link.empty()) ::unlink(link.c_str());
  if (fake && tag != "otheruser") {
    // Refused, and left as it was.
    std::ifstream f("/dev/shm/" + fake->name(), std::ios::binary);
    const std::string now((std::istreambuf_iterator<char>(f)), {});
    EXPECT_EQ(now, tag == "symlink" ? k.bytes : hostile_bytes(tag, k.bytes));
  }
}

INSTANTIATE_TEST_SUITE_P(
    InspectCli, HostileObject,
    ::testing::Values(Hostile{"badmagic", "bad magic"}, Hostile{"version", "version 7"},
                      Hostile{"truncated", "truncated"}, Hostile{"empty", "truncated"},
                      Hostile{"grown", "wrong size"}, Hostile{"garbage", "bad magic"},
                      Hostile{"params", "corrupt parameters"},
                      Hostile{"delay", "corrupt parameters: delay range 30000-10 us"},
                      Hostile{"symlink", "Too many levels of symbolic links"},
                      Hostile{"missing", "No such file or directory"},
                      Hostile{"fifo", "not a regular object"},
                      Hostile{"otheruser", "owned by uid 65534"}),
    [](const ::testing::TestParamInfo<Hostile>& i) { return i.param.tag; });

TEST(InspectCli, RegionThatIsNotShmlabsIsRefused) {
  TempDir tmp;
  KeptRun k = keep_a_run(tmp);
  ASSERT_FALSE(k.name.empty());
  ::shm_unlink(("/" + k.name).c_str());
  // The run's own region file, replaced by one that is not a region.
  const std::string region = tmp.path() + "/" + k.name + "/" + k.name + ".json";
  ASSERT_TRUE(fs::exists(region));
  std::ofstream(region) << "{\"counter\": 1}\n";
  FakeObject fake("decoy", k.bytes);
  const Outcome o = inspect(fake.name(), tmp);
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_NE(o.err.find("not a shmlab region file"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find(region), std::string::npos) << o.err;
  fs::remove_all(tmp.path() + "/" + k.name);
}

// A header that points the region anywhere else (another file of the user's) is not followed.
TEST(InspectCli, RegionPathThatIsNotTheRunsIsRefused) {
  TempDir tmp;
  KeptRun k = keep_a_run(tmp);
  ASSERT_FALSE(k.name.empty());
  ::shm_unlink(("/" + k.name).c_str());
  const std::string decoy = tmp.path() + "/decoy.json";
  std::ofstream(decoy) << "{\"counter\": 1}\n";
  const std::size_t at = k.bytes.find(tmp.path() + "/shmlab-");
  ASSERT_NE(at, std::string::npos);
  std::memset(k.bytes.data() + at, 0, 200);
  std::memcpy(k.bytes.data() + at, decoy.c_str(), decoy.size());
  FakeObject fake("decoy", k.bytes);
  const Outcome o = inspect(fake.name(), tmp);
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_NE(o.err.find("is not run " + k.name + "'s"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find(decoy), std::string::npos) << o.err;
  fs::remove_all(tmp.path() + "/" + k.name);
}

// A kept run under a schedule (SPEC §3: same schedule, same trace), with its --trace file as the
// record of the events the run made.
struct ScheduledKeptRun {
  std::string name;
  json trace;  // the Chrome trace the run wrote
};

ScheduledKeptRun keep_a_scheduled_run(const TempDir& tmp) {
  const std::string trace_path = tmp.path() + "/trace.json";
  const Outcome o = run_shmlab({"run", "-w", "2", "-n", "2", "--strategy", "mutex", "--schedule",
                                "1L 1R 1W 1U 2L 2R", "--keep", "-q", "--trace", trace_path},
                               tmp);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  ScheduledKeptRun k;
  const auto names = shm_leftovers(o.pid);
  EXPECT_EQ(names.size(), 1u);
  if (!names.empty()) k.name = names.front();
  std::ifstream f(trace_path);
  k.trace = json::parse(f, nullptr, false);
  fs::remove(trace_path);
  return k;
}

// (op, step, value) of each step a worker made, in order, as the Chrome trace has them.
using Steps = std::vector<std::tuple<std::uint64_t, std::string, json>>;
std::vector<Steps> steps_in_trace(const json& trace, const json& pids) {
  std::vector<Steps> out(pids.size());
  std::vector<std::vector<std::pair<double, std::size_t>>> order(pids.size());
  std::vector<json> xs;
  for (const json& e : trace["traceEvents"]) {
    if (e["ph"] != "X") continue;
    for (std::size_t w = 0; w < pids.size(); ++w) {
      if (e["pid"] != pids[w]) continue;
      order[w].emplace_back(e["ts"].get<double>(), xs.size());
      xs.push_back(e);
    }
  }
  for (std::size_t w = 0; w < pids.size(); ++w) {
    std::sort(order[w].begin(), order[w].end());
    for (const auto& [ts, i] : order[w]) {
      const json& e = xs[i];
      const std::string cat = e["cat"];
      const std::string letter(1, static_cast<char>(std::toupper(cat[0])));
      const json& a = e["args"];
      const json value = letter == "R"         ? a["value"]
                         : letter == "V"       ? a["now"]
                         : a.contains("wrote") ? a["wrote"]
                                               : json(nullptr);
      out[w].emplace_back(a["op"].get<std::uint64_t>(), letter, value);
    }
  }
  return out;
}

TEST(InspectCli, ScheduledKeptRunShowsExactlyTheEventsItMade) {
  TempDir tmp;
  const ScheduledKeptRun k = keep_a_scheduled_run(tmp);
  ASSERT_FALSE(k.name.empty());
  ASSERT_FALSE(k.trace.is_discarded());
  const Outcome o = run_shmlab({"inspect", k.name, "--json"}, tmp, 20);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  const json r = json::parse(o.out, nullptr, false);
  ASSERT_FALSE(r.is_discarded()) << o.out;
  ASSERT_TRUE(r["trace"].is_object()) << o.out;
  const json& rings = r["trace"]["workers"];
  ASSERT_EQ(rings.size(), 2u);
  json pids = json::array();
  for (const json& w : r["workers"]) pids.push_back(w["pid"]);
  const std::vector<Steps> expected = steps_in_trace(k.trace, pids);
  std::uint64_t total = 0;
  for (std::size_t w = 0; w < 2; ++w) {
    const json& ring = rings[w];
    EXPECT_TRUE(ring["problem"].is_null()) << ring;
    EXPECT_EQ(ring["overflowed"], 0);
    // mutex: L R W U V per operation, 2 operations.
    EXPECT_EQ(ring["recorded"], 10);
    ASSERT_EQ(ring["events"].size(), expected[w].size()) << ring;
    for (std::size_t i = 0; i < expected[w].size(); ++i) {
      const json& e = ring["events"][i];
      EXPECT_EQ(e["n"], i + 1);
      EXPECT_EQ(e["op"], std::get<0>(expected[w][i])) << "worker " << w + 1 << " event " << i;
      EXPECT_EQ(e["step"], std::get<1>(expected[w][i])) << "worker " << w + 1 << " event " << i;
      EXPECT_EQ(e["value"], std::get<2>(expected[w][i])) << "worker " << w + 1 << " event " << i;
    }
    total += ring["recorded"].get<std::uint64_t>();
  }
  EXPECT_EQ(r["trace_events"], total);
  // The schedule's first steps: worker 1 locks, reads 0, writes 1, unlocks; worker 2 reads 1.
  EXPECT_EQ(rings[0]["events"][1]["value"], 0);
  EXPECT_EQ(rings[0]["events"][2]["value"], 1);
  EXPECT_EQ(rings[1]["events"][1]["step"], "R");
  EXPECT_EQ(rings[1]["events"][1]["value"], 1);

  // The text shows each worker's counts and its newest events.
  const Outcome text = inspect(k.name, tmp);
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("recorded 10, overflowed 0; last 5: op 2 L, op 2 R"), std::string::npos)
      << text.out;

  const Outcome c = run_shmlab({"clean", "--all", k.name}, tmp, 20);
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_FALSE(fs::exists("/dev/shm/" + k.name));
  EXPECT_TRUE(tmp.entries().empty());
}

// Overwrites worker `index`'s ring count in the kept object itself.
void write_ring_count(const std::string& name, std::uint32_t index, std::uint64_t count) {
  const int fd = ::open(("/dev/shm/" + name).c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  ControlHeader h;
  ASSERT_EQ(::pread(fd, &h, sizeof h, 0), static_cast<ssize_t>(sizeof h));
  const off_t at = static_cast<off_t>(h.trace_offset + index * h.trace_stride);
  EXPECT_EQ(::pwrite(fd, &count, sizeof count, at), static_cast<ssize_t>(sizeof count));
  ::close(fd);
}

struct CorruptCount {
  std::string tag;
  std::uint64_t count;
  std::string reason;
};

class CorruptRing : public ::testing::TestWithParam<CorruptCount> {};

TEST_P(CorruptRing, IsShownWithoutEventsAndExitsOne) {
  TempDir tmp;
  const ScheduledKeptRun k = keep_a_scheduled_run(tmp);
  ASSERT_FALSE(k.name.empty());
  write_ring_count(k.name, 1, GetParam().count);

  const Outcome o = run_shmlab({"inspect", k.name, "--json"}, tmp, 20);
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_NE(o.err.find("worker 2's trace ring is corrupt"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find(GetParam().reason), std::string::npos) << o.err;
  const json r = json::parse(o.out, nullptr, false);
  ASSERT_FALSE(r.is_discarded()) << o.out;
  const json& rings = r["trace"]["workers"];
  ASSERT_EQ(rings.size(), 2u);
  EXPECT_TRUE(rings[0]["problem"].is_null());
  EXPECT_EQ(rings[0]["events"].size(), 10u);
  EXPECT_TRUE(rings[1]["problem"].is_string());
  EXPECT_EQ(rings[1]["recorded"], GetParam().count);
  EXPECT_TRUE(rings[1]["events"].empty());

  const Outcome text = inspect(k.name, tmp);
  EXPECT_EQ(text.exit_code, 1) << text.err;
  EXPECT_NE(text.out.find("ring corrupt, events not shown"), std::string::npos) << text.out;

  const Outcome c = run_shmlab({"clean", "--all", k.name}, tmp, 20);
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_FALSE(fs::exists("/dev/shm/" + k.name));
  EXPECT_TRUE(tmp.entries().empty());
}

INSTANTIATE_TEST_SUITE_P(
    InspectCli, CorruptRing,
    ::testing::Values(CorruptCount{"huge", std::uint64_t{1} << 40, "has no step letter"},
                      CorruptCount{"short", 3, "but its worker completed 2"},
                      CorruptCount{"zero", 0, "it holds no event"},
                      CorruptCount{"max", ~std::uint64_t{0}, "worker 2's trace ring"}),
    [](const ::testing::TestParamInfo<CorruptCount>& i) { return i.param.tag; });

TEST(InspectCli, MalformedNameIsBadUsage) {
  TempDir tmp;
  for (const char* name : {"", "/", "a/b", "..", "/dev/shm/"}) {
    const Outcome o = inspect(name, tmp);
    EXPECT_EQ(o.exit_code, 2) << name << ": " << o.err;
  }
  EXPECT_EQ(run_shmlab({"inspect"}, tmp, 20).exit_code, 2);
}

}  // namespace
}  // namespace shmlab::test
