// `shmlab inspect` of a kept run, and `inspect`/`worker` pointed at objects that are not a shmlab
// region of this user: exit 1 with the reason, never a crash, nothing of theirs changed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

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
  // Point the (otherwise valid) control block at a file that is not a region.
  const std::string decoy = tmp.path() + "/decoy.json";
  std::ofstream(decoy) << "{\"counter\": 1}\n";
  const std::size_t at = k.bytes.find(tmp.path() + "/shmlab-");
  ASSERT_NE(at, std::string::npos);
  std::memset(k.bytes.data() + at, 0, 200);
  std::memcpy(k.bytes.data() + at, decoy.c_str(), decoy.size());
  FakeObject fake("decoy", k.bytes);
  const Outcome o = inspect(fake.name(), tmp);
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_NE(o.err.find("not a shmlab region file"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find(decoy), std::string::npos) << o.err;
}

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
