// shmlab's version line: the project version and the commit the binary was built from
// (cmake/commit.cmake runs git describe at every build, so a commit without a reconfigure shows).
#pragma once

namespace shmlab::cli {

// "shmlab 0.1.0 (commit 1a2b3c4d5e6f)", "(commit 1a2b3c4d5e6f-dirty)" for uncommitted changes, or
// "(commit unknown: built from a source tree without git)".
const char* version_line();
// The commit alone: "1a2b3c4d5e6f", "1a2b3c4d5e6f-dirty" or "unknown" (what `bench --json`
// records).
const char* build_commit();

}  // namespace shmlab::cli
