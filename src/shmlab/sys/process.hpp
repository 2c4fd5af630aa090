// Child: a spawned process (posix_spawn, no shell) held through a pidfd opened right after the
// spawn, so that waiting for it and signalling it can never reach another process that reused its
// PID. Killed and reaped on destruction if the owner has not reaped it. Owned by the coordinator;
// never crosses processes.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "shmlab/sys/unique_fd.hpp"

namespace shmlab::sys {

struct ExitStatus {
  bool exited = false;  // true: code is valid; false: killed by `signal`
  int code = 0;
  int signal = 0;
};

class Child {
 public:
  // Spawns `argv[0]` (a path, not searched in PATH) with a default signal mask and dispositions;
  // with `output_fd` >= 0, its stdout and stderr go there. `env`: "NAME=value" entries added to
  // (or replacing those of) this process's environment, for the child only.
  static Child spawn(const std::vector<std::string>& argv, int output_fd = -1,
                     const std::vector<std::string>& env = {});

  Child() = default;
  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child();

  // The PID, for messages only: the child is waited for and signalled through its pidfd.
  pid_t pid() const { return pid_; }
  bool running() const { return pidfd_ && !status_; }
  // Non-blocking reap; returns the status once the child has ended.
  std::optional<ExitStatus> try_wait();
  ExitStatus wait();
  // Whether the child is stopped now (SIGSTOP); the stop stays reportable (WNOWAIT).
  bool stopped() const;
  // Signals the child while it is not yet reaped (a zombie ignores it); never a reused PID.
  void kill(int sig) noexcept;
  const std::optional<ExitStatus>& status() const { return status_; }

 private:
  Child(pid_t pid, UniqueFd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}
  std::optional<ExitStatus> reap(int options);
  pid_t pid_ = -1;
  UniqueFd pidfd_;
  std::optional<ExitStatus> status_;
};

}  // namespace shmlab::sys
