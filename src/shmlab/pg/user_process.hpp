// UserProcess: a program run as a given user (fork, drop privileges, exec), watched through a
// pidfd, its stdout and stderr sent to a file. PostgreSQL refuses to run as root, so when shmlab
// is root initdb and postgres run as an unprivileged system user; sys::Child (posix_spawn) cannot
// change user. Owned by the process that spawned it; killed and reaped on destruction; never
// crosses processes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "shmlab/sys/process.hpp"
#include "shmlab/sys/unique_fd.hpp"

namespace shmlab::pg {

// Who a spawned program runs as.
struct RunAs {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;  // for messages
};

struct SpawnOptions {
  std::vector<std::string> argv;   // argv[0]: a path, not searched in PATH
  std::string cwd;                 // the child's working directory; "" keeps the caller's
  int output_fd = -1;              // stdout and stderr; -1: /dev/null
  std::optional<RunAs> user;       // switch to this user before exec (needs root); none: stay
  bool own_process_group = false;  // true: the terminal's Ctrl-C does not reach it; its owner
                                   // stops it, in order
};

class UserProcess {
 public:
  // Throws std::system_error naming the call that failed, in the parent or in the child before
  // exec (e.g. `chdir("/tmp/x"): Permission denied`, `execve("/usr/bin/x"): No such file…`).
  static UserProcess spawn(const SpawnOptions& options);

  UserProcess() = default;
  UserProcess(UserProcess&& other) noexcept;
  UserProcess& operator=(UserProcess&& other) noexcept;
  UserProcess(const UserProcess&) = delete;
  UserProcess& operator=(const UserProcess&) = delete;
  ~UserProcess();

  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_.get(); }
  bool running() const { return pid_ > 0 && !status_; }
  // Waits at most `timeout` for the process to end and reaps it; nullopt while it still runs.
  std::optional<sys::ExitStatus> wait_for(std::chrono::milliseconds timeout);
  // Through the pidfd: never reaches a process that reused the pid.
  void signal(int sig) noexcept;

 private:
  void kill_and_reap() noexcept;
  pid_t pid_ = -1;
  sys::UniqueFd pidfd_;
  std::optional<sys::ExitStatus> status_;
};

// pidfd_open(2) and pidfd_send_signal(2) by syscall(2): glibc 2.36's <sys/pidfd.h> declares them
// without C linkage for C++. Return -1 with errno set on failure, like the calls.
int open_pidfd(pid_t pid) noexcept;
int signal_pidfd(int pidfd, int sig) noexcept;
// Waits at most `timeout` for `fd` to turn readable (a pidfd: its process has exited); true when
// it did.
bool wait_readable(int fd, std::chrono::milliseconds timeout) noexcept;

// Runs `argv` to completion (bounded by `timeout`, then SIGKILL) and returns its stdout; throws
// std::runtime_error when it fails to start, exits non-zero or times out.
std::string capture_output(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

}  // namespace shmlab::pg
