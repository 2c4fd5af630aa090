#include "shmlab/region/backend.hpp"

#include <array>

namespace shmlab {
namespace {

constexpr std::array kBackends = {Backend::kFile, Backend::kMmap, Backend::kShm, Backend::kSqlite,
                                  Backend::kPostgres};

constexpr std::array<std::string_view, 3> kIsolationNames = {"read-committed", "repeatable-read",
                                                             "serializable"};

constexpr std::array<std::string_view, 3> kIsolationSql = {"READ COMMITTED", "REPEATABLE READ",
                                                           "SERIALIZABLE"};

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
    case Backend::kPostgres:
      return "postgres";
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

std::string_view isolation_name(Isolation isolation) {
  return kIsolationNames[static_cast<std::size_t>(isolation)];
}

std::string_view isolation_sql(Isolation isolation) {
  return kIsolationSql[static_cast<std::size_t>(isolation)];
}

std::optional<Isolation> parse_isolation(std::string_view name) {
  for (std::size_t i = 0; i < kIsolationNames.size(); ++i) {
    if (kIsolationNames[i] == name) return static_cast<Isolation>(i);
  }
  return std::nullopt;
}

}  // namespace shmlab
