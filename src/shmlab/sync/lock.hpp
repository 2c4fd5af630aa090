// Lock: what a kLocked strategy puts around an operation's read-modify-write, as seen by one
// worker process. Implementations keep their state where every worker can reach it (the control
// block, a named semaphore, the region's file) and are created per process by make_lock().
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "shmlab/control/params.hpp"

namespace shmlab {

class ControlBlock;
class Region;

enum class LockResult {
  kAcquired,
  kRecovered,  // acquired from an owner that died holding it (robust mutex EOWNERDEAD)
  kBusy,       // try_lock only: another worker holds it
};

class Lock {
 public:
  virtual ~Lock() = default;
  virtual LockResult lock() = 0;
  // Never blocks; used under a schedule, where a held lock makes the token blocked.
  virtual LockResult try_lock() = 0;
  virtual void unlock() = 0;
  // What the watchdog names: "the mutex", "the semaphore", ...
  virtual std::string_view what() const = 0;
};

// The lock of a kLocked strategy for this process; nullptr for strategies without one.
// `worker_index` (0-based) names the holder of a lease.
std::unique_ptr<Lock> make_lock(Strategy strategy, ControlBlock& control, Region& region,
                                std::uint32_t worker_index = 0);

}  // namespace shmlab
