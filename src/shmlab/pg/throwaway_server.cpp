#include "shmlab/pg/throwaway_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <random>
#include <utility>
#include <vector>

#include "shmlab/pg/server_binaries.hpp"
#include "shmlab/pg/server_shutdown.hpp"
#include "shmlab/pg/server_state.hpp"
#include "shmlab/sys/syscall.hpp"
#include "shmlab/sys/unique_fd.hpp"

namespace shmlab::pg {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kServerUser = "postgres";  // the system user Debian's package creates
constexpr int kUnixOnlyPort = 5432;              // the socket is private: no port to share
constexpr std::size_t kLogTailLines = 20;

// The unprivileged user to run the server as: none unless shmlab is root.
std::optional<RunAs> server_user() {
  if (::geteuid() != 0) return std::nullopt;
  const passwd* pw = ::getpwnam(kServerUser);
  if (pw == nullptr) {
    throw std::system_error(
        std::make_error_code(std::errc::no_such_file_or_directory),
        fmt::format("shmlab runs as root and PostgreSQL refuses to run as root, but there is no "
                    "system user '{}' to run it as (getpwnam(\"{}\") found none; Debian's "
                    "postgresql package creates it)",
                    kServerUser, kServerUser));
  }
  return RunAs{pw->pw_uid, pw->pw_gid, pw->pw_name};
}

std::string fresh_run_id() {
  std::random_device rd;
  return fmt::format("shmlab-{}-{:08x}", ::getpid(), rd());
}

// A TCP port free on `address` now (the kernel's pick; another process may take it before the
// server binds it, in which case the server fails to start with the reason in its log).
int free_tcp_port(const std::string& address) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  if (::inet_pton(AF_INET, address.c_str(), &sa.sin_addr) != 1)
    sys::throw_errno("inet_pton", address, EINVAL);
  sys::UniqueFd fd(sys::check("socket", address,
                              [] { return ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0); }));
  sys::check("bind", address,
             [&] { return ::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa); });
  socklen_t len = sizeof sa;
  sys::check("getsockname", address,
             [&] { return ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sa), &len); });
  return ntohs(sa.sin_port);
}

// postmaster.pid's 8th line is the server's status, "ready" once it accepts connections (what
// `pg_ctl start -w` waits for); reading it needs no client library.
bool server_ready(const std::string& data_dir) {
  std::ifstream in(data_dir + "/postmaster.pid");
  std::string line;
  for (int i = 0; i < 8; ++i) {
    if (!std::getline(in, line)) return false;
  }
  return line.rfind("ready", 0) == 0;
}

[[noreturn]] void fail_start(std::errc code, const std::string& what, const std::string& log) {
  const std::string tail = file_tail(log, kLogTailLines);
  throw std::system_error(
      std::make_error_code(code),
      tail.empty() ? what : fmt::format("{}; last lines of {}:\n{}", what, log, tail));
}

// Spawns one of the server's programs; a directory its user cannot reach gets a hint.
UserProcess spawn_server_program(const SpawnOptions& o, const std::string& temp_dir) {
  try {
    return UserProcess::spawn(o);
  } catch (const std::system_error& e) {
    if (!o.user || e.code() != std::errc::permission_denied) throw;
    throw std::system_error(e.code(),
                            fmt::format("{} (the server runs as user '{}', who must be able to "
                                        "reach {}: make it searchable, or set TMPDIR)",
                                        e.what(), o.user->name, temp_dir));
  }
}

// Writes a file the server's user owns (mode 0600) in the private directory.
void write_private_file(const std::string& path, const std::string& text,
                        const std::optional<RunAs>& user) {
  sys::UniqueFd fd(sys::check("open", path, [&] {
    return ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  }));
  for (std::size_t done = 0; done < text.size();) {
    done += static_cast<std::size_t>(sys::check(
        "write", path, [&] { return ::write(fd.get(), text.data() + done, text.size() - done); }));
  }
  if (user) sys::check("fchown", path, [&] { return ::fchown(fd.get(), user->uid, user->gid); });
}

// TCP only from the given networks, with the password; the socket, in a 0700 directory, trusts
// whoever can reach it (its owner and root).
std::string pg_hba(const std::vector<std::string>& clients) {
  std::string out =
      "# written by shmlab for one run\n"
      "local all all trust\n";
  for (const std::string& c : clients) out += fmt::format("host all all {} scram-sha-256\n", c);
  return out;
}

