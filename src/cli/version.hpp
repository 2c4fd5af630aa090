// shmlab's version line: the project version and the commit the binary was built from. Defined in
// the build_info.cpp that cmake/build_info.cmake writes at every build (git describe), so a
// commit without a reconfigure still shows.
#pragma once

namespace shmlab::cli {

// "shmlab 0.1.0 (commit 1a2b3c4)", "(commit 1a2b3c4-dirty)" for uncommitted changes, or
// "(commit unknown: built from a source tree without git)".
const char* version_line();

}  // namespace shmlab::cli
