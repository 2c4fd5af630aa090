// ShmObject: a POSIX shared memory object (shm_open) with its mapping.
// The coordinator creates it (O_EXCL, mode 0600) and is the only one to unlink it;
// workers open it by name. A half-built object (created, then ftruncate/mmap failed) is unlinked
// before the constructor's exception leaves.
#pragma once

#include <cstddef>
#include <string>
#include <utility>

#include "shmlab/sys/mapping.hpp"
#include "shmlab/sys/unique_fd.hpp"

namespace shmlab::sys {

class ShmObject {
 public:
  // Creates `name` ("/shmlab-...") exclusively with `size` zeroed bytes and maps it.
  static ShmObject create(const std::string& name, std::size_t size);
  // Opens an existing object read-write and maps its whole current size. Refuses objects that
  // are not regular shm objects of the caller's uid, or smaller than `min_size`.
  static ShmObject open(const std::string& name, std::size_t min_size);
  // A private object without a name in any directory (memfd_create; `label` shows in
  // /proc/PID/maps as "/memfd:LABEL"): nothing to unlink, nobody else can open it.
  static ShmObject create_anonymous(const std::string& label, std::size_t size);

  ShmObject(ShmObject&& other) noexcept
      : name_(std::move(other.name_)),
        fd_(std::move(other.fd_)),
        mapping_(std::move(other.mapping_)),
        created_(std::exchange(other.created_, false)) {}
  ShmObject& operator=(ShmObject&&) noexcept;
  ShmObject(const ShmObject&) = delete;
  ShmObject& operator=(const ShmObject&) = delete;
  ~ShmObject() { unlink(); }

  const std::string& name() const { return name_; }
  void* data() const { return mapping_.data(); }
  std::size_t size() const { return mapping_.size(); }
  int fd() const { return fd_.get(); }
  bool owns_name() const { return created_; }
  // Unlinks the name if this object created it (idempotent, never throws).
  void unlink() noexcept;
  // Keeps the name after destruction (--keep).
  void disown() noexcept { created_ = false; }

 private:
  ShmObject(std::string name, UniqueFd fd, Mapping mapping, bool created)
      : name_(std::move(name)),
        fd_(std::move(fd)),
        mapping_(std::move(mapping)),
        created_(created) {}
  std::string name_;
  UniqueFd fd_;
  Mapping mapping_;
  bool created_ = false;
};

}  // namespace shmlab::sys
