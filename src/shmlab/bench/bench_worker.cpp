#include "shmlab/bench/bench_worker.hpp"

#include <fmt/format.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>

#include "shmlab/bench/lock_wait_sampler.hpp"
#include "shmlab/control/bench_block.hpp"
#include "shmlab/control/control_block.hpp"
#include "shmlab/region/memory_cells.hpp"
#include "shmlab/region/pg_region.hpp"
#include "shmlab/region/region.hpp"
#include "shmlab/run/worker.hpp"
#include "shmlab/scenario/counter.hpp"
#include "shmlab/sync/account_locks.hpp"
#include "shmlab/sync/bare_primitive.hpp"
#include "shmlab/sync/flock_lock.hpp"
#include "shmlab/sync/lock.hpp"
#include "shmlab/sync/ofd_lock.hpp"
#include "shmlab/sync/robust_mutex.hpp"
#include "shmlab/sync/semaphore_lock.hpp"
#include "shmlab/sync/spin_lock.hpp"
#include "shmlab/sync/strategy.hpp"
#include "shmlab/sys/clock.hpp"
#include "shmlab/sys/mapping.hpp"
#include "shmlab/sys/named_semaphore.hpp"
#include "shmlab/sys/shm_object.hpp"
#include "shmlab/sys/syscall.hpp"
#include "shmlab/sys/unique_fd.hpp"

namespace shmlab {
namespace {

struct Tally {
  std::uint64_t retries = 0;
  LockWaitSampler wait;
};

// Whether a loop's operation takes a lock whose wait the batch samples.
enum class Sampling { kNone, kLock };

// The measured loop: `op(tally, sampled)` is one operation, run in batches timed as a whole. With
// Sampling::kLock each batch runs in three parts around the operation whose lock acquisition it
// samples (`sampled` true, LockWaitSampler); without, in one plain loop.
template <Sampling kSampling = Sampling::kNone, class Op>
void bench_loop(BenchHeader& h, BenchWorkerSlot& slot, Op&& op) {
  std::uint64_t batch = 1;
  std::uint64_t total = 0;
  std::uint64_t measured = 0;
  bool measuring = false;
  Tally tally{.wait = LockWaitSampler(static_cast<std::uint64_t>(sys::monotonic_ns()) ^
                                      static_cast<std::uint64_t>(::getpid()))};
  std::int64_t start = 0;
  std::int64_t end = 0;
  // Calibration, whatever the warm-up: the batch doubles until one lasts kBenchTargetBatchNs.
  // Without it `--warmup 0` timed single operations, two clock reads each (11M ops/s for atomic
  // where 160M is right). One untimed operation first takes the page faults and lazy bindings.
  op(tally, false);
  ++total;
  while (batch < kBenchMaxBatch && h.phase.load(std::memory_order_acquire) != BenchPhase::kStop) {
    const std::int64_t t0 = sys::monotonic_ns();
    for (std::uint64_t i = 0; i < batch; ++i) op(tally, false);
    const std::int64_t took = sys::monotonic_ns() - t0;
    total += batch;
    if (took >= kBenchTargetBatchNs) break;
    batch *= 2;
  }
  for (;;) {
    const BenchPhase phase = h.phase.load(std::memory_order_acquire);
    if (phase == BenchPhase::kStop) break;
    if (phase == BenchPhase::kMeasure && !measuring) {
      measuring = true;
      tally.retries = 0;
      tally.wait.reset();
    }
    const std::uint64_t sampled = tally.wait.start_batch(batch);
    const std::int64_t t0 = sys::monotonic_ns();
    if constexpr (kSampling == Sampling::kLock) {
      for (std::uint64_t i = 0; i < sampled; ++i) op(tally, false);
      op(tally, true);
      for (std::uint64_t i = sampled + 1; i < batch; ++i) op(tally, false);
    } else {
      for (std::uint64_t i = 0; i < batch; ++i) op(tally, false);
    }
    const std::int64_t t1 = sys::monotonic_ns();
    tally.wait.end_batch(t1 - t0);
    total += batch;
    if (measuring) {
      if (measured == 0) {
        start = t0;
        slot.measured_one.store(1, std::memory_order_relaxed);
      }
      measured += batch;
      end = t1;
      slot.latency.add(static_cast<double>(t1 - t0) / static_cast<double>(batch), batch);
    }
    // Still short (calibrated while preempted, or the machine got quieter): keep growing.
    if (t1 - t0 < kBenchTargetBatchNs && batch < kBenchMaxBatch) batch *= 2;
  }
  slot.ops_total = total;
  slot.ops_measured = measured;
  slot.retries = measured != 0 ? tally.retries : 0;
  slot.lock_wait_ns = measured != 0 ? tally.wait.total_ns() : 0;
  slot.measure_start_ns = start;
  slot.measure_end_ns = end;
  slot.batch = batch;
}

// A step context that does nothing: the bench runs operations, not a lesson.
class NoSteps final : public StepContext {
 public:
  void enter(Step, std::uint64_t) override {}
  void leave(const StepEvent&) override {}
  void window() override {}
};

// The scenario's own operation in the loop, with a silent step context and no write log.
void run_scenario_op(BenchHeader& h, BenchWorkerSlot& slot, const RunParams& params,
                     std::uint32_t index, Region& region, Lock* lock, AccountLocks* accounts) {
  ScenarioOp operation(params, index, region, lock, {}, accounts);
  NoSteps steps;
  std::uint64_t op = 0;
  bench_loop(h, slot, [&](Tally& t, bool) {
    const OpOutcome out = operation.run(op++, steps);
    t.retries += out.retries;
    // It times every acquisition itself: its wait is a sum, not an estimate.
    t.wait.add_measured(out.lock_wait_ns);
  });
}

void pin_to_cpu(std::uint32_t index) {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (::sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return;
  const int n = CPU_COUNT(&allowed);
  if (n <= 0) return;
  int want = static_cast<int>(index % static_cast<std::uint32_t>(n));
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &allowed)) continue;
    if (want-- == 0) {
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(cpu, &one);
      sys::check("sched_setaffinity", [&] { return ::sched_setaffinity(0, sizeof(one), &one); });
      return;
    }
  }
}

