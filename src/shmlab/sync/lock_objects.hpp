// LockObjects: the OS objects a strategy keeps outside the control block and the region — today
// the named semaphore of `semaphore`. The coordinator creates them before spawning the workers
// (exclusively, 0600, named after the run id) and they are unlinked when this object goes, on
// every path out of the run, unless kept (--keep).
#pragma once

#include <optional>

#include "shmlab/control/params.hpp"
#include "shmlab/sys/named_semaphore.hpp"

namespace shmlab {

class LockObjects {
 public:
  // Creates what params.strategy needs (nothing for most strategies).
  static LockObjects create(const RunParams& params);
  void keep() noexcept;

 private:
  std::optional<sys::NamedSemaphore> semaphore_;
};

}  // namespace shmlab
