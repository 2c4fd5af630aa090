// NamedSemaphore: a POSIX named semaphore (sem_open), closed on destruction. The coordinator
// creates it (O_EXCL, mode 0600) and is the only one to unlink it (on destruction, unless
// disowned for --keep); workers open it by name. Crosses processes by its name.
#pragma once

#include <semaphore.h>

#include <string>
#include <utility>

namespace shmlab::sys {

class NamedSemaphore {
 public:
  // Creates `name` ("/shmlab-...") exclusively with `value`.
  static NamedSemaphore create(const std::string& name, unsigned value);
  // Opens an existing semaphore.
  static NamedSemaphore open(const std::string& name);

  NamedSemaphore(NamedSemaphore&& other) noexcept
      : name_(std::move(other.name_)),
        sem_(std::exchange(other.sem_, nullptr)),
        created_(std::exchange(other.created_, false)) {}
  NamedSemaphore& operator=(NamedSemaphore&& other) noexcept;
  NamedSemaphore(const NamedSemaphore&) = delete;
  NamedSemaphore& operator=(const NamedSemaphore&) = delete;
  ~NamedSemaphore() { reset(); }

  sem_t* get() const { return sem_; }
  const std::string& name() const { return name_; }
  // Unlinks the name if this object created it (idempotent, never throws).
  void unlink() noexcept;
  // Keeps the name after destruction (--keep).
  void disown() noexcept { created_ = false; }

 private:
  NamedSemaphore(std::string name, sem_t* sem, bool created)
      : name_(std::move(name)), sem_(sem), created_(created) {}
  void reset() noexcept;
  std::string name_;
  sem_t* sem_ = nullptr;
  bool created_ = false;
};

}  // namespace shmlab::sys
