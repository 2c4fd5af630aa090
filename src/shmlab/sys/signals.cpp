#include "shmlab/sys/signals.hpp"

#include <poll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shmlab/sys/syscall.hpp"

namespace shmlab::sys {
namespace {

bool is_pipe_or_socket(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

}  // namespace

void reset_inherited_signals() noexcept {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ::sigemptyset(&dfl.sa_mask);
  // SIGKILL, SIGSTOP and the C library's reserved signals refuse with EINVAL: nothing to reset.
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
  struct sigaction ign = dfl;
  ign.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ign, nullptr);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

SignalFd::SignalFd() {
  sigset_t mask;
  ::sigemptyset(&mask);
  ::sigaddset(&mask, SIGCHLD);
  ::sigaddset(&mask, SIGINT);
  ::sigaddset(&mask, SIGTERM);
  ::sigaddset(&mask, SIGHUP);
  // Blocked, a SIGPIPE is queued even while ignored: the write that hit a closed pipe shows here.
  ::sigaddset(&mask, SIGPIPE);
  ::sigprocmask(SIG_BLOCK, &mask, &old_mask_);
  fd_ = UniqueFd(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!fd_) {
    const int err = errno;
    ::sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
    throw_errno("signalfd", err);
  }
  for (int i = 0; i < 2; ++i) {
    if (is_pipe_or_socket(i + 1)) outputs_[i] = i + 1;
  }
}

SignalFd::~SignalFd() {
  fd_.reset();
  // A SIGPIPE left pending by a write to a closed pipe would kill us once unblocked, wherever the
  // start-up reset did not ignore it: take it first.
  sigset_t pipe;
  ::sigemptyset(&pipe);
  ::sigaddset(&pipe, SIGPIPE);
  const timespec now{0, 0};
  while (::sigtimedwait(&pipe, nullptr, &now) == SIGPIPE) {
  }
  ::sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
}

std::optional<int> SignalFd::wait(int timeout_ms) {
  // events 0: a write end reports only POLLERR (its reader is gone) or POLLHUP.
  pollfd p[3] = {{fd_.get(), POLLIN, 0}, {outputs_[0], 0, 0}, {outputs_[1], 0, 0}};
  const int n = retry_eintr([&] { return ::poll(p, 3, timeout_ms); });
  if (n <= 0) return std::nullopt;
  for (int i = 0; i < 2; ++i) {
    if ((p[i + 1].revents & (POLLERR | POLLHUP)) != 0) {
      outputs_[i] = -1;  // reported once; a negative fd is skipped by poll
      return SIGPIPE;
    }
  }
  signalfd_siginfo info{};
  if (::read(fd_.get(), &info, sizeof(info)) != sizeof(info)) return std::nullopt;
  return static_cast<int>(info.ssi_signo);
}

}  // namespace shmlab::sys
