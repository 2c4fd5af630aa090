#include "shmlab/sys/signals.hpp"

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "shmlab/sys/syscall.hpp"

namespace shmlab::sys {

SignalFd::SignalFd() {
  sigset_t mask;
  ::sigemptyset(&mask);
  ::sigaddset(&mask, SIGCHLD);
  ::sigaddset(&mask, SIGINT);
  ::sigaddset(&mask, SIGTERM);
  ::sigaddset(&mask, SIGHUP);
  ::sigprocmask(SIG_BLOCK, &mask, &old_mask_);
  fd_ = UniqueFd(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!fd_) {
    const int err = errno;
    ::sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
    throw_errno("signalfd", err);
  }
}

SignalFd::~SignalFd() {
  fd_.reset();
  ::sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
}

std::optional<int> SignalFd::wait(int timeout_ms) {
  pollfd p{fd_.get(), POLLIN, 0};
  const int n = retry_eintr([&] { return ::poll(&p, 1, timeout_ms); });
  if (n <= 0) return std::nullopt;
  signalfd_siginfo info{};
  if (::read(fd_.get(), &info, sizeof(info)) != sizeof(info)) return std::nullopt;
  return static_cast<int>(info.ssi_signo);
}

}  // namespace shmlab::sys
