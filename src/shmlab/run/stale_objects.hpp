// Objects left behind by runs whose coordinator died (SIGKILL, power loss): control blocks, shm
// regions and named semaphores in /dev/shm, each run's private directory of files in the temp dir
// (and loose region files of older versions). A run's objects carry its id
// "shmlab-<coordinator pid>-<8 hex>"; they are stale when that pid is gone. Only regular files and
// directories of the caller's uid are considered, never followed through a symlink, and nothing
// found is opened in a way that could block (a FIFO named like a run). Used by `shmlab clean` and
// by `shmlab run`'s warning.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace shmlab {

struct StaleObject {
  std::string dir;      // "/dev/shm" or the temp dir
  std::string name;     // entry in dir
  std::string run_id;   // "shmlab-<pid>-<hex>"
  pid_t owner = 0;      // the coordinator's pid, no longer alive
  bool kept = false;    // the run kept its objects on purpose (--keep)
  bool is_dir = false;  // the run's private directory (removed with the files in it)
};

// Scans `dirs` for objects of runs whose coordinator is dead.
std::vector<StaleObject> find_stale_objects(const std::vector<std::string>& dirs);

// Removes one object; returns "" or why it could not (never throws).
std::string remove_stale_object(const StaleObject& object);

// The run id an entry name belongs to ("sem.shmlab-12-0abc1234-lock" → "shmlab-12-0abc1234"), and
// its pid; false for names that are not a run's.
bool parse_run_object_name(const std::string& name, std::string& run_id, pid_t& pid);

}  // namespace shmlab
