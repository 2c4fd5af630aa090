// The coordinator: creates the control block and the region, spawns the workers (posix_spawn of
// shmlab itself, `shmlab worker`), releases them together, watches them (exits, signals, the
// watchdog), collects a RunRecord and removes everything it created, whatever happened.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "shmlab/control/params.hpp"
#include "shmlab/run/run_record.hpp"
#include "shmlab/schedule/schedule.hpp"
#include "shmlab/sys/log.hpp"

namespace shmlab {

struct CoordinatorOptions {
  RunParams params;
  std::string temp_dir = "/tmp";  // where file-based regions are created ($TMPDIR)
  std::string self_exe;           // the shmlab binary workers are spawned from
  double timeout_s = 30;          // watchdog: no progress for this long ends the run
  bool keep = false;              // leave the objects for `shmlab inspect`
  std::uint32_t hosts = 0;        // --hosts N (postgres): workers on N simulated hosts; 0: none
  // --remote-workers (postgres, a server named by --dsn): spawn no worker; print each one's `shmlab
  // worker` command, wait for their rows in the run's schema and watch them there.
  bool remote_workers = false;
  PauseSpec partition;                   // --partition W@POINT:MS (with hosts); worker 0: none
  bool partition_server = false;         // --partition …:server: the server's end of W's link
  std::optional<ScheduleSpec> schedule;  // --schedule: every step waits for a Scheduler's grant
  StepChooser step_chooser;  // --step: asked for each step once the schedule's tokens are spent
  // Called from the watch loop (about every 100 ms) with the operations finished so far.
  std::function<void(std::uint64_t ops_done)> progress;
};

// Runs one scenario. Throws std::system_error when the environment fails before the run starts
// (nothing is left behind); every outcome after that is in the record.
RunRecord coordinate(CoordinatorOptions options, const Log& log);

// A fresh "shmlab-<pid>-<random>" name for a run's objects.
std::string make_run_id();

}  // namespace shmlab
