// PosixSemaphore: a POSIX named semaphore (sem_open), closed on destruction. create() makes it
// exclusively (O_EXCL, 0600) and is the only one to unlink it; open() attaches by name (workers).
// Used by the bench's bare semaphore loop; crosses processes by name only.
#pragma once

#include <semaphore.h>

#include <string>
#include <utility>

namespace shmlab::sys {

class PosixSemaphore {
 public:
  static PosixSemaphore create(const std::string& name, unsigned value);
  static PosixSemaphore open(const std::string& name);

  PosixSemaphore(PosixSemaphore&& other) noexcept
      : name_(std::move(other.name_)),
        sem_(std::exchange(other.sem_, SEM_FAILED)),
        created_(std::exchange(other.created_, false)) {}
  PosixSemaphore& operator=(PosixSemaphore&&) = delete;
  PosixSemaphore(const PosixSemaphore&) = delete;
  PosixSemaphore& operator=(const PosixSemaphore&) = delete;
  ~PosixSemaphore();

  sem_t* get() const { return sem_; }
  const std::string& name() const { return name_; }

 private:
  PosixSemaphore(std::string name, sem_t* sem, bool created)
      : name_(std::move(name)), sem_(sem), created_(created) {}
  std::string name_;
  sem_t* sem_ = SEM_FAILED;
  bool created_ = false;
};

}  // namespace shmlab::sys