void wait_for_go(BenchHeader& h, BenchWorkerSlot& slot) {
  slot.state.store(BenchWorkerState::kReady, std::memory_order_release);
  h.start.arrive_and_wait();
}

// Calls fn with the concrete type of `lock` where there is one (every Lock is `final`, so the
// calls devirtualize and the memory locks' inline hot paths inline), else with the interface.
template <class Fn>
void with_concrete_lock(Lock& lock, Fn&& fn) {
  if (auto* m = dynamic_cast<RobustMutex*>(&lock)) return fn(*m);
  if (auto* s = dynamic_cast<SpinLock*>(&lock)) return fn(*s);
  if (auto* s = dynamic_cast<SemaphoreLock*>(&lock)) return fn(*s);
  if (auto* f = dynamic_cast<FlockLock*>(&lock)) return fn(*f);
  if (auto* o = dynamic_cast<OfdLock*>(&lock)) return fn(*o);
  fn(lock);
}

// A strategy on mmap/shm: the cell's own word operations (memory_cells.hpp) and the concrete
// lock, with nothing virtual on the way. This is what MemoryRegion does for a run minus its
// informational stamps (writer, wall time), which only the lesson reads.
void run_memory_strategy(BenchHeader& h, BenchWorkerSlot& slot, Strategy strategy,
                         MemoryRegion& region, Lock* lock, std::uint32_t index) {
  RegionCell& shared = region.cell(0);
  // +1 on the counter bits. The bench attributes nothing: every word it writes has write id 0,
  // as does the region's initial word, so the id bits stay 0 and need no packing.
  auto increment = [](std::uint64_t word) { return word + 1; };
  switch (strategy_info(strategy).family) {
    case Family::kPlain:
      return bench_loop(h, slot, [&](Tally&, bool) { shared.store(increment(shared.load())); });
    case Family::kSharded: {
      RegionCell& own = region.cell(index);
      return bench_loop(h, slot, [&](Tally&, bool) { own.store(increment(own.load())); });
    }
    case Family::kLocked:
      return with_concrete_lock(*lock, [&](auto& l) {
        bench_loop<Sampling::kLock>(h, slot, [&](Tally& t, bool sampled) {
          t.wait.acquire(l, sampled);
          shared.store(increment(shared.load()));
          l.unlock();
        });
      });
    case Family::kAtomic:
      return bench_loop(h, slot, [&](Tally&, bool) { shared.fetch_add(); });
    case Family::kCas:
      return bench_loop(h, slot, [&](Tally& t, bool) {
        for (std::uint64_t w = shared.load(); !shared.compare_exchange(w, increment(w));)
          ++t.retries;
      });
    case Family::kTransaction:
      break;  // `fits` keeps it to sqlite
  }
  throw std::logic_error("bench: no memory operation for this strategy");
}

