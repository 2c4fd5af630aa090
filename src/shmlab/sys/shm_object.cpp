#include "shmlab/sys/shm_object.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shmlab/sys/syscall.hpp"

namespace shmlab::sys {

ShmObject ShmObject::create(const std::string& name, std::size_t size) {
  // O_EXCL|O_CREAT never follows a symlink and never reuses another run's object.
  UniqueFd fd(check(call_name("shm_open", name), [&] {
    return ::shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  }));
  try {
    check(call_name("ftruncate", name),
          [&] { return ::ftruncate(fd.get(), static_cast<off_t>(size)); });
    Mapping mapping = Mapping::map_shared(fd.get(), size, name.c_str());
    return ShmObject(name, std::move(fd), std::move(mapping), true);
  } catch (...) {
    ::shm_unlink(name.c_str());  // roll back the half-built object
    throw;
  }
}

ShmObject ShmObject::create_anonymous(const std::string& label, std::size_t size) {
  UniqueFd fd(check(call_name("memfd_create", label),
                    [&] { return ::memfd_create(label.c_str(), MFD_CLOEXEC); }));
  check(call_name("ftruncate", label),
        [&] { return ::ftruncate(fd.get(), static_cast<off_t>(size)); });
  Mapping mapping = Mapping::map_shared(fd.get(), size, label.c_str());
  return ShmObject({}, std::move(fd), std::move(mapping), false);
}

ShmObject ShmObject::open(const std::string& name, std::size_t min_size) {
  UniqueFd fd(check(call_name("shm_open", name),
                    [&] { return ::shm_open(name.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0); }));
  struct stat st {};
  check(call_name("fstat", name), [&] { return ::fstat(fd.get(), &st); });
  if (!S_ISREG(st.st_mode))
    throw_errno(call_name("shm_open", name) + ": not a regular object", EINVAL);
  if (st.st_uid != ::getuid()) {
    throw_errno(fmt::format("{}: owned by uid {}, not {}", call_name("shm_open", name), st.st_uid,
                            ::getuid()),
                EPERM);
  }
  if (static_cast<std::size_t>(st.st_size) < min_size) {
    throw_errno(fmt::format("{}: truncated ({} bytes, need at least {})",
                            call_name("shm_open", name), st.st_size, min_size),
                EINVAL);
  }
  Mapping mapping =
      Mapping::map_shared(fd.get(), static_cast<std::size_t>(st.st_size), name.c_str());
  return ShmObject(name, std::move(fd), std::move(mapping), false);
}

ShmObject& ShmObject::operator=(ShmObject&& other) noexcept {
  if (this != &other) {
    unlink();
    name_ = std::move(other.name_);
    fd_ = std::move(other.fd_);
    mapping_ = std::move(other.mapping_);
    created_ = std::exchange(other.created_, false);
  }
  return *this;
}

void ShmObject::unlink() noexcept {
  if (created_) ::shm_unlink(name_.c_str());
  created_ = false;
}

}  // namespace shmlab::sys
