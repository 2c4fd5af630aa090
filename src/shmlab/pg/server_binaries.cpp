#include "shmlab/pg/server_binaries.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string_view>
#include <vector>

#include "shmlab/pg/user_process.hpp"

namespace shmlab::pg {
namespace {

constexpr std::string_view kDebianRoot = "/usr/lib/postgresql";

bool has_server(const std::string& dir) {
  return ::access((dir + "/initdb").c_str(), X_OK) == 0 &&
         ::access((dir + "/postgres").c_str(), X_OK) == 0;
}

// pg_config's --bindir, or "" when pg_config is not in PATH or fails.
std::string pg_config_bindir() {
  const char* path_env = std::getenv("PATH");
  std::string_view path = path_env != nullptr ? path_env : "/usr/bin:/bin";
  while (!path.empty()) {
    const std::size_t colon = path.find(':');
    const std::string dir(path.substr(0, colon));
    path = colon == std::string_view::npos ? std::string_view() : path.substr(colon + 1);
    const std::string exe = (dir.empty() ? std::string(".") : dir) + "/pg_config";
    if (::access(exe.c_str(), X_OK) != 0) continue;
    try {
      std::string out = capture_output({exe, "--bindir"}, std::chrono::seconds(10));
      while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
      return out;
    } catch (const std::exception&) {
      return {};
    }
  }
  return {};
}

}  // namespace

std::string find_server_bindir() {
  const std::string from_pg_config = pg_config_bindir();
  if (!from_pg_config.empty() && has_server(from_pg_config)) return from_pg_config;
  // The newest major version first: /usr/lib/postgresql/16/bin before 15/bin.
  std::string best;
  long best_major = -1;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(kDebianRoot, ec)) {
    const std::string name = e.path().filename().string();
    char* end = nullptr;
    const long major = std::strtol(name.c_str(), &end, 10);
    if (end == name.c_str() || *end != '\0') continue;
    const std::string bin = e.path().string() + "/bin";
    if (major > best_major && has_server(bin)) {
      best_major = major;
      best = bin;
    }
  }
  if (!best.empty()) return best;
  throw PgNotInstalled(fmt::format(
      "PostgreSQL's server is not installed: no initdb and postgres in {} nor in {}/*/bin "
      "(install Debian's postgresql package: scripts/install-deps.sh)",
      from_pg_config.empty() ? "`pg_config --bindir`" : from_pg_config, kDebianRoot));
}

}  // namespace shmlab::pg
