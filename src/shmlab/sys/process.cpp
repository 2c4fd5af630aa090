#include "shmlab/sys/process.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <utility>

#include "shmlab/sys/syscall.hpp"

extern char** environ;

namespace shmlab::sys {
namespace {

ExitStatus decode(int wstatus) {
  if (WIFEXITED(wstatus)) return {true, WEXITSTATUS(wstatus), 0};
  return {false, 0, WTERMSIG(wstatus)};
}

}  // namespace

Child Child::spawn(const std::vector<std::string>& argv) {
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
  pid_t pid = -1;
  const int err = ::posix_spawn(&pid, args[0], nullptr, &attr, args.data(), environ);
  ::posix_spawnattr_destroy(&attr);
  if (err != 0) throw_errno(call_name("posix_spawn", argv[0]), err);
  return Child(pid);
}

Child::Child(Child&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), status_(std::exchange(other.status_, std::nullopt)) {}

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    this->~Child();
    pid_ = std::exchange(other.pid_, -1);
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

std::optional<ExitStatus> Child::try_wait() {
  if (!running()) return status_;
  int ws = 0;
  const pid_t r = retry_eintr([&] { return ::waitpid(pid_, &ws, WNOHANG); });
  if (r == pid_) status_ = decode(ws);
  return status_;
}

ExitStatus Child::wait() {
  if (!running()) return status_.value_or(ExitStatus{});
  int ws = 0;
  const pid_t r = retry_eintr([&] { return ::waitpid(pid_, &ws, 0); });
  status_ = r == pid_ ? decode(ws) : ExitStatus{false, 0, 0};
  return *status_;
}

void Child::kill(int sig) noexcept {
  if (running()) ::kill(pid_, sig);
}

}  // namespace shmlab::sys
