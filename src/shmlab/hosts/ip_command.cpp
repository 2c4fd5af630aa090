#include "shmlab/hosts/ip_command.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <fstream>
#include <system_error>

#include "shmlab/sys/process.hpp"
#include "shmlab/sys/syscall.hpp"
#include "shmlab/sys/unique_fd.hpp"

namespace shmlab::hosts {
namespace {

constexpr int kCapNetAdmin = 12;
constexpr int kCapSysAdmin = 21;

struct IpOutcome {
  bool ok = false;
  std::string output;  // what ip printed on stdout and stderr
};

IpOutcome spawn_ip(const std::vector<std::string>& args) {
  const std::string program = ip_program();
  std::array<int, 2> fds{};
  sys::check("pipe2", [&] { return ::pipe2(fds.data(), O_CLOEXEC); });
  sys::UniqueFd read_end(fds[0]);
  sys::UniqueFd write_end(fds[1]);
  std::vector<std::string> argv = {program};
  argv.insert(argv.end(), args.begin(), args.end());
  sys::Child ip = sys::Child::spawn(argv, write_end.get());
  write_end.reset();

  IpOutcome out;
  std::array<char, 512> buf{};
  for (;;) {
    const ssize_t n =
        sys::retry_eintr([&] { return ::read(read_end.get(), buf.data(), buf.size()); });
    if (n <= 0) break;
    if (out.output.size() < 4096) out.output.append(buf.data(), static_cast<std::size_t>(n));
  }
  const sys::ExitStatus status = ip.wait();
  out.ok = status.exited && status.code == 0;
  while (!out.output.empty() && out.output.back() == '\n') out.output.pop_back();
  return out;
}

std::string command_text(const std::vector<std::string>& args) {
  std::string s = "ip";
  for (const std::string& a : args) s += " " + a;
  return s;
}

}  // namespace

std::string ip_program() {
  for (const char* p : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  throw std::system_error(std::make_error_code(std::errc::no_such_file_or_directory),
                          "--hosts: iproute2's `ip` is not installed (none of /usr/sbin/ip, "
                          "/sbin/ip, /usr/bin/ip, /bin/ip; install Debian's iproute2 package)");
}

void run_ip(const std::vector<std::string>& args) {
  const IpOutcome r = spawn_ip(args);
  if (!r.ok) {
    throw std::system_error(
        std::make_error_code(std::errc::operation_not_permitted),
        fmt::format("{}: {}", command_text(args), r.output.empty() ? "failed" : r.output));
  }
}

bool try_run_ip(const std::vector<std::string>& args) noexcept {
  try {
    return spawn_ip(args).ok;
  } catch (...) {
    return false;
  }
}

std::string missing_network_privileges() noexcept {
  try {
    std::ifstream status("/proc/self/status");
    std::string line;
    std::uint64_t caps = 0;
    while (std::getline(status, line)) {
      if (line.rfind("CapEff:", 0) == 0) caps = std::stoull(line.substr(7), nullptr, 16);
    }
    const bool net = (caps >> kCapNetAdmin & 1) != 0;
    const bool sys = (caps >> kCapSysAdmin & 1) != 0;
    if (net && sys) return {};
    const std::string missing = !net && !sys ? "CAP_NET_ADMIN and CAP_SYS_ADMIN"
                                : !net       ? "CAP_NET_ADMIN"
                                             : "CAP_SYS_ADMIN";
    return fmt::format(
        "{} (network namespaces and veth links need CAP_NET_ADMIN, joining them "
        "and the workers' private /dev/shm mounts CAP_SYS_ADMIN: run as root)",
        missing);
  } catch (...) {
    return "CAP_NET_ADMIN and CAP_SYS_ADMIN (run as root)";
  }
}

}  // namespace shmlab::hosts
