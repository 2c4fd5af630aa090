#include "shmlab/pg/server_state.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <sstream>

#include "shmlab/sys/syscall.hpp"
#include "shmlab/sys/unique_fd.hpp"

namespace shmlab::pg {

void write_server_state(const std::string& dir, const ServerState& state) {
  const std::string path = dir + "/" + kServerStateFile;
  const std::string tmp = path + ".new";
  const std::string text = fmt::format("owner {}\npostmaster {}\ndata_dir {}\n", state.owner,
                                       state.postmaster, state.data_dir);
  ::unlink(tmp.c_str());  // a leftover of an interrupted write
  sys::UniqueFd fd(sys::check("open", tmp, [&] {
    return ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  }));
  const ssize_t n =
      sys::check("write", tmp, [&] { return ::write(fd.get(), text.data(), text.size()); });
  if (static_cast<std::size_t>(n) != text.size()) sys::throw_errno("write", tmp, EIO);
  fd.reset();
  sys::check("rename", tmp, [&] { return ::rename(tmp.c_str(), path.c_str()); });
}

std::optional<ServerState> read_server_state(const std::string& dir) {
  const std::string path = dir + "/" + kServerStateFile;
  sys::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return std::nullopt;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::getuid() ||
      st.st_size > 4096)
    return std::nullopt;
  std::array<char, 4096> buf{};
  const ssize_t n = sys::retry_eintr([&] { return ::read(fd.get(), buf.data(), buf.size()); });
  if (n <= 0) return std::nullopt;
  std::istringstream in(std::string(buf.data(), static_cast<std::size_t>(n)));
  ServerState s;
  std::string key;
  bool have_owner = false;
  bool have_data_dir = false;
  while (in >> key) {
    if (key == "owner") {
      have_owner = static_cast<bool>(in >> s.owner);
    } else if (key == "postmaster") {
      if (!(in >> s.postmaster)) return std::nullopt;
    } else if (key == "data_dir") {
      in >> std::ws;
      have_data_dir = static_cast<bool>(std::getline(in, s.data_dir));
    } else {
      return std::nullopt;
    }
  }
  if (!have_owner || s.owner <= 0 || s.postmaster < 0 || !have_data_dir || s.data_dir.empty() ||
      s.data_dir.front() != '/')
    return std::nullopt;
  return s;
}

}  // namespace shmlab::pg
