#include "shmlab/litmus/litmus_batch.hpp"

#include "shmlab/litmus/iteration_barrier.hpp"
#include "shmlab/litmus/litmus_body.hpp"

namespace shmlab::litmus {
namespace {

template <LitmusTest T, class A>
bool run_loop(const BatchArgs& a) {
  for (std::uint32_t i = 0; i < a.length; ++i) {
    IterationCells& c = a.cells[i];
    if (!iteration_barrier(c.barrier.value, a.threads, *a.abort)) return false;
    run_thread<T, A>(a.thread, c, a.registers[i]);
  }
  return true;
}

template <LitmusTest T>
bool run_with_order(const BatchArgs& a) {
  switch (a.order) {
    case AccessOrder::kRelaxed:
      return run_loop<T, RelaxedAccesses>(a);
    case AccessOrder::kAcquireRelease:
      return run_loop<T, AcquireReleaseAccesses>(a);
    case AccessOrder::kSeqCst:
      return run_loop<T, SeqCstAccesses>(a);
    case AccessOrder::kFence:
      return run_loop<T, FencedAccesses>(a);
  }
  return false;
}

}  // namespace

bool run_batch(const BatchArgs& a) {
  switch (a.test) {
    case LitmusTest::kSB:
      return run_with_order<LitmusTest::kSB>(a);
    case LitmusTest::kMP:
      return run_with_order<LitmusTest::kMP>(a);
    case LitmusTest::kLB:
      return run_with_order<LitmusTest::kLB>(a);
    case LitmusTest::kIRIW:
      return run_with_order<LitmusTest::kIRIW>(a);
    case LitmusTest::k2Plus2W:
      return run_with_order<LitmusTest::k2Plus2W>(a);
  }
  return false;
}

}  // namespace shmlab::litmus
