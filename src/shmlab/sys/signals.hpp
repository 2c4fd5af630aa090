// SignalFd: blocks SIGCHLD, SIGINT and SIGTERM for as long as it lives and delivers them through a
// descriptor, so the coordinator handles a child's exit and Ctrl-C in one poll loop, after which
// it cleans up. Restores the previous signal mask on destruction.
#pragma once

#include <signal.h>

#include <optional>

#include "shmlab/sys/unique_fd.hpp"

namespace shmlab::sys {

class SignalFd {
 public:
  SignalFd();
  ~SignalFd();
  SignalFd(const SignalFd&) = delete;
  SignalFd& operator=(const SignalFd&) = delete;

  // Waits at most timeout_ms for a signal; returns it, or nullopt on timeout.
  std::optional<int> wait(int timeout_ms);

 private:
  sigset_t old_mask_{};
  UniqueFd fd_;
};

}  // namespace shmlab::sys
