// FlockLock: the `flock` strategy, flock(2) LOCK_EX on the region's file. The lock belongs to the
// open file description, so each worker locks through the descriptor its own Region opened; the
// kernel releases it when the holder dies (its descriptors close).
#pragma once

#include "shmlab/sync/lock.hpp"

namespace shmlab {

class FlockLock final : public Lock {
 public:
  explicit FlockLock(int fd) : fd_(fd) {}
  LockResult lock() override;
  LockResult try_lock() override;
  void unlock() override;
  std::string_view what() const override { return "the flock"; }

 private:
  int fd_;  // owned by the Region
};

}  // namespace shmlab
