#include "shmlab/sys/mapping.hpp"

#include <sys/mman.h>

#include "shmlab/sys/syscall.hpp"

namespace shmlab::sys {

Mapping Mapping::map_shared(int fd, std::size_t size, const char* what) {
  void* addr = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED) throw_errno(call_name("mmap", what), errno);
  return Mapping(addr, size);
}

Mapping& Mapping::operator=(Mapping&& other) noexcept {
  if (this != &other) {
    reset();
    addr_ = std::exchange(other.addr_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void Mapping::reset() noexcept {
  if (addr_ != nullptr) ::munmap(addr_, size_);
  addr_ = nullptr;
  size_ = 0;
}

}  // namespace shmlab::sys