void run_strategy(BenchBlock& bench, std::uint32_t index) {
  BenchHeader& h = bench.header();
  BenchWorkerSlot& slot = bench.slot(index);
  ControlBlock control = ControlBlock::attach(h.spec.control_name);
  const RunParams& params = control.params();
  std::unique_ptr<Region> region = attach_region(params);
  if (h.spec.pg_prepared) {
    if (auto* pg = dynamic_cast<PgRegion*>(region.get())) pg->prepare_statements(true);
  }
  std::unique_ptr<Lock> lock = make_lock(params.strategy, control, *region);
  const auto number = index + 1;
  wait_for_go(h, slot);
  // Test hook: worker 1 of every measurement of this strategy fails once the others run, as a
  // worker that gave up on an operation does (tests of a bench that goes on after a failure).
  if (const char* failing = std::getenv("SHMLAB_TEST_BENCH_FAIL");
      failing != nullptr && index == 0 && strategy_name(params.strategy) == failing) {
    throw std::runtime_error(
        fmt::format("SHMLAB_TEST_BENCH_FAIL={}: worker 1 failed on purpose", failing));
  }
  if (params.scenario != Scenario::kCounter) {
    // Inventory and bank: the scenario's own operation, as a run's worker does it (every strategy
    // family, every backend).
    std::optional<AccountLocks> accounts;
    if (params.strategy == Strategy::kOrderedLocks || params.strategy == Strategy::kAccountLocks) {
      accounts.emplace(std::span(control.header().locks), control.slot(index).waiting_for,
                       static_cast<std::int32_t>(number));
    }
    return run_scenario_op(h, slot, params, index, *region, lock.get(),
                           accounts ? &*accounts : nullptr);
  }
  if (auto* memory = dynamic_cast<MemoryRegion*>(region.get())) {
    return run_memory_strategy(h, slot, params.strategy, *memory, lock.get(), index);
  }
  // file and sqlite: each family's operation through the Region and Lock interfaces, as
  // CounterOp does it but without its step context, write log or wall-clock stamp (write id 0:
  // nothing is attributed). A system call per operation dwarfs the virtual calls here.
  auto increment = [number](CounterRecord r) {
    return CounterRecord{r.counter + 1, number, r.timestamp_ms, 0};
  };
  switch (strategy_info(params.strategy).family) {
    case Family::kPlain:
      bench_loop(h, slot, [&](Tally&, bool) { region->write(increment(region->read())); });
      return;
    case Family::kSharded:
      bench_loop(h, slot, [&](Tally&, bool) {
        region->write_cell(index, increment(region->read_cell(index)));
      });
      return;
    case Family::kLocked:
      with_concrete_lock(*lock, [&](auto& l) {
        bench_loop<Sampling::kLock>(h, slot, [&](Tally& t, bool sampled) {
          t.wait.acquire(l, sampled);
          try {
            region->write(increment(region->read()));
          } catch (...) {
            l.unlock();  // the others must not wait for a worker that is going
            throw;
          }
          l.unlock();
        });
      });
      return;
    case Family::kAtomic:
      bench_loop(h, slot, [&](Tally&, bool) { region->fetch_add(number, 0); });
      return;
    case Family::kCas:
      bench_loop(h, slot, [&](Tally& t, bool) {
        for (CounterRecord r = region->read(); !region->compare_exchange(r, increment(r));
             r = region->read()) {
          ++t.retries;
        }
      });
      return;
    case Family::kTransaction:
      // SQLite's BEGIN IMMEDIATE ... COMMIT with its busy handling and bounded retries: the
      // scenario's own operation (its cost is SQLite's).
      return run_scenario_op(h, slot, params, index, *region, lock.get(), nullptr);
  }
}

// Where a bare loop's counter lives: a shm object, a mapped file, or the file itself.
struct BareData {
  std::optional<sys::ShmObject> shm;
  sys::UniqueFd fd;
  sys::Mapping mapping;
  bare::Memory memory{nullptr, nullptr};
  int lock_fd = -1;
};

BareData attach_bare_data(const BenchSpec& spec, std::uint32_t index) {
  BareData d;
  const std::string path = spec.data_path;
  const std::size_t size = (std::size_t{spec.workers} + 1) * 64;
  void* base = nullptr;
  switch (spec.backend) {
    case Backend::kPostgres:  // its reference is pgbench, run by the runner (pgbench_peer.hpp)
      throw std::logic_error("bench: no bare loop on postgres");
    case Backend::kShm:
      d.shm.emplace(sys::ShmObject::open(path, size));
      base = d.shm->data();
      d.lock_fd = d.shm->fd();
      break;
    case Backend::kMmap:
    case Backend::kFile:
    case Backend::kSqlite: {
      d.fd = sys::UniqueFd(sys::check(sys::call_name("open", path), [&] {
        return ::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
      }));
      d.lock_fd = d.fd.get();
      if (spec.backend == Backend::kMmap) {
        d.mapping = sys::Mapping::map_shared(d.fd.get(), (size + 4095) / 4096 * 4096, path.c_str());
        base = d.mapping.data();
      }
      break;
    }
  }
  if (base != nullptr) {
    auto* cells = static_cast<char*>(base);
    d.memory.cell = reinterpret_cast<std::atomic<std::int64_t>*>(cells);
    d.memory.shard = reinterpret_cast<std::atomic<std::int64_t>*>(cells + 64 * (index + 1));
  }
  return d;
}

