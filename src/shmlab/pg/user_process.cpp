#include "shmlab/pg/user_process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <stdexcept>
#include <utility>

#include "shmlab/sys/syscall.hpp"

extern char** environ;

namespace shmlab::pg {
namespace {

// What the child reports through the error pipe when it fails before exec.
struct ChildFailure {
  int step = 0;  // index into kSteps
  int err = 0;
};
constexpr std::array<const char*, 7> kSteps = {"dup2",  "setgroups", "setgid", "setuid",
                                               "chdir", "execve",    "setpgid"};

[[noreturn]] void fail_in_child(int pipe_fd, int step) {
  const ChildFailure f{step, errno};
  // Nothing else is possible here: the parent reads EOF (no failure) if the write is lost.
  [[maybe_unused]] const ssize_t n = ::write(pipe_fd, &f, sizeof f);
  ::_exit(127);
}

sys::ExitStatus exit_status_of(int wstatus) {
  if (WIFEXITED(wstatus)) return {true, WEXITSTATUS(wstatus), 0};
  return {false, 0, WTERMSIG(wstatus)};
}

}  // namespace

UserProcess UserProcess::spawn(const SpawnOptions& options) {
  if (options.argv.empty()) throw std::invalid_argument("UserProcess::spawn: empty argv");
  // Everything the child needs is built before fork: after it only async-signal-safe calls.
  std::vector<char*> args;
  args.reserve(options.argv.size() + 1);
  for (const auto& a : options.argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const char* path = args[0];
  const char* cwd = options.cwd.empty() ? nullptr : options.cwd.c_str();

  sys::UniqueFd dev_null(
      sys::check("open(\"/dev/null\")", [] { return ::open("/dev/null", O_RDWR | O_CLOEXEC); }));
  const int out = options.output_fd >= 0 ? options.output_fd : dev_null.get();
  std::array<int, 2> p{};
  sys::check("pipe2", [&] { return ::pipe2(p.data(), O_CLOEXEC); });
  sys::UniqueFd err_read(p[0]);
  sys::UniqueFd err_write(p[1]);

  const pid_t pid = ::fork();
  if (pid < 0) sys::throw_errno(sys::call_name("fork", options.argv[0]), errno);
  if (pid == 0) {
    // The coordinator may block or ignore signals; the server starts with the defaults.
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; ++s) ::sigaction(s, &dfl, nullptr);  // EINVAL for KILL/STOP: fine
    if (options.own_process_group && ::setpgid(0, 0) != 0) fail_in_child(err_write.get(), 6);
    if (::dup2(dev_null.get(), 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0)
      fail_in_child(err_write.get(), 0);
    if (options.user) {
      const gid_t gid = options.user->gid;
      if (::setgroups(1, &gid) != 0) fail_in_child(err_write.get(), 1);
      if (::setgid(gid) != 0) fail_in_child(err_write.get(), 2);
      if (::setuid(options.user->uid) != 0) fail_in_child(err_write.get(), 3);
    }
    if (cwd != nullptr && ::chdir(cwd) != 0) fail_in_child(err_write.get(), 4);
    ::execve(path, args.data(), environ);
    fail_in_child(err_write.get(), 5);
  }

  UserProcess proc;
  proc.pid_ = pid;
  // The pid cannot be reused before we reap it, so the pidfd names our child.
  proc.pidfd_.reset(open_pidfd(pid));
  const int pidfd_errno = errno;
  err_write.reset();
  ChildFailure f;
  const ssize_t n = sys::retry_eintr([&] { return ::read(err_read.get(), &f, sizeof f); });
  if (n == static_cast<ssize_t>(sizeof f)) {
    proc.wait_for(std::chrono::milliseconds(-1));
    const bool names_dir = f.step == 4;
    sys::throw_errno(sys::call_name(kSteps.at(f.step), names_dir ? options.cwd : options.argv[0]),
                     f.err);
  }
  if (!proc.pidfd_) sys::throw_errno(sys::call_name("pidfd_open", options.argv[0]), pidfd_errno);
  return proc;
}

UserProcess::UserProcess(UserProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::move(other.pidfd_)),
      status_(std::exchange(other.status_, std::nullopt)) {}

UserProcess& UserProcess::operator=(UserProcess&& other) noexcept {
  if (this != &other) {
    kill_and_reap();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
    status_ = std::exchange(other.status_, std::nullopt);
  }
  return *this;
}

UserProcess::~UserProcess() { kill_and_reap(); }

void UserProcess::kill_and_reap() noexcept {
  if (running()) {
    signal(SIGKILL);
    wait_for(std::chrono::milliseconds(-1));
  }
}

std::optional<sys::ExitStatus> UserProcess::wait_for(std::chrono::milliseconds timeout) {
  if (!running()) return status_;
  // A negative timeout waits without bound; the pidfd turns readable when the child exits.
  if (timeout.count() >= 0 && pidfd_ && !wait_readable(pidfd_.get(), timeout)) return status_;
  int ws = 0;
  const pid_t r = sys::retry_eintr([&] { return ::waitpid(pid_, &ws, 0); });
  status_ = r == pid_ ? exit_status_of(ws) : sys::ExitStatus{false, 0, 0};
  return status_;
}

void UserProcess::signal(int sig) noexcept {
  if (!running()) return;
  if (pidfd_) {
    signal_pidfd(pidfd_.get(), sig);
  } else {
    ::kill(pid_, sig);  // only before the pidfd exists (spawn's failure path): not yet reaped
  }
}

int open_pidfd(pid_t pid) noexcept { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

int signal_pidfd(int pidfd, int sig) noexcept {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

bool wait_readable(int fd, std::chrono::milliseconds timeout) noexcept {
  pollfd p{fd, POLLIN, 0};
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    const int r = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0)));
    if (r > 0) return true;
    if (r == 0 || errno != EINTR) return false;
  }
}

std::string capture_output(const std::vector<std::string>& argv,
                           std::chrono::milliseconds timeout) {
  std::array<int, 2> p{};
  sys::check("pipe2", [&] { return ::pipe2(p.data(), O_CLOEXEC); });
  sys::UniqueFd read_end(p[0]);
  sys::UniqueFd write_end(p[1]);
  SpawnOptions o;
  o.argv = argv;
  o.output_fd = write_end.get();
  UserProcess proc = UserProcess::spawn(o);
  write_end.reset();
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::array<char, 4096> buf{};
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !wait_readable(read_end.get(), left))
      throw std::runtime_error(argv[0] + " did not finish in time");
    const ssize_t n =
        sys::retry_eintr([&] { return ::read(read_end.get(), buf.data(), buf.size()); });
    if (n <= 0) break;
    out.append(buf.data(), static_cast<std::size_t>(n));
  }
  const auto status = proc.wait_for(timeout);
  if (!status || !status->exited || status->code != 0)
    throw std::runtime_error(argv[0] + " failed");
  return out;
}

}  // namespace shmlab::pg
