#include "shmlab/sync/ofd_lock.hpp"

#include <fcntl.h>

#include "shmlab/sys/syscall.hpp"

namespace shmlab {
namespace {

struct flock range_lock(short type, const ByteRange& r) {
  struct flock fl {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = static_cast<off_t>(r.start);
  fl.l_len = static_cast<off_t>(r.length);
  fl.l_pid = 0;  // required by F_OFD_* commands
  return fl;
}

}  // namespace

LockResult OfdLock::lock() {
  struct flock fl = range_lock(F_WRLCK, range_);
  sys::check("fcntl(F_OFD_SETLKW)", [&] { return ::fcntl(fd_, F_OFD_SETLKW, &fl); });
  return LockResult::kAcquired;
}

LockResult OfdLock::try_lock() {
  struct flock fl = range_lock(F_WRLCK, range_);
  if (sys::retry_eintr([&] { return ::fcntl(fd_, F_OFD_SETLK, &fl); }) == 0)
    return LockResult::kAcquired;
  if (errno == EAGAIN || errno == EACCES) return LockResult::kBusy;
  sys::throw_errno("fcntl(F_OFD_SETLK)", errno);
}

void OfdLock::unlock() {
  struct flock fl = range_lock(F_UNLCK, range_);
  sys::check("fcntl(F_OFD_SETLK, F_UNLCK)", [&] { return ::fcntl(fd_, F_OFD_SETLK, &fl); });
}

}  // namespace shmlab
