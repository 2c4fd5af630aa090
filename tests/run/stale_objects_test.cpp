#include "shmlab/run/stale_objects.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "shmlab/control/control_block.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab {
namespace {

TEST(StaleObjects, RunObjectNamesParse) {
  std::string id;
  pid_t pid = 0;
  for (const char* name : {"shmlab-12-0abc1234", "shmlab-12-0abc1234.json",
                           "sem.shmlab-12-0abc1234-lock", "shmlab-12-0abc1234-data"}) {
    ASSERT_TRUE(parse_run_object_name(name, id, pid)) << name;
    EXPECT_EQ(id, "shmlab-12-0abc1234");
    EXPECT_EQ(pid, 12);
  }
}

TEST(StaleObjects, OtherNamesAreNotRuns) {
  std::string id;
  pid_t pid = 0;
  for (const char* name : {"", "shmlab-", "shmlab-test-1-x", "shmlab-12-0abc123",
                           "shmlab-12-0abc12345", "shmlab-12-0ABC1234", "shmlab--0abc1234",
                           "shmlab-0-0abc1234", "shmlab-99999999999-0abc1234", "xshmlab-1-0abc1234",
                           "shmlab-12-0abc1234x", "sem.", "shmlab-12_0abc1234"}) {
    EXPECT_FALSE(parse_run_object_name(name, id, pid)) << name;
  }
}

TEST(StaleObjects, DeadOwnersOnlyAndKeptRunsMarked) {
  test::TempDir dir;
  constexpr const char* kDead = "shmlab-999999999-0123abcd";
  const std::string alive = "shmlab-" + std::to_string(::getpid()) + "-0123abcd";
  std::ofstream(dir.path() + "/" + kDead + ".json") << "x";
  std::ofstream(dir.path() + "/" + alive + ".json") << "x";
  // A kept control block of the dead run, copied into the directory (a test never plants
  // run-named objects in the shared /dev/shm, where another suite's `clean` may be looking).
  RunParams p;
  std::snprintf(p.run_id, sizeof p.run_id, "shmlab-test-so-%d", ::getpid());
  {
    ControlBlock block = ControlBlock::create(p);
    block.keep();
    std::ofstream(dir.path() + "/" + kDead, std::ios::binary)
        .write(static_cast<const char*>(static_cast<void*>(&block.header())),
               static_cast<std::streamsize>(ControlBlock::size_for(p)));
    block.unlink();
    ::shm_unlink(block.name().c_str());
  }
  const auto found = find_stale_objects({dir.path()});
  std::size_t ours = 0;
  for (const StaleObject& s : found) {
    if (s.run_id != kDead) continue;
    ++ours;
    EXPECT_EQ(s.owner, 999999999);
    EXPECT_TRUE(s.kept) << s.name;
    EXPECT_EQ(remove_stale_object(s), "");
  }
  EXPECT_EQ(ours, 2u) << "its region file and its control block";
  for (const StaleObject& s : found) EXPECT_NE(s.run_id, alive);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{alive + ".json"});
}

}  // namespace
}  // namespace shmlab
