// The locks of the strategies: each one excludes a second holder (seen through try_lock, as a
// schedule sees it) and is free again after unlock. flock and ofd are tested across two open file
// descriptions, which is how two workers hold them.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <fstream>

#include "shmlab/sync/flock_lock.hpp"
#include "shmlab/sync/ofd_lock.hpp"
#include "shmlab/sync/semaphore_lock.hpp"
#include "shmlab/sync/spin_lock.hpp"
#include "shmlab/sys/named_semaphore.hpp"
#include "shmlab/sys/unique_fd.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab {
namespace {

void expect_excludes(Lock& first, Lock& second) {
  ASSERT_EQ(first.lock(), LockResult::kAcquired);
  EXPECT_EQ(second.try_lock(), LockResult::kBusy);
  first.unlock();
  ASSERT_EQ(second.try_lock(), LockResult::kAcquired);
  EXPECT_EQ(first.try_lock(), LockResult::kBusy);
  second.unlock();
  EXPECT_EQ(first.try_lock(), LockResult::kAcquired);
  first.unlock();
}

class FileLocks : public testing::Test {
 protected:
  void SetUp() override {
    path_ = tmp_.path() + "/region";
    std::ofstream(path_) << std::string(200, ' ');
    a_ = sys::UniqueFd(::open(path_.c_str(), O_RDWR | O_CLOEXEC));
    b_ = sys::UniqueFd(::open(path_.c_str(), O_RDWR | O_CLOEXEC));
    ASSERT_TRUE(a_ && b_);
  }
  test::TempDir tmp_;
  std::string path_;
  sys::UniqueFd a_;
  sys::UniqueFd b_;
};

TEST_F(FileLocks, FlockExcludesAnotherOpenFileDescription) {
  FlockLock first(a_.get());
  FlockLock second(b_.get());
  expect_excludes(first, second);
}

TEST_F(FileLocks, OfdLockExcludesAnotherOpenFileDescriptionOnTheSameRange) {
  OfdLock first(a_.get(), {0, 160});
  OfdLock second(b_.get(), {0, 160});
  expect_excludes(first, second);
}

TEST_F(FileLocks, OfdLocksOnDisjointRangesDoNotConflict) {
  OfdLock first(a_.get(), {0, 64});
  OfdLock second(b_.get(), {64, 64});
  ASSERT_EQ(first.lock(), LockResult::kAcquired);
  EXPECT_EQ(second.try_lock(), LockResult::kAcquired);
  second.unlock();
  first.unlock();
}

TEST(SpinLock, ExcludesASecondHolder) {
  std::atomic<std::uint32_t> word{0};
  SpinLock first(&word);
  SpinLock second(&word);
  expect_excludes(first, second);
  EXPECT_EQ(word.load(), 0u);
}

TEST(SemaphoreLock, ExcludesASecondHolderAndUnlinksOnlyWhatItCreated) {
  const std::string name = "/shmlab-" + std::to_string(::getpid()) + "-locks-test-sem";
  {
    sys::NamedSemaphore created = sys::NamedSemaphore::create(name, 1);
    EXPECT_THROW(sys::NamedSemaphore::create(name, 1), std::system_error);  // O_EXCL
    SemaphoreLock first(sys::NamedSemaphore::open(name));
    {
      SemaphoreLock second(sys::NamedSemaphore::open(name));
      expect_excludes(first, second);
    }  // an opener going away leaves the name
    EXPECT_NO_THROW(sys::NamedSemaphore::open(name));
  }
  EXPECT_THROW(sys::NamedSemaphore::open(name), std::system_error);  // the creator unlinked it
}

}  // namespace
}  // namespace shmlab
