# Writes OUTPUT, a header defining SHMLAB_COMMIT (git describe of SOURCE_DIR, "-dirty" with
# uncommitted changes, "unknown" outside git), rewriting it only when it changes: run at every
# build so that `shmlab bench --json` names the source it was built from.
execute_process(
  COMMAND git -C "${SOURCE_DIR}" describe --always --dirty --abbrev=12
  OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR commit STREQUAL "")
  set(commit "unknown")
endif()
file(WRITE "${OUTPUT}.tmp" "#pragma once\n#define SHMLAB_COMMIT \"${commit}\"\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUTPUT}.tmp" "${OUTPUT}")
file(REMOVE "${OUTPUT}.tmp")
