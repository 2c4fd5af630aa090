// Child: a spawned process (posix_spawn, no shell), killed and reaped on destruction if the
// owner has not reaped it. Owned by the coordinator; never crosses processes.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace shmlab::sys {

struct ExitStatus {
  bool exited = false;  // true: code is valid; false: killed by `signal`
  int code = 0;
  int signal = 0;
};

class Child {
 public:
  // Spawns `argv[0]` (a path, not searched in PATH) with a default signal mask and dispositions.
  static Child spawn(const std::vector<std::string>& argv);

  Child() = default;
  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child();

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0 && !status_; }
  // Non-blocking reap; returns the status once the child has ended.
  std::optional<ExitStatus> try_wait();
  ExitStatus wait();
  void kill(int sig) noexcept;
  const std::optional<ExitStatus>& status() const { return status_; }

 private:
  explicit Child(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;
};

}  // namespace shmlab::sys
