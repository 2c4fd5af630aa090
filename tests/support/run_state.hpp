// What a running run's control block says, read by the test the way `inspect` reads it (a private,
// checked copy): for tests that must act once a run is past its start barrier, never after a
// guessed sleep.
#pragma once

#include <sys/types.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <system_error>
#include <thread>

#include "shmlab/control/control_snapshot.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {

// Whether every worker of the run whose coordinator is `coordinator` has completed an operation.
inline bool all_workers_operating(pid_t coordinator) {
  for (const std::string& name : shm_leftovers(coordinator)) {
    // The control block is "shmlab-<pid>-<hex>"; its region and semaphore carry a suffix.
    if (std::count(name.begin(), name.end(), '-') != 2) continue;
    try {
      const ControlSnapshot control = ControlSnapshot::read("/" + name);
      return std::all_of(control.slots().begin(), control.slots().end(), [](const WorkerSlot& s) {
        return s.ops.load(std::memory_order_relaxed) != 0;
      });
    } catch (const std::system_error&) {
      return false;  // not yet complete (its magic is written last), or already gone
    }
  }
  return false;
}

inline bool wait_until_operating(pid_t coordinator, std::chrono::seconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (all_workers_operating(coordinator)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

}  // namespace shmlab::test
