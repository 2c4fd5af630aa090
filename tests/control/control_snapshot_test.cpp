#include "shmlab/control/control_snapshot.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "shmlab/control/control_block.hpp"

namespace shmlab {
namespace {

RunParams params(const char* tag) {
  RunParams p;
  p.workers = 3;
  p.increments = 4;
  std::snprintf(p.run_id, sizeof p.run_id, "shmlab-test-%s-%d", tag, ::getpid());
  return p;
}

// What inspect shows is the checked copy: an owner that changes the shared header or shrinks the
// object afterwards changes nothing in it, and no read reaches the object again (no SIGBUS).
TEST(ControlSnapshot, LaterChangesToTheObjectDoNotReachTheCopy) {
  ControlBlock block = ControlBlock::create(params("snap"));
  block.slot(1).ops.store(2, std::memory_order_relaxed);
  const ControlSnapshot sut = ControlSnapshot::read(block.name());
  block.slot(1).ops.store(99, std::memory_order_relaxed);
  block.header().params.workers = kMaxWorkers;
  block.header().slots_offset = 1ULL << 40;
  const int fd = ::shm_open(block.name().c_str(), O_RDWR, 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, 0), 0);
  ::close(fd);
  EXPECT_EQ(sut.params().workers, 3u);
  ASSERT_EQ(sut.slots().size(), 3u);
  EXPECT_EQ(sut.slots()[1].ops.load(), 2u);
  EXPECT_EQ(sut.write_log(2).size(), 4u);
  EXPECT_EQ(sut.ring_count_now(0), 0u);  // the object is empty now: the copy's own count
}

TEST(ControlSnapshot, ShrunkObjectIsRefusedAsTruncated) {
  ControlBlock block = ControlBlock::create(params("snapshrunk"));
  const int fd = ::shm_open(block.name().c_str(), O_RDWR, 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, 100), 0);
  ::close(fd);
  try {
    (void)ControlSnapshot::read(block.name());
    FAIL() << "a shrunk block was read";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(block.name()), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace shmlab
