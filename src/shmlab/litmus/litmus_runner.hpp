// LitmusRunner: the coordinator of one litmus run (one test, one order). It creates the run's
// LitmusBlock, spawns one `shmlab litmus-worker` per thread of the test (pinned to distinct CPUs
// where there are enough), hands them batches of iterations on fresh cells, tallies each batch's
// final states, and removes everything it created, whatever happened (a worker that dies, a batch
// that never ends, SIGINT/SIGTERM).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "shmlab/litmus/access_order.hpp"
#include "shmlab/litmus/litmus_result.hpp"
#include "shmlab/litmus/litmus_test.hpp"
#include "shmlab/sys/signals.hpp"

namespace shmlab::litmus {

struct LitmusConfig {
  LitmusTest test = LitmusTest::kSB;
  AccessOrder order = AccessOrder::kRelaxed;
  std::uint64_t iterations = 0;  // 0: whole batches until duration_s has passed
  double duration_s = 1.0;
  std::uint32_t batch = 1000;  // iterations per batch, each on its own cells (1..kMaxBatch)
  double timeout_s = 30;       // a batch or a start that takes longer: the run is stuck
  std::string self_exe;        // the shmlab binary the workers are spawned from
};

// SIGINT/SIGTERM reached the runner; everything was stopped and removed.
class LitmusInterrupted : public std::runtime_error {
 public:
  explicit LitmusInterrupted(int sig) : std::runtime_error("interrupted"), signal(sig) {}
  int signal;
};

// A worker died, failed or got stuck; everything was stopped and removed.
class LitmusWorkerFault : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Distinct CPUs for `threads` processes when this process may use that many, else none.
LitmusPlacement place_threads(std::uint32_t threads);

class LitmusRunner {
 public:
  // Takes SIGCHLD/SIGINT/SIGTERM for its lifetime (see sys::SignalFd).
  LitmusRunner() = default;
  // Throws LitmusInterrupted, LitmusWorkerFault, or std::system_error (environment).
  LitmusResult run(const LitmusConfig& config);

 private:
  sys::SignalFd signals_;
};

}  // namespace shmlab::litmus
