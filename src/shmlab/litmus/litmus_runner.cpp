#include "shmlab/litmus/litmus_runner.hpp"

#include <fmt/format.h>
#include <sched.h>
#include <signal.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "shmlab/litmus/litmus_block.hpp"
#include "shmlab/litmus/litmus_body.hpp"
#include "shmlab/run/coordinator.hpp"
#include "shmlab/sys/clock.hpp"
#include "shmlab/sys/futex.hpp"
#include "shmlab/sys/process.hpp"

namespace shmlab::litmus {
namespace {

constexpr int kPollMs = 20;  // how often a wait looks at signals and the workers

std::string worker_failure(const LitmusHeader& h, std::uint32_t thread, const sys::Child& child) {
  const char* error = h.error[thread];
  const std::string message(error, strnlen(error, sizeof(h.error[thread])));
  const sys::ExitStatus& st = *child.status();
  std::string why = !message.empty() ? message
                    : st.exited      ? fmt::format("exited with code {}", st.code)
                                     : fmt::format("was killed by signal {} (SIG{})", st.signal,
                                                   ::sigabbrev_np(st.signal));
  return fmt::format("litmus worker for thread {} (PID {}) {}", thread, child.pid(), why);
}

}  // namespace

LitmusPlacement place_threads(std::uint32_t threads) {
  LitmusPlacement p;
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  std::vector<int> cpus;
  if (::sched_getaffinity(0, sizeof(allowed), &allowed) == 0) {
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &allowed)) cpus.push_back(cpu);
    }
  }
  p.cpus_available = static_cast<unsigned>(cpus.size());
  p.cpus.assign(threads, -1);
  if (cpus.size() >= threads) std::copy_n(cpus.begin(), threads, p.cpus.begin());
  return p;
}

