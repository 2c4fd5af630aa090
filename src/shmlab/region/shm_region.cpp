#include "shmlab/region/shm_region.hpp"

#include <fcntl.h>
#include <sys/mman.h>

#include "shmlab/region/memory_cells.hpp"
#include "shmlab/sys/syscall.hpp"
#include "shmlab/sys/unique_fd.hpp"

namespace shmlab {

// ShmObject::create is exclusive, 0600, zeroed, and unlinks a half-built object.
ShmRegionStore::ShmRegionStore(const std::string& name, std::uint32_t cells)
    : object_(sys::ShmObject::create(name, memory_region_size(cells))) {
  init_memory_region(object_.data(), object_.size(), cells);
}

std::unique_ptr<Region> attach_shm_region(const RunParams& params) {
  const std::string name = params.region_path;
  sys::UniqueFd fd(sys::check(sys::call_name("shm_open", name), [&] {
    return ::shm_open(name.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0);
  }));
  return open_memory_region(std::move(fd), params, sys::call_name("shm_open", name));
}

}  // namespace shmlab
