// The mmap and shm regions: the packed word, exclusive creation, header validation on attach, and
// the operations each strategy relies on (plain write, fetch_add, compare-exchange, cells).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "shmlab/region/memory_cells.hpp"
#include "shmlab/region/mmap_region.hpp"
#include "shmlab/region/region.hpp"
#include "shmlab/region/shm_region.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab {
namespace {

RunParams params_for(Backend backend, std::uint32_t workers, const char* run_id) {
  RunParams p;
  p.workers = workers;
  p.increments = 10;
  p.backend = backend;
  std::strncpy(p.run_id, run_id, sizeof(p.run_id) - 1);
  return p;
}

std::string unique_id(const char* tag) {
  return "shmlab-" + std::to_string(::getpid()) + "-" + tag;
}

TEST(PackedWord, KeepsCounterAndIdApart) {
  const std::uint64_t w = pack_word(123456789, 777);
  EXPECT_EQ(word_counter(w), 123456789);
  EXPECT_EQ(word_id(w), 777u);
  EXPECT_EQ(word_counter(pack_word(1'024'000'000'000, 0)), 1'024'000'000'000);
  EXPECT_EQ(word_id(pack_word(5, kMaxPackedId)), kMaxPackedId);
  // An id that does not fit is dropped rather than spilling into the counter.
  EXPECT_EQ(word_id(pack_word(5, kMaxPackedId + 1)), 0u);
  EXPECT_EQ(word_counter(pack_word(5, kMaxPackedId + 1)), 5);
  // fetch_add of 1 on the word adds to the counter, never to the id.
  EXPECT_EQ(word_id(pack_word(41, 9) + 1), 9u);
  EXPECT_EQ(word_counter(pack_word(41, 9) + 1), 42);
}

class MemoryRegionTest : public testing::TestWithParam<Backend> {
 protected:
  std::unique_ptr<RegionStore> make(RunParams& p) { return create_region(p, tmp_.path()); }
  test::TempDir tmp_;
};

TEST_P(MemoryRegionTest, ReadsBackWhatWasWrittenAndStartsAtZero) {
  RunParams p = params_for(GetParam(), 3, unique_id("rw").c_str());
  auto store = make(p);
  auto sut = attach_region(p);
  EXPECT_EQ(sut->read().counter, 0);
  EXPECT_EQ(sut->read().write_id, 0u);
  sut->write({7, 2, 1000, 15});
  const CounterRecord r = attach_region(p)->read();  // another view sees it
  EXPECT_EQ(r.counter, 7);
  EXPECT_EQ(r.write_id, 15u);
  EXPECT_EQ(r.last_writer, 2u);  // (15 - 1) / 10 + 1: named by the id itself
  EXPECT_EQ(r.timestamp_ms, 1000);
}

TEST_P(MemoryRegionTest, FetchAddReturnsThePreviousValue) {
  RunParams p = params_for(GetParam(), 2, unique_id("fa").c_str());
  auto store = make(p);
  auto sut = attach_region(p);
  EXPECT_EQ(sut->fetch_add(1, 5).counter, 0);
  EXPECT_EQ(sut->fetch_add(2, 6).counter, 1);
  EXPECT_EQ(sut->read().counter, 2);
  EXPECT_EQ(sut->read().last_writer, 2u);
}

TEST_P(MemoryRegionTest, CompareExchangeFailsWhenTheWriteIdChangedEvenIfTheValueDidNot) {
  RunParams p = params_for(GetParam(), 2, unique_id("cas").c_str());
  auto store = make(p);
  auto sut = attach_region(p);
  const CounterRecord initial = sut->read();
  EXPECT_TRUE(sut->compare_exchange(initial, {1, 1, 0, 1}));
  EXPECT_FALSE(sut->compare_exchange(initial, {1, 2, 0, 11}));  // stale read
  const CounterRecord same_value_other_id{1, 2, 0, 11};
  EXPECT_FALSE(sut->compare_exchange(same_value_other_id, {2, 2, 0, 12}));
  EXPECT_EQ(sut->read().write_id, 1u);
  EXPECT_TRUE(sut->compare_exchange(sut->read(), {2, 2, 0, 12}));
  EXPECT_EQ(sut->read().counter, 2);
}

TEST_P(MemoryRegionTest, TotalSumsEveryWorkersCell) {
  RunParams p = params_for(GetParam(), 4, unique_id("cells").c_str());
  auto store = make(p);
  auto sut = attach_region(p);
  for (std::uint32_t i = 0; i < 4; ++i) sut->write_cell(i, {i + 1, i + 1, 0, 0});
  EXPECT_EQ(sut->total(), 1 + 2 + 3 + 4);
  EXPECT_EQ(sut->read().counter, 1);
  EXPECT_THROW(sut->read_cell(4), std::out_of_range);
}

TEST_P(MemoryRegionTest, CreatingTheSameRegionAgainFails) {
  RunParams p = params_for(GetParam(), 1, unique_id("excl").c_str());
  auto store = make(p);
  RunParams again = p;
  EXPECT_THROW(make(again), std::system_error);
  EXPECT_NO_THROW(attach_region(p));  // the first one is untouched
}

TEST_P(MemoryRegionTest, AttachRefusesARunWithAnotherWorkerCount) {
  RunParams p = params_for(GetParam(), 2, unique_id("count").c_str());
  auto store = make(p);
  RunParams other = p;
  other.workers = 3;
  EXPECT_THROW(attach_region(other), std::system_error);
}

TEST_P(MemoryRegionTest, RemoveUnlinksAndKeepLeavesIt) {
  RunParams p = params_for(GetParam(), 1, unique_id("rm").c_str());
  auto store = make(p);
  store->remove();
  EXPECT_THROW(attach_region(p), std::system_error);
  RunParams q = params_for(GetParam(), 1, unique_id("keep").c_str());
  auto kept = make(q);
  kept->keep();
  kept.reset();
  EXPECT_NO_THROW(attach_region(q));
  if (GetParam() == Backend::kShm) {
    ::shm_unlink(q.region_path);
  } else {
    ::unlink(q.region_path);
  }
}

std::string backend_label(const testing::TestParamInfo<Backend>& p) {
  return p.param == Backend::kMmap ? "mmap" : "shm";
}

INSTANTIATE_TEST_SUITE_P(MmapAndShm, MemoryRegionTest,
                         testing::Values(Backend::kMmap, Backend::kShm), backend_label);

TEST(MmapRegion, AttachRefusesAFileThatIsNotARegion) {
  test::TempDir tmp;
  RunParams p = params_for(Backend::kMmap, 1, "x");
  const std::string path = tmp.path() + "/not-a-region";
  {
    std::ofstream f(path);
    f << std::string(memory_region_size(1), 'x');
  }
  std::strncpy(p.region_path, path.c_str(), sizeof(p.region_path) - 1);
  try {
    attach_region(p);
    FAIL() << "attached to garbage";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("bad magic"), std::string::npos) << e.what();
  }
  std::filesystem::resize_file(path, 100);
  EXPECT_THROW(attach_region(p), std::system_error);  // truncated
}

TEST(MmapRegion, CreateAndAttachRefuseASymlink) {
  test::TempDir tmp;
  const std::string target = tmp.path() + "/target";
  { std::ofstream f(target); }
  RunParams p = params_for(Backend::kMmap, 1, "link");
  const std::string link = tmp.path() + "/link.region";
  std::filesystem::create_symlink(target, link);
  EXPECT_THROW(create_region(p, tmp.path()), std::system_error);  // the name is taken
  std::strncpy(p.region_path, link.c_str(), sizeof(p.region_path) - 1);
  EXPECT_THROW(attach_region(p), std::system_error);  // O_NOFOLLOW
  EXPECT_EQ(std::filesystem::file_size(target), 0u);
}

}  // namespace
}  // namespace shmlab
