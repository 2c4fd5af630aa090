// Runs the real shmlab binary as a child process (posix_spawn, no shell) and captures its exit
// code, stdout and stderr; checks that a run left nothing behind in /dev/shm or its temp dir.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace shmlab::test {

struct Outcome {
  int exit_code = -1;  // 128 + signal when killed by one
  std::string out;
  std::string err;
  pid_t pid = -1;
};

// A fresh, empty temp directory for one test, removed (with its contents) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::vector<std::string> entries() const;

 private:
  std::string path_;
};

// Runs `shmlab args...` with TMPDIR=tmp and NO_COLOR=1; waits at most timeout_s (then SIGKILL).
Outcome run_shmlab(const std::vector<std::string>& args, const TempDir& tmp, double timeout_s = 60);

// Runs any program (argv[0] an absolute path, no shell) the same way; with own_group it runs in a
// process group of its own, all of which is killed at the timeout and after it exits.
Outcome run_program(const std::vector<std::string>& argv, const TempDir& tmp, double timeout_s,
                    bool own_group = false);

// Names in /dev/shm that belong to the run started by process `pid` (shmlab-<pid>-...).
std::vector<std::string> shm_leftovers(pid_t pid);

std::string shmlab_binary();

}  // namespace shmlab::test
