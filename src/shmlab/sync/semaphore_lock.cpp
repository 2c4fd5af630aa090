#include "shmlab/sync/semaphore_lock.hpp"

#include <fmt/format.h>

namespace shmlab {

std::string semaphore_name(const RunParams& params) {
  return fmt::format("/{}-sem", params.run_id);
}

}  // namespace shmlab
