// Single-process cost of each primitive shmlab's strategies are built on, and of the Boost peer:
// one increment of a counter in shared memory (or of the record in a file) per iteration. No
// contention here — `shmlab bench` measures that, with real processes.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>

#include "shmlab/control/bench_block.hpp"
#include "shmlab/control/control_block.hpp"
#include "shmlab/region/file_region.hpp"
#include "shmlab/region/region.hpp"
#include "shmlab/sync/bare_primitive.hpp"
#include "shmlab/sync/lock.hpp"
#include "shmlab/sync/lock_objects.hpp"
#include "shmlab/sys/clock.hpp"
#include "shmlab/sys/named_semaphore.hpp"
#include "shmlab/sys/shm_object.hpp"
#include "shmlab/sys/syscall.hpp"
#include "shmlab/sys/unique_fd.hpp"

namespace shmlab {
namespace {

// A bench block (lock words), a shm counter and a record file, removed on destruction.
class Fixture {
 public:
  Fixture()
      : id_(fmt::format("shmlab-{}-bm", ::getpid())),
        block_(BenchBlock::create("/" + id_ + "-bench", BenchSpec{})),
        cells_(sys::ShmObject::create("/" + id_ + "-bare", 4096)),
        file_(std::make_unique<FileRegionStore>(temp_path())),
        fd_(::open(temp_path().c_str(), O_RDWR | O_CLOEXEC)) {
    if (!fd_) sys::throw_errno(sys::call_name("open", temp_path()), errno);
  }

  bare::Memory memory() const {
    auto* base = static_cast<char*>(cells_.data());
    return {reinterpret_cast<std::atomic<std::int64_t>*>(base),
            reinterpret_cast<std::atomic<std::int64_t>*>(base + 64)};
  }
  bare::File file() const { return {fd_.get()}; }
  BenchHeader& header() const { return block_.header(); }
  const std::string& id() const { return id_; }

