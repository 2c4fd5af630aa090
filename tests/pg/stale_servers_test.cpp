// The state file and what `shmlab clean` makes of it, without a server: only directories of dead
// owners, with a state file of ours that points inside them, are taken.
#include "shmlab/pg/stale_servers.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "pg/pg_test_support.hpp"
#include "shmlab/pg/server_state.hpp"

namespace shmlab::test {
namespace {

namespace fs = std::filesystem;

// A pid above pid_max: no process has it, so its owner is dead.
constexpr pid_t kDeadPid = 999'999'999;

std::string make_server_dir(const TempDir& tmp, const std::string& name, pid_t owner) {
  const std::string dir = fs::canonical(tmp.path()).string() + "/" + name;
  fs::create_directory(dir);
  fs::create_directory(dir + "/data");
  pg::write_server_state(dir, {owner, 0, dir + "/data"});
  return dir;
}

TEST(PgServerState, ReadsBackWhatWasWritten) {
  TempDir tmp;
  pg::write_server_state(tmp.path(), {42, 4242, "/tmp/x y/data"});
  const auto sut = pg::read_server_state(tmp.path());
  ASSERT_TRUE(sut.has_value());
  EXPECT_EQ(sut->owner, 42);
  EXPECT_EQ(sut->postmaster, 4242);
  EXPECT_EQ(sut->data_dir, "/tmp/x y/data");
  struct stat st {};
  ASSERT_EQ(::stat((tmp.path() + "/" + pg::kServerStateFile).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(PgServerState, SymlinkOrMalformedFileIsNotAState) {
  TempDir tmp;
  const std::string path = tmp.path() + "/" + pg::kServerStateFile;
  std::ofstream(tmp.path() + "/elsewhere") << "owner 1\npostmaster 1\ndata_dir /\n";
  fs::create_symlink(tmp.path() + "/elsewhere", path);
  EXPECT_FALSE(pg::read_server_state(tmp.path()).has_value());
  fs::remove(path);
  std::ofstream(path) << "owner x\n";
  EXPECT_FALSE(pg::read_server_state(tmp.path()).has_value());
}

TEST(PgStaleServers, OnlyDeadOwnersDirectoriesAreTakenAndRemoved) {
  TempDir tmp;
  const std::string stale = make_server_dir(tmp, "shmlab-999999999-0123abcd-pg-Aa11Bb", kDeadPid);
  const std::string alive = make_server_dir(
      tmp, "shmlab-" + std::to_string(::getpid()) + "-0123abcd-pg-Cc22Dd", ::getpid());
  // A state file that points outside its directory is not trusted.
  const std::string foreign = make_server_dir(tmp, "shmlab-999999999-4567abcd-pg-Ee33Ff", kDeadPid);
  pg::write_server_state(foreign, {kDeadPid, 0, "/var/lib/postgresql/data"});
  // Not a server's name at all.
  make_server_dir(tmp, "shmlab-999999999-89abcdef", kDeadPid);

  const auto found = pg::find_stale_servers(tmp.path());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(fs::path(found[0].dir).filename(), fs::path(stale).filename());
  EXPECT_EQ(found[0].run_id, "shmlab-999999999-0123abcd");
  EXPECT_FALSE(found[0].running);
  EXPECT_EQ(pg::remove_stale_server(found[0]), "");
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(alive));
  EXPECT_TRUE(fs::exists(foreign));
}

}  // namespace
}  // namespace shmlab::test
