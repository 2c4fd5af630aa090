// shmlab's version line, from the project version (CMake) and the commit that cmake/commit.cmake
// writes into shmlab_commit.hpp at every build.
#include "cli/version.hpp"

#include <string_view>

#include "shmlab_commit.hpp"

#ifndef SHMLAB_VERSION
#define SHMLAB_VERSION "0.0.0"
#endif

namespace shmlab::cli {

const char* version_line() {
  // commit.cmake writes "unknown" where the sources are not a git checkout (a tarball).
  if (std::string_view(SHMLAB_COMMIT) == "unknown") {
    return "shmlab " SHMLAB_VERSION " (commit unknown: built from a source tree without git)";
  }
  return "shmlab " SHMLAB_VERSION " (commit " SHMLAB_COMMIT ")";
}

const char* build_commit() { return SHMLAB_COMMIT; }

}  // namespace shmlab::cli
