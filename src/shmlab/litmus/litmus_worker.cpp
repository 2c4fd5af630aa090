#include "shmlab/litmus/litmus_worker.hpp"

#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstring>
#include <exception>

#include "shmlab/litmus/litmus_batch.hpp"
#include "shmlab/litmus/litmus_block.hpp"
#include "shmlab/sys/futex.hpp"
#include "shmlab/sys/syscall.hpp"

namespace shmlab::litmus {
namespace {

void pin_to(int cpu) {
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  sys::check("sched_setaffinity", [&] { return ::sched_setaffinity(0, sizeof(one), &one); });
}

// Waits for a batch number other than `seen`; returns it.
std::uint32_t wait_for_batch(LitmusHeader& h, std::uint32_t seen) {
  for (;;) {
    const std::uint32_t b = h.batch.load(std::memory_order_acquire);
    if (b != seen) return b;
    sys::futex_wait(h.batch, seen, -1);
  }
}

}  // namespace

int litmus_worker_main(const std::string& block_name, std::uint32_t thread) {
  // A worker never outlives its coordinator: killed with it, even by SIGKILL.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  const LitmusBlock block = LitmusBlock::attach(block_name);
  const LitmusSpec& spec = block.spec();
  if (spec.owner_pid != ::getppid() || thread >= spec.threads) return kLitmusWorkerFailed;
  LitmusHeader& h = block.header();
  try {
    if (spec.cpu[thread] >= 0) pin_to(spec.cpu[thread]);
  } catch (const std::exception& e) {
    std::strncpy(h.error[thread], e.what(), sizeof(h.error[thread]) - 1);
    h.start.arrive();  // nobody waits for a worker that failed before the start
    return kLitmusWorkerFailed;
  }
  h.start.arrive_and_wait();

  BatchArgs args{
      spec.test, spec.order, thread, spec.threads, block.cells(), block.registers(thread),
      0,         &h.abort};
  std::uint32_t seen = 0;
  for (;;) {
    seen = wait_for_batch(h, seen);
    if (h.stop.load(std::memory_order_acquire) != 0) return kLitmusWorkerOk;
    // Relaxed: published by the release store of `batch`, which this thread acquired.
    args.length = h.batch_length.load(std::memory_order_relaxed);
    if (args.length > spec.capacity) {
      std::strncpy(h.error[thread], "batch longer than the block", sizeof(h.error[thread]) - 1);
      return kLitmusWorkerFailed;
    }
    if (!run_batch(args)) return kLitmusWorkerOk;  // aborted by the coordinator
    h.done.fetch_add(1, std::memory_order_acq_rel);
    sys::futex_wake_all(h.done);
  }
}

}  // namespace shmlab::litmus
