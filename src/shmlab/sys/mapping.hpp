// Mapping: a move-only MAP_SHARED mapping of a descriptor, unmapped on destruction.
// The mapped bytes are shared with every process that maps the same object.
#pragma once

#include <cstddef>
#include <utility>

namespace shmlab::sys {

class Mapping {
 public:
  Mapping() = default;
  // Maps `size` bytes of `fd` read-write and shared; throws std::system_error naming `what`.
  static Mapping map_shared(int fd, std::size_t size, const char* what);

  Mapping(Mapping&& other) noexcept
      : addr_(std::exchange(other.addr_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  Mapping& operator=(Mapping&& other) noexcept;
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping() { reset(); }

  void* data() const { return addr_; }
  std::size_t size() const { return size_; }
  template <class T>
  T* as() const {
    return static_cast<T*>(addr_);
  }
  void reset() noexcept;

 private:
  Mapping(void* addr, std::size_t size) : addr_(addr), size_(size) {}
  void* addr_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace shmlab::sys