std::string seconds(std::chrono::milliseconds d) {
  return fmt::format("{:.1f} s", static_cast<double>(d.count()) / 1000.0);
}

}  // namespace

std::string file_tail(const std::string& path, std::size_t max_lines) {
  try {
    std::ifstream in(path);
    std::deque<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
      lines.push_back(std::move(line));
      if (lines.size() > max_lines) lines.pop_front();
    }
    std::string out;
    for (const std::string& l : lines) out += "  " + l + "\n";
    return out;
  } catch (...) {
    return {};
  }
}

std::string conninfo_quote(const std::string& value) {
  std::string out = "'";
  for (const char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

ThrowawayServer ThrowawayServer::start(const ThrowawayServerOptions& options) {
  const auto t0 = Clock::now();
  const auto deadline = t0 + options.start_timeout;
  const std::string bindir = options.bindir.empty() ? find_server_bindir() : options.bindir;
  const std::optional<RunAs> user = server_user();
  const std::string run_id = options.run_id.empty() ? fresh_run_id() : options.run_id;

  ThrowawayServer s;  // from here on, a throw stops and removes whatever was made
  s.stop_timeout_ = options.stop_timeout;
  std::string pattern = options.temp_dir + "/" + run_id + "-pg-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) sys::throw_errno("mkdtemp", pattern, errno);
  s.dir_ = pattern;
  // The canonical path: /proc/<pid>/cwd, which identifies the server's processes, shows that one.
  std::array<char, PATH_MAX> real{};
  if (::realpath(s.dir_.c_str(), real.data()) == nullptr)
    sys::throw_errno("realpath", s.dir_, errno);
  s.dir_ = real.data();
  s.data_dir_ = s.dir_ + "/data";
  s.log_path_ = s.dir_ + "/server.log";
  // Recorded before anything runs, so that `shmlab clean` can remove a half-started server too.
  write_server_state(s.dir_, {::getpid(), 0, s.data_dir_});
  if (user) {
    sys::check("chown", s.dir_, [&] { return ::chown(s.dir_.c_str(), user->uid, user->gid); });
  }
  sys::UniqueFd log(sys::check("open", s.log_path_, [&] {
    return ::open(s.log_path_.c_str(),
                  O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
  }));

  SpawnOptions initdb;
  initdb.argv = {bindir + "/initdb",
                 "-D",
                 s.data_dir_,
                 "-U",
                 kUser,
                 "--auth=trust",
                 "--encoding=UTF8",
                 "--no-locale",
                 "--no-sync",
                 "--no-instructions"};
  const std::string pwfile = s.dir_ + "/pwfile";
  if (!options.password.empty()) {
    write_private_file(pwfile, options.password + "\n", user);
    initdb.argv.push_back("--pwfile=" + pwfile);
  }
  initdb.cwd = s.dir_;
  initdb.output_fd = log.get();
  initdb.user = user;
  initdb.own_process_group = true;
  {
    UserProcess p = spawn_server_program(initdb, options.temp_dir);
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    const auto status = p.wait_for(std::max(left, std::chrono::milliseconds(0)));
    if (!status)
      fail_start(std::errc::timed_out,
                 "initdb did not finish within " + seconds(options.start_timeout), s.log_path_);
    if (!status->exited || status->code != 0) {
      fail_start(std::errc::io_error,
                 status->exited ? fmt::format("initdb failed (exit {})", status->code)
                                : fmt::format("initdb was killed by signal {}", status->signal),
                 s.log_path_);
    }
  }
  s.initdb_time_ = Clock::now() - t0;
  if (!options.password.empty()) ::unlink(pwfile.c_str());
  if (!options.tcp_clients.empty())
    write_private_file(s.data_dir_ + "/pg_hba.conf", pg_hba(options.tcp_clients), user);

  s.tcp_address_ = options.tcp_address.substr(0, options.tcp_address.find(','));
  s.password_ = options.password;
  s.port_ = options.tcp_address.empty() ? kUnixOnlyPort
            : options.tcp_port != 0     ? options.tcp_port
                                        : free_tcp_port(s.tcp_address_);
  SpawnOptions postgres;
  postgres.argv = {bindir + "/postgres", "-D", s.data_dir_, "-p", std::to_string(s.port_), "-c",
                   "listen_addresses=" + options.tcp_address, "-c",
                   "unix_socket_directories=" + s.dir_, "-c",
                   "max_connections=" + std::to_string(options.max_connections),
                   // A throwaway server: nothing needs to survive a crash of the machine.
                   "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                   "-c", "shared_buffers=16MB", "-c", "logging_collector=off",
                   // Dynamic shared memory as files in the data directory, not in /dev/shm: a
                   // killed server leaves nothing outside the directory that is removed.
                   "-c", "dynamic_shared_memory_type=mmap"};
  if (!options.tcp_clients.empty()) {
    // A client whose link went down must not hold its locks for the kernel's two hours: probe an
    // idle connection after 1 s, every second, and drop it after 3 unanswered probes.
    for (const char* c : {"tcp_keepalives_idle=1", "tcp_keepalives_interval=1",
                          "tcp_keepalives_count=3", "tcp_user_timeout=3000"}) {
      postgres.argv.push_back("-c");
      postgres.argv.push_back(c);
    }
  }
  postgres.cwd = s.dir_;
  postgres.output_fd = log.get();
  postgres.user = user;
  // Ctrl-C on the terminal would otherwise fast-shut the server down under the running workers.
  postgres.own_process_group = true;
  s.postmaster_ = spawn_server_program(postgres, options.temp_dir);
  write_server_state(s.dir_, {::getpid(), s.postmaster_.pid(), s.data_dir_});

  while (!server_ready(s.data_dir_)) {
    if (const auto status = s.postmaster_.wait_for(std::chrono::milliseconds(10))) {
      fail_start(std::errc::io_error,
                 status->exited
                     ? fmt::format("postgres exited at start-up (exit {})", status->code)
                     : fmt::format("postgres was killed by signal {} at start-up", status->signal),
                 s.log_path_);
    }
    if (Clock::now() > deadline) {
      fail_start(std::errc::timed_out,
                 "the PostgreSQL server did not accept connections within " +
                     seconds(options.start_timeout),
                 s.log_path_);
    }
  }
  s.startup_time_ = Clock::now() - t0;
  return s;
}

ThrowawayServer::ThrowawayServer(ThrowawayServer&& other) noexcept
    : dir_(std::exchange(other.dir_, {})),
      data_dir_(std::exchange(other.data_dir_, {})),
      log_path_(std::exchange(other.log_path_, {})),
      tcp_address_(std::exchange(other.tcp_address_, {})),
      password_(std::exchange(other.password_, {})),
      port_(other.port_),
      stop_timeout_(other.stop_timeout_),
      postmaster_(std::move(other.postmaster_)),
      initdb_time_(other.initdb_time_),
      startup_time_(other.startup_time_) {}

ThrowawayServer& ThrowawayServer::operator=(ThrowawayServer&& other) noexcept {
  if (this != &other) {
    stop();
    dir_ = std::exchange(other.dir_, {});
    data_dir_ = std::exchange(other.data_dir_, {});
    log_path_ = std::exchange(other.log_path_, {});
    tcp_address_ = std::exchange(other.tcp_address_, {});
    password_ = std::exchange(other.password_, {});
    port_ = other.port_;
    stop_timeout_ = other.stop_timeout_;
    postmaster_ = std::move(other.postmaster_);
    initdb_time_ = other.initdb_time_;
    startup_time_ = other.startup_time_;
  }
  return *this;
}

void ThrowawayServer::stop() noexcept {
  if (dir_.empty()) return;
  if (postmaster_.running()) {
    shutdown_server(postmaster_.pidfd(), data_dir_, stop_timeout_);
    postmaster_.wait_for(stop_timeout_);
  } else {
    shutdown_server(-1, data_dir_, stop_timeout_);  // what a failed start left running
  }
  postmaster_ = UserProcess();  // reaps, with SIGKILL if it somehow still runs
  remove_server_dir(dir_);
  dir_.clear();
}

std::string ThrowawayServer::dsn() const {
  return fmt::format("host={} port={} user={} dbname={}", conninfo_quote(dir_), port_, kUser,
                     kDatabase);
}

std::string ThrowawayServer::tcp_dsn() const {
  if (tcp_address_.empty()) return {};
  std::string dsn = fmt::format("host={} port={} user={} dbname={}", conninfo_quote(tcp_address_),
                                port_, kUser, kDatabase);
  if (!password_.empty()) dsn += " password=" + conninfo_quote(password_);
  return dsn;
}

}  // namespace shmlab::pg
