#include "shmlab/region/mmap_region.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "shmlab/region/memory_cells.hpp"
#include "shmlab/sys/mapping.hpp"
#include "shmlab/sys/syscall.hpp"
#include "shmlab/sys/unique_fd.hpp"

namespace shmlab {

MmapRegionStore::MmapRegionStore(std::string path, std::uint32_t cells) : path_(std::move(path)) {
  // O_EXCL never follows a symlink planted at the path and never reuses another run's file.
  sys::UniqueFd fd(sys::check(sys::call_name("open", path_), [&] {
    return ::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  }));
  created_ = true;
  try {
    const std::size_t size = memory_region_size(cells);
    sys::check(sys::call_name("ftruncate", path_),
               [&] { return ::ftruncate(fd.get(), static_cast<off_t>(size)); });
    sys::Mapping mapping = sys::Mapping::map_shared(fd.get(), size, path_.c_str());
    init_memory_region(mapping.data(), size, cells);
  } catch (...) {
    remove();  // roll back the half-built file
    throw;
  }
}

void MmapRegionStore::remove() noexcept {
  if (created_) ::unlink(path_.c_str());
  created_ = false;
}

std::unique_ptr<Region> attach_mmap_region(const RunParams& params) {
  const std::string path = params.region_path;
  sys::UniqueFd fd(sys::check(sys::call_name("open", path), [&] {
    return ::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  }));
  return open_memory_region(std::move(fd), params, sys::call_name("open", path));
}

}  // namespace shmlab
