#include "shmlab/sync/lock.hpp"

#include "shmlab/control/control_block.hpp"
#include "shmlab/region/region.hpp"
#include "shmlab/sync/robust_mutex.hpp"

namespace shmlab {

std::unique_ptr<Lock> make_lock(Strategy strategy, ControlBlock& control, Region& /*region*/) {
  switch (strategy) {
    case Strategy::kMutex:
      return std::make_unique<RobustMutex>(&control.header().mutex);
    default:
      return nullptr;
  }
}

}  // namespace shmlab