 private:
  std::string temp_path() const {
    const char* t = std::getenv("TMPDIR");
    return fmt::format("{}/{}.json", t != nullptr && *t != '\0' ? t : "/tmp", id_);
  }
  std::string id_;
  BenchBlock block_;
  sys::ShmObject cells_;
  std::unique_ptr<FileRegionStore> file_;
  sys::UniqueFd fd_;
};

template <class Guard, class Data>
void guarded_loop(benchmark::State& state, const Guard& g, const Data& d) {
  for (auto _ : state) {
    g.lock();
    d.increment();
    g.unlock();
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_None_PlainStore(benchmark::State& state) {
  Fixture f;
  guarded_loop(state, bare::NoGuard{}, f.memory());
}
BENCHMARK(BM_None_PlainStore)->UseRealTime();

void BM_Atomic_FetchAdd(benchmark::State& state) {
  Fixture f;
  const bare::Memory m = f.memory();
  for (auto _ : state) bare::atomic_add(m);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Atomic_FetchAdd)->UseRealTime();

void BM_Cas_Increment(benchmark::State& state) {
  Fixture f;
  const bare::Memory m = f.memory();
  for (auto _ : state) benchmark::DoNotOptimize(bare::cas_increment(m));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Cas_Increment)->UseRealTime();

void BM_Sharded_Increment(benchmark::State& state) {
  Fixture f;
  const bare::Memory m = f.memory();
  for (auto _ : state) bare::sharded_increment(m);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sharded_Increment)->UseRealTime();

void BM_Mutex_LockUnlock(benchmark::State& state) {
  Fixture f;
  guarded_loop(state, bare::RobustMutexGuard{&f.header().mutex}, f.memory());
}
BENCHMARK(BM_Mutex_LockUnlock)->UseRealTime();

void BM_BoostMutex_LockUnlock(benchmark::State& state) {
  Fixture f;
  bare::construct_boost_mutex(f.header());
  guarded_loop(state, bare::BoostMutexGuard{bare::boost_mutex_in(f.header())}, f.memory());
  bare::destroy_boost_mutex(f.header());
}
BENCHMARK(BM_BoostMutex_LockUnlock)->UseRealTime();

void BM_Spinlock_LockUnlock(benchmark::State& state) {
  Fixture f;
  guarded_loop(state, bare::SpinGuard{&f.header().spin}, f.memory());
}
BENCHMARK(BM_Spinlock_LockUnlock)->UseRealTime();

void BM_Semaphore_WaitPost(benchmark::State& state) {
  Fixture f;
  sys::NamedSemaphore sem = sys::NamedSemaphore::create("/" + f.id() + "-sem", 1);
  guarded_loop(state, bare::SemaphoreGuard{sem.get()}, f.memory());
}
BENCHMARK(BM_Semaphore_WaitPost)->UseRealTime();

void BM_Flock_LockUnlock(benchmark::State& state) {
  Fixture f;
  guarded_loop(state, bare::FlockGuard{f.file().fd}, f.memory());
}
BENCHMARK(BM_Flock_LockUnlock)->UseRealTime();

void BM_Ofd_LockUnlock(benchmark::State& state) {
  Fixture f;
  guarded_loop(state, bare::OfdGuard{f.file().fd}, f.memory());
}
BENCHMARK(BM_Ofd_LockUnlock)->UseRealTime();

// The seed's file: pread, decode the JSON record, +1, encode, pwrite.
void BM_File_PreadPwrite(benchmark::State& state) {
  Fixture f;
  guarded_loop(state, bare::NoGuard{}, f.file());
}
BENCHMARK(BM_File_PreadPwrite)->UseRealTime();

void BM_Flock_FileIncrement(benchmark::State& state) {
  Fixture f;
  guarded_loop(state, bare::FlockGuard{f.file().fd}, f.file());
}
BENCHMARK(BM_Flock_FileIncrement)->UseRealTime();

// What timing one call costs: why the bench times batches, not single operations.
void BM_Clock_MonotonicNs(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(sys::monotonic_ns());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Clock_MonotonicNs)->UseRealTime();

// The same increments through shmlab's own layers (Region, Lock) on a real `shm` run's objects,
// as a bench worker runs them: the difference to the bare loops above is what those layers cost.
class StrategyFixture {
 public:
  explicit StrategyFixture(Strategy strategy) {
    params_.workers = 1;
    params_.increments = kMaxIncrements;  // no write log
    params_.backend = Backend::kShm;
    params_.strategy = strategy;
    const std::string id = fmt::format("shmlab-{}-bms", ::getpid());
    std::memcpy(params_.run_id, id.c_str(), id.size());
    store_ = create_region(params_, "/tmp");
    control_.emplace(ControlBlock::create(params_));
    lock_objects_.emplace(LockObjects::create(params_));
    region_ = attach_region(params_);
    lock_ = make_lock(strategy, *control_, *region_);
  }
  Region& region() { return *region_; }
  Lock& lock() { return *lock_; }

 private:
  RunParams params_;
  std::unique_ptr<RegionStore> store_;
  std::optional<ControlBlock> control_;
  std::optional<LockObjects> lock_objects_;
  std::unique_ptr<Region> region_;
  std::unique_ptr<Lock> lock_;
};

CounterRecord next(const CounterRecord& r) { return {r.counter + 1, 1, r.timestamp_ms, 0}; }

void BM_None_RegionIncrement(benchmark::State& state) {
  StrategyFixture f(Strategy::kNone);
  for (auto _ : state) f.region().write(next(f.region().read()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_None_RegionIncrement)->UseRealTime();

void locked_increments(benchmark::State& state, Strategy strategy) {
  StrategyFixture f(strategy);
  for (auto _ : state) {
    f.lock().lock();
    f.region().write(next(f.region().read()));
    f.lock().unlock();
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_Mutex_RegionIncrement(benchmark::State& state) {
  locked_increments(state, Strategy::kMutex);
}
BENCHMARK(BM_Mutex_RegionIncrement)->UseRealTime();
void BM_Spinlock_RegionIncrement(benchmark::State& state) {
  locked_increments(state, Strategy::kSpinlock);
}
BENCHMARK(BM_Spinlock_RegionIncrement)->UseRealTime();
void BM_Semaphore_RegionIncrement(benchmark::State& state) {
  locked_increments(state, Strategy::kSemaphore);
}
BENCHMARK(BM_Semaphore_RegionIncrement)->UseRealTime();

void BM_Atomic_RegionFetchAdd(benchmark::State& state) {
  StrategyFixture f(Strategy::kAtomic);
  for (auto _ : state) benchmark::DoNotOptimize(f.region().fetch_add(1, 0));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Atomic_RegionFetchAdd)->UseRealTime();

void BM_Cas_RegionIncrement(benchmark::State& state) {
  StrategyFixture f(Strategy::kCas);
  for (auto _ : state) {
    CounterRecord r = f.region().read();
    while (!f.region().compare_exchange(r, next(r))) r = f.region().read();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Cas_RegionIncrement)->UseRealTime();

}  // namespace
}  // namespace shmlab
