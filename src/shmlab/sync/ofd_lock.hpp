// OfdLock: the `ofd` strategy, an fcntl open-file-description write lock (F_OFD_SETLKW) on the
// byte range of the shared record in the region's file. Unlike classic POSIX record locks it
// belongs to the open file description, not the process, so each worker locks through its own
// Region's descriptor; the kernel releases it when the holder dies.
#pragma once

#include "shmlab/region/region.hpp"
#include "shmlab/sync/lock.hpp"

namespace shmlab {

class OfdLock final : public Lock {
 public:
  OfdLock(int fd, ByteRange range) : fd_(fd), range_(range) {}
  LockResult lock() override;
  LockResult try_lock() override;
  void unlock() override;
  std::string_view what() const override { return "the ofd lock"; }

 private:
  int fd_;  // owned by the Region
  ByteRange range_;
};

}  // namespace shmlab
