// WorkerPool: explore's worker processes, started once and reused for interleaving after
// interleaving (issue 16). Between two interleavings the pool resets the region's cells to their
// initial records and the workers' slots in place, and hands the next schedule to the same
// processes by bumping the control block's `round` (a futex); its Scheduler then grants the steps
// exactly as a fresh run's coordinator does. How: docs/explore.md.
//
// The pool creates its control block, region, lock objects and private directory when it first
// runs an interleaving and removes them (after stopping its workers) when it is torn down: on a
// failed interleaving, on destruction, or on an interrupt. It never crosses processes.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shmlab/run/coordinator.hpp"
#include "shmlab/schedule/schedule.hpp"

namespace shmlab {

struct PoolRun {
  bool ok = false;
  std::int64_t measure = 0;   // the scenario's outcome measure, when ok
  std::uint64_t retries = 0;  // the workers' retries, when ok (postgres: aborted transactions)
  std::string why;            // when not ok: why the pool gave this interleaving up
};

class WorkerPool {
 public:
  // `options` as for a fresh run (workers, strategy, backend, binary, temp dir, --timeout); its
  // schedule is ignored. Nothing is created before the first run().
  explicit WorkerPool(const CoordinatorOptions& options);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs one interleaving on the pool's processes, starting them first if there are none. Not ok
  // when a worker died or is stuck (no end within --timeout) or the workers refused the schedule:
  // the pool is then torn down and the next run() starts fresh processes on fresh objects, so a
  // failed interleaving can never leave anything to the next. Throws ExploreInterrupted (everything
  // removed) on SIGINT, SIGTERM, SIGHUP or a closed output, and std::system_error when the pool
  // cannot be started at all.
  PoolRun run(const std::vector<ScheduleToken>& tokens);

  // Pools started so far (1 unless a worker died or got stuck).
  std::uint64_t starts() const { return starts_; }
  // The live pool's worker processes (none before the first run or after a failed one), for
  // messages and tests.
  std::vector<pid_t> worker_pids() const;

 private:
  struct Live;  // the started pool: its objects and processes

  void start();
  void stop() noexcept;  // tears the pool down, if started
  PoolRun give_up(std::string why);

  CoordinatorOptions options_;
  std::unique_ptr<Live> live_;
  std::uint64_t starts_ = 0;
};

}  // namespace shmlab