template <class Guard>
void run_guarded(BenchHeader& h, BenchWorkerSlot& slot, const BareData& d, Guard g) {
  auto loop = [&](const auto& data) {
    // Bare: nothing timed inside the loop, not even the lock.
    bench_loop(h, slot, [&](Tally&, bool) {
      g.lock();
      data.increment();
      g.unlock();
    });
  };
  if (d.memory.cell != nullptr) {
    loop(d.memory);
  } else {
    loop(bare::File{d.lock_fd, 0});
  }
}

void run_bare(BenchBlock& bench, std::uint32_t index) {
  BenchHeader& h = bench.header();
  BenchWorkerSlot& slot = bench.slot(index);
  const BenchSpec& spec = h.spec;
  BareData d = attach_bare_data(spec, index);
  std::optional<sys::NamedSemaphore> sem;
  if (spec.primitive == BarePrimitive::kSemaphore)
    sem.emplace(sys::NamedSemaphore::open(spec.sem_name));
  const bare::Memory m = d.memory;
  if (bare::needs_memory(spec.primitive) && m.cell == nullptr)
    sys::throw_errno("bench: a lock-free bare loop needs a memory backend", EINVAL);
  wait_for_go(h, slot);
  switch (spec.primitive) {
    case BarePrimitive::kPlainStore:
      return run_guarded(h, slot, d, bare::NoGuard{});
    case BarePrimitive::kAtomicAdd:
      return bench_loop(h, slot, [&](Tally&, bool) { bare::atomic_add(m); });
    case BarePrimitive::kCasLoop:
      return bench_loop(h, slot, [&](Tally& t, bool) { t.retries += bare::cas_increment(m); });
    case BarePrimitive::kShardedCell:
      if (m.cell == nullptr) {
        const bare::File own{d.lock_fd, static_cast<off_t>((index + 1) * kRecordSlotSize)};
        return bench_loop(h, slot, [&](Tally&, bool) { own.increment(); });
      }
      return bench_loop(h, slot, [&](Tally&, bool) { bare::sharded_increment(m); });
    case BarePrimitive::kRobustMutex:
      return run_guarded(h, slot, d, bare::RobustMutexGuard{&h.mutex});
    case BarePrimitive::kSpinlock:
      return run_guarded(h, slot, d, bare::SpinGuard{&h.spin});
    case BarePrimitive::kSemaphore:
      return run_guarded(h, slot, d, bare::SemaphoreGuard{sem->get()});
    case BarePrimitive::kFlock:
      return run_guarded(h, slot, d, bare::FlockGuard{d.lock_fd});
    case BarePrimitive::kOfd:
      return run_guarded(h, slot, d, bare::OfdGuard{d.lock_fd});
    case BarePrimitive::kBoostMutex:
      return run_guarded(h, slot, d, bare::BoostMutexGuard{bare::boost_mutex_in(h)});
    case BarePrimitive::kPgbenchUpdate:
    case BarePrimitive::kPgbenchForUpdate:
    case BarePrimitive::kPgbenchCas:
    case BarePrimitive::kPgbenchTransaction:
    case BarePrimitive::kPgbenchAdvisory:
      break;  // pgbench's own clients run these (bench/pgbench_peer.cpp)
  }
  throw std::logic_error("bench: no bare loop for a pgbench peer");
}

}  // namespace

int bench_worker_main(const std::string& bench_name, std::uint32_t worker_index) {
  // A worker never outlives its runner: killed with it, even by SIGKILL.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  BenchBlock bench = BenchBlock::attach(bench_name);
  BenchHeader& h = bench.header();
  if (h.owner_pid != ::getppid()) return kWorkerFailed;  // the runner is already gone
  if (worker_index >= h.spec.workers) return kWorkerFailed;
  BenchWorkerSlot& slot = bench.slot(worker_index);
  slot.pid.store(::getpid(), std::memory_order_relaxed);
  try {
    if (h.spec.pin) pin_to_cpu(worker_index);
    if (h.spec.mode == BenchMode::kStrategy) {
      run_strategy(bench, worker_index);
    } else {
      run_bare(bench, worker_index);
    }
  } catch (const std::exception& e) {
    std::strncpy(slot.error, e.what(), sizeof(slot.error) - 1);
    slot.state.store(BenchWorkerState::kFailed, std::memory_order_release);
    // A worker that fails before the barrier must not leave the runner waiting for it.
    h.start.arrive();
    return kWorkerFailed;
  }
  slot.state.store(BenchWorkerState::kDone, std::memory_order_release);
  return kWorkerOk;
}

}  // namespace shmlab
