#include "shmlab/region/backend.hpp"

#include <array>

namespace shmlab {
namespace {

constexpr std::array kBackends = {Backend::kFile, Backend::kMmap, Backend::kShm, Backend::kSqlite};

}  // namespace

std::string_view backend_name(Backend backend) {
  switch (backend) {
    case Backend::kFile:
      return "file";
    case Backend::kMmap:
      return "mmap";
    case Backend::kShm:
      return "shm";
    case Backend::kSqlite:
      return "sqlite";
  }
  return "?";
}

std::optional<Backend> parse_backend(std::string_view name) {
  for (Backend b : kBackends) {
    if (backend_name(b) == name) return b;
  }
  return std::nullopt;
}

std::span<const Backend> all_backends() { return kBackends; }

}  // namespace shmlab
