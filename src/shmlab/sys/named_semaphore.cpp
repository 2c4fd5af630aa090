#include "shmlab/sys/named_semaphore.hpp"

#include <fcntl.h>

#include "shmlab/sys/syscall.hpp"

namespace shmlab::sys {

NamedSemaphore NamedSemaphore::create(const std::string& name, unsigned value) {
  // O_EXCL: never reuses another run's semaphore, nor anything planted at the name.
  sem_t* sem = ::sem_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600, value);
  if (sem == SEM_FAILED) throw_errno(call_name("sem_open", name), errno);
  return NamedSemaphore(name, sem, true);
}

NamedSemaphore NamedSemaphore::open(const std::string& name) {
  sem_t* sem = ::sem_open(name.c_str(), O_RDWR);
  if (sem == SEM_FAILED) throw_errno(call_name("sem_open", name), errno);
  return NamedSemaphore(name, sem, false);
}

NamedSemaphore& NamedSemaphore::operator=(NamedSemaphore&& other) noexcept {
  if (this != &other) {
    reset();
    name_ = std::move(other.name_);
    sem_ = std::exchange(other.sem_, nullptr);
    created_ = std::exchange(other.created_, false);
  }
  return *this;
}

void NamedSemaphore::unlink() noexcept {
  if (created_) ::sem_unlink(name_.c_str());
  created_ = false;
}

void NamedSemaphore::reset() noexcept {
  unlink();
  if (sem_ != nullptr) ::sem_close(sem_);
  sem_ = nullptr;
}

}  // namespace shmlab::sys
