// Signals: the start-up reset of what a process inherits (dispositions, mask), and SignalFd, which
// blocks SIGCHLD, SIGINT, SIGTERM, SIGHUP and SIGPIPE for as long as it lives and delivers them
// through a descriptor, so the coordinator handles a child's exit, Ctrl-C and a closed output in
// one poll loop, after which it cleans up. Restores the previous signal mask on destruction.
#pragma once

#include <signal.h>

#include <array>
#include <optional>

#include "shmlab/sys/unique_fd.hpp"

namespace shmlab::sys {

// Called first thing in main: a parent may hand us ignored or blocked signals (SIGCHLD ignored
// makes the kernel reap our workers behind our back; SIGINT ignored makes Ctrl-C useless). Every
// disposition goes back to its default and the mask is emptied; then SIGPIPE is ignored, so that a
// write to a closed pipe fails with EPIPE, which the caller handles like an interrupt.
void reset_inherited_signals() noexcept;

class SignalFd {
 public:
  SignalFd();
  ~SignalFd();
  SignalFd(const SignalFd&) = delete;
  SignalFd& operator=(const SignalFd&) = delete;

  // Waits at most timeout_ms for a signal; returns it, or nullopt on timeout. A stdout or stderr
  // that is a pipe or socket whose reader has gone is reported (once) as SIGPIPE, even when
  // nothing was written to it yet: `shmlab run | head -1` stops the run as soon as head exits.
  std::optional<int> wait(int timeout_ms);

 private:
  sigset_t old_mask_{};
  UniqueFd fd_;
  std::array<int, 2> outputs_{-1, -1};  // fds 1 and 2 when they are pipes or sockets, else -1
};

}  // namespace shmlab::sys
