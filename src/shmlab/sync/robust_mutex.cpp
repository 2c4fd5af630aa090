#include "shmlab/sync/robust_mutex.hpp"

namespace shmlab {

// Out of line: rare (a holder died), and kept off the inline path.
LockResult RobustMutex::recover() {
  ::pthread_mutex_consistent(mutex_);
  return LockResult::kRecovered;
}

}  // namespace shmlab
