#include "shmlab/sys/private_dir.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include "shmlab/sys/syscall.hpp"

namespace shmlab::sys {

PrivateDir PrivateDir::create(std::string path) {
  check(call_name("mkdir", path), [&] { return ::mkdir(path.c_str(), 0700); });
  return PrivateDir(std::move(path));
}

PrivateDir::PrivateDir(PrivateDir&& other) noexcept
    : path_(std::move(other.path_)), owned_(std::exchange(other.owned_, false)) {}

PrivateDir& PrivateDir::operator=(PrivateDir&& other) noexcept {
  if (this != &other) {
    this->~PrivateDir();
    path_ = std::move(other.path_);
    owned_ = std::exchange(other.owned_, false);
  }
  return *this;
}

PrivateDir::~PrivateDir() {
  if (owned_) remove_private_dir(path_, ::getuid());
}

std::string remove_private_dir(const std::string& path, unsigned uid) {
  // O_NOFOLLOW|O_DIRECTORY: a symlink or anything else planted under this name is refused.
  const int fd = retry_eintr([&] {
    return ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  });
  if (fd == -1) return std::strerror(errno);
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::fdopendir(fd), &::closedir);
  if (!dir) {
    const int err = errno;
    ::close(fd);
    return std::strerror(err);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) return std::strerror(errno);
  if (!S_ISDIR(st.st_mode) || st.st_uid != uid) return "not a directory of yours";
  while (const dirent* e = ::readdir(dir.get())) {
    struct stat est {};
    if (::fstatat(fd, e->d_name, &est, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(est.st_mode)) continue;
    ::unlinkat(fd, e->d_name, 0);
  }
  dir.reset();
  if (::rmdir(path.c_str()) != 0) return std::strerror(errno);
  return {};
}

}  // namespace shmlab::sys