LitmusResult LitmusRunner::run(const LitmusConfig& config) {
  const LitmusTestInfo& info = litmus_info(config.test);
  LitmusResult result;
  result.test = config.test;
  result.order = config.order;
  result.placement = place_threads(info.threads);

  LitmusSpec spec;
  spec.test = config.test;
  spec.order = config.order;
  spec.threads = info.threads;
  spec.capacity = std::clamp<std::uint32_t>(config.batch, 1, kMaxBatch);
  if (config.iterations != 0 && config.iterations < spec.capacity)
    spec.capacity = static_cast<std::uint32_t>(config.iterations);
  std::copy(result.placement.cpus.begin(), result.placement.cpus.end(), spec.cpu);
  const LitmusBlock block =
      LitmusBlock::create(fmt::format("/{}-litmus-{}", make_run_id(), info.threads), spec);
  LitmusHeader& h = block.header();

  // Declared after the block: killed and reaped before it is unlinked.
  std::vector<sys::Child> children;
  children.reserve(info.threads);
  for (std::uint32_t t = 0; t < info.threads; ++t) {
    children.push_back(sys::Child::spawn({config.self_exe, "litmus-worker", "--block", block.name(),
                                          "--thread", std::to_string(t)}));
  }
  // Workers still spinning on an iteration's barrier give up once a failure ends the run early.
  struct AbortOnExit {
    LitmusHeader& h;
    bool finished = false;
    ~AbortOnExit() {
      if (finished) return;
      h.abort.store(1, std::memory_order_relaxed);
      h.stop.store(1, std::memory_order_release);
      h.batch.fetch_add(1, std::memory_order_release);
      sys::futex_wake_all(h.batch);
    }
  } abort_on_exit{h};

  auto check_workers = [&] {
    for (std::uint32_t t = 0; t < children.size(); ++t) {
      if (!children[t].try_wait()) continue;
      // Ctrl-C reaches the whole process group: a worker ended by it is the interruption.
      const sys::ExitStatus& st = *children[t].status();
      if (!st.exited && (st.signal == SIGINT || st.signal == SIGTERM))
        throw LitmusInterrupted(st.signal);
      throw LitmusWorkerFault(worker_failure(h, t, children[t]));
    }
  };
  auto poll = [&](int ms) {
    if (auto sig = signals_.wait(ms); sig && *sig != SIGCHLD) throw LitmusInterrupted(*sig);
    check_workers();
  };
  const auto timeout_ns = static_cast<std::int64_t>(config.timeout_s * 1e9);

  const std::int64_t start_deadline = sys::monotonic_ns() + timeout_ns;
  while (h.start.arrived() < info.threads) {
    poll(1);
    if (sys::monotonic_ns() > start_deadline)
      throw LitmusWorkerFault(
          fmt::format("litmus workers did not start in {} s", config.timeout_s));
  }
  h.start.open();

  IterationCells* cells = block.cells();
  std::array<const Registers*, kMaxThreads> regs{};
  const std::int64_t started = sys::monotonic_ns();
  const auto duration_ns = static_cast<std::int64_t>(config.duration_s * 1e9);
  std::uint32_t batch = 0;
  for (;;) {
    std::uint64_t length = spec.capacity;
    if (config.iterations != 0) {
      if (result.iterations >= config.iterations) break;
      length = std::min<std::uint64_t>(length, config.iterations - result.iterations);
    } else if (result.batches != 0 && sys::monotonic_ns() - started >= duration_ns) {
      break;
    }
    // Fresh locations: relaxed stores, published by the release increment of `batch`.
    for (std::uint64_t i = 0; i < length; ++i) {
      cells[i].barrier.value.store(0, std::memory_order_relaxed);
      cells[i].x.value.store(0, std::memory_order_relaxed);
      cells[i].y.value.store(0, std::memory_order_relaxed);
    }
    h.batch_length.store(static_cast<std::uint32_t>(length), std::memory_order_relaxed);
    batch = h.batch.fetch_add(1, std::memory_order_release) + 1;
    sys::futex_wake_all(h.batch);

    const std::uint32_t target = batch * info.threads;
    const std::int64_t deadline = sys::monotonic_ns() + timeout_ns;
    for (std::uint32_t d = h.done.load(std::memory_order_acquire); d < target;
         d = h.done.load(std::memory_order_acquire)) {
      sys::futex_wait(h.done, d, std::int64_t{kPollMs} * 1'000'000);
      poll(0);
      if (sys::monotonic_ns() > deadline) {
        throw LitmusWorkerFault(fmt::format(
            "a batch of {} iterations did not end in {} s: a worker is stuck or starved", length,
            config.timeout_s));
      }
    }
    for (std::uint32_t t = 0; t < info.threads; ++t) regs[t] = block.registers(t);
    for (std::uint64_t i = 0; i < length; ++i) {
      std::array<const Registers*, kMaxThreads> at{};
      for (std::uint32_t t = 0; t < info.threads; ++t) at[t] = regs[t] + i;
      ++result.histogram[state_index(final_state(config.test, cells[i], at.data()))];
    }
    result.iterations += length;
    ++result.batches;
  }
  result.elapsed_s = static_cast<double>(sys::monotonic_ns() - started) / 1e9;

  // The orderly end: workers exit 0 on `stop`.
  h.stop.store(1, std::memory_order_release);
  h.batch.fetch_add(1, std::memory_order_release);
  sys::futex_wake_all(h.batch);
  const std::int64_t stop_deadline = sys::monotonic_ns() + timeout_ns;
  for (std::uint32_t t = 0; t < children.size(); ++t) {
    while (!children[t].try_wait()) {
      if (auto sig = signals_.wait(kPollMs); sig && *sig != SIGCHLD) throw LitmusInterrupted(*sig);
      if (sys::monotonic_ns() > stop_deadline)
        throw LitmusWorkerFault("litmus workers did not stop after the last batch");
    }
    const sys::ExitStatus& st = *children[t].status();
    if (!st.exited || st.code != 0) throw LitmusWorkerFault(worker_failure(h, t, children[t]));
  }
  abort_on_exit.finished = true;
  return result;
}

}  // namespace shmlab::litmus
