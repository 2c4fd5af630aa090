// The sqlite region: schema and WAL, what each strategy needs (read/write, fetch_add, the
// conditional UPDATE of cas, BEGIN IMMEDIATE that reports busy), refusal of foreign databases,
// and removal of the database with its -wal and -shm files.
#include "shmlab/region/sqlite_region.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "support/shmlab_process.hpp"
#include "support/test_region.hpp"

namespace shmlab {
namespace {

class SqliteRegionTest : public testing::Test {
 protected:
  test::TestRegion region_{test::region_params(Backend::kSqlite, 2, 10, "sqlite")};
  test::TempDir& tmp_ = region_.tmp;
  RunParams& p_ = region_.params;
  std::unique_ptr<RegionStore>& store_ = region_.store;
};

TEST_F(SqliteRegionTest, StartsAtZeroAndReadsBackWhatWasWritten) {
  auto sut = attach_region(p_);
  EXPECT_EQ(sut->read().counter, 0);
  sut->write({5, 2, 1234, 17});
  EXPECT_EQ(attach_region(p_)->read(), (CounterRecord{5, 2, 1234, 17}));
}

TEST_F(SqliteRegionTest, FetchAddIsOneUpdateReturningThePreviousValue) {
  auto a = attach_region(p_);
  auto b = attach_region(p_);
  EXPECT_EQ(a->fetch_add(1, 10).counter, 0);
  EXPECT_EQ(b->fetch_add(2, 11).counter, 1);
  EXPECT_EQ(a->read().counter, 2);
  EXPECT_EQ(a->read().last_writer, 2u);
}

TEST_F(SqliteRegionTest, CompareExchangeFailsOnAStaleRead) {
  auto a = attach_region(p_);
  auto b = attach_region(p_);
  const CounterRecord seen = a->read();
  EXPECT_TRUE(b->compare_exchange(b->read(), {1, 2, 0, 11}));
  EXPECT_FALSE(a->compare_exchange(seen, {1, 1, 0, 1}));
  EXPECT_EQ(a->read().write_id, 11u);
}

TEST_F(SqliteRegionTest, SecondBeginImmediateIsBusyUntilTheFirstCommits) {
  auto a = attach_region(p_);
  SqliteRegion b(p_.region_path, 1, SqliteOptions{50, 0});  // wait 50 ms, no retries
  ASSERT_TRUE(a->begin_immediate());
  a->write({1, 1, 0, 1});
  EXPECT_FALSE(b.begin_immediate());
  EXPECT_EQ(b.read().counter, 0);  // WAL: a reader sees the last committed state, unblocked
  EXPECT_TRUE(a->commit());
  ASSERT_TRUE(b.begin_immediate());
  EXPECT_EQ(b.read().counter, 1);
  b.rollback();
}

TEST_F(SqliteRegionTest, DatabaseIsInWalModeAndRemoveDeletesItsCompanions) {
  auto a = attach_region(p_);
  a->write({1, 1, 0, 1});
  EXPECT_TRUE(std::filesystem::exists(std::string(p_.region_path) + "-wal"));
  EXPECT_TRUE(std::filesystem::exists(std::string(p_.region_path) + "-shm"));
  store_->remove();  // with a connection still open, as when a worker was killed
  EXPECT_TRUE(tmp_.entries().empty()) << tmp_.entries().front();
  a.reset();
  EXPECT_TRUE(tmp_.entries().empty()) << tmp_.entries().front();
}

TEST_F(SqliteRegionTest, AttachRefusesADatabaseThatIsNotShmlabs) {
  const std::string path = tmp_.path() + "/foreign.sqlite";
  sqlite3* db = nullptr;
  ASSERT_EQ(::sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(::sqlite3_exec(db, "CREATE TABLE counter(id, value)", nullptr, nullptr, nullptr),
            SQLITE_OK);
  ::sqlite3_close(db);
  try {
    SqliteRegion sut(path, 1);
    FAIL() << "opened a foreign database";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("not a shmlab database"), std::string::npos) << e.what();
  }
}

TEST_F(SqliteRegionTest, CreatingTheSameDatabaseAgainFails) {
  RunParams again = p_;
  EXPECT_THROW(create_region(again, tmp_.path()), std::system_error);
  EXPECT_NO_THROW(attach_region(p_));
}

TEST(SqliteShardedRegion, EachWorkerHasItsRowAndTotalSumsThem) {
  test::TempDir tmp;
  RunParams p;
  p.workers = 3;
  p.backend = Backend::kSqlite;
  p.strategy = Strategy::kSharded;
  std::strncpy(p.run_id, "shmlab-test-sharded", sizeof(p.run_id) - 1);
  auto store = create_region(p, tmp.path());
  auto sut = attach_region(p);
  for (std::uint32_t i = 0; i < 3; ++i) sut->write_cell(i, {10 * (i + 1), i + 1, 0, 0});
  EXPECT_EQ(sut->read_cell(1).counter, 20);
  EXPECT_EQ(sut->total(), 60);
  EXPECT_THROW(sut->read_cell(3), std::out_of_range);
  RunParams unsharded = p;
  unsharded.strategy = Strategy::kNone;
  EXPECT_THROW(attach_region(unsharded), std::system_error);  // 3 rows, the run expects 1
}

}  // namespace
}  // namespace shmlab
