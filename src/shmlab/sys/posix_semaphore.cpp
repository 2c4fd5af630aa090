#include "shmlab/sys/posix_semaphore.hpp"

#include <fcntl.h>

#include "shmlab/sys/syscall.hpp"

namespace shmlab::sys {

PosixSemaphore PosixSemaphore::create(const std::string& name, unsigned value) {
  sem_t* s = ::sem_open(name.c_str(), O_CREAT | O_EXCL, 0600, value);
  if (s == SEM_FAILED) throw_errno(call_name("sem_open", name), errno);
  return PosixSemaphore(name, s, true);
}

PosixSemaphore PosixSemaphore::open(const std::string& name) {
  sem_t* s = ::sem_open(name.c_str(), 0);
  if (s == SEM_FAILED) throw_errno(call_name("sem_open", name), errno);
  return PosixSemaphore(name, s, false);
}

PosixSemaphore::~PosixSemaphore() {
  if (sem_ != SEM_FAILED) ::sem_close(sem_);
  if (created_) ::sem_unlink(name_.c_str());
}

}  // namespace shmlab::sys
