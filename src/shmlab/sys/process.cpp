#include "shmlab/sys/process.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string_view>
#include <utility>

#include "shmlab/sys/syscall.hpp"

extern char** environ;

namespace shmlab::sys {
namespace {

// Through syscall(2): glibc 2.36's <sys/pidfd.h> declares these without C linkage.
int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0u)); }
int pidfd_send_signal(int pidfd, int sig) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0u));
}

}  // namespace

Child Child::spawn(const std::vector<std::string>& argv, int output_fd,
                   const std::vector<std::string>& env) {
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const std::string_view name = entry.substr(0, entry.find('=') + 1);
    const bool replaced = std::any_of(env.begin(), env.end(),
                                      [&](const std::string& x) { return x.starts_with(name); });
    if (!replaced) envp.push_back(*e);
  }
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  posix_spawnattr_t attr;
  ::posix_spawnattr_init(&attr);
  sigset_t none;
  sigset_t all;
  ::sigemptyset(&none);
  ::sigfillset(&all);
  // The coordinator blocks signals for its signalfd; the child starts clean.
  ::posix_spawnattr_setsigmask(&attr, &none);
  ::posix_spawnattr_setsigdefault(&attr, &all);
  ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  if (output_fd >= 0) {
    ::posix_spawn_file_actions_adddup2(&actions, output_fd, STDOUT_FILENO);
    ::posix_spawn_file_actions_adddup2(&actions, output_fd, STDERR_FILENO);
  }
  pid_t pid = -1;
  const int err = ::posix_spawn(&pid, args[0], &actions, &attr, args.data(), envp.data());
  ::posix_spawn_file_actions_destroy(&actions);
  ::posix_spawnattr_destroy(&attr);
  if (err != 0) throw_errno(call_name("posix_spawn", argv[0]), err);
  // Safe until we reap it: SIGCHLD is not ignored (reset at start-up), so the PID stays ours as a
  // zombie at worst, and from here on only the pidfd is used.
  UniqueFd fd(pidfd_open(pid));
  if (!fd) {
    const int open_err = errno;
    ::kill(pid, SIGKILL);
    int ws = 0;
    retry_eintr([&] { return ::waitpid(pid, &ws, 0); });
    throw_errno(call_name("pidfd_open", std::to_string(pid)), open_err);
  }
  return Child(pid, std::move(fd));
}

Child::Child(Child&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::move(other.pidfd_)),
      status_(std::exchange(other.status_, std::nullopt)) {}

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    this->~Child();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
    status_ = std::exchange(other.status_, std::nullopt);
  }
  return *this;
}

Child::~Child() {
  if (running()) {
    kill(SIGKILL);
    wait();
  }
}

std::optional<ExitStatus> Child::reap(int options) {
  siginfo_t info{};
  const int r = retry_eintr(
      [&] { return ::waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, WEXITED | options); });
  if (r == -1) {
    // ECHILD: someone else reaped it (cannot happen once SIGCHLD is not ignored): gone, status
    // unknown.
    if (errno == ECHILD) status_ = ExitStatus{false, 0, 0};
    return status_;
  }
  if (info.si_pid == 0) return status_;  // WNOHANG: still running
  if (info.si_code == CLD_EXITED) {
    status_ = ExitStatus{true, info.si_status, 0};
  } else {
    status_ = ExitStatus{false, 0, info.si_status};
  }
  return status_;
}

std::optional<ExitStatus> Child::try_wait() {
  if (!running()) return status_;
  return reap(WNOHANG);
}

ExitStatus Child::wait() {
  if (!running()) return status_.value_or(ExitStatus{});
  if (!reap(0)) status_ = ExitStatus{false, 0, 0};  // waitid failed: gone, status unknown
  return *status_;
}

bool Child::stopped() const {
  if (!running()) return false;
  siginfo_t info{};
  const int r = retry_eintr([&] {
    return ::waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, WSTOPPED | WNOHANG | WNOWAIT);
  });
  return r == 0 && info.si_pid != 0 && info.si_code == CLD_STOPPED;
}

void Child::kill(int sig) noexcept {
  if (running()) pidfd_send_signal(pidfd_.get(), sig);
}

}  // namespace shmlab::sys
