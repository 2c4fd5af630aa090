#include "shmlab/bench/bench_runner.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "shmlab/bench/bench_counter.hpp"
#include "shmlab/bench/pgbench_peer.hpp"
#include "shmlab/control/control_block.hpp"
#include "shmlab/region/memory_cells.hpp"
#include "shmlab/region/pg_region.hpp"
#include "shmlab/region/record.hpp"
#include "shmlab/region/region.hpp"
#include "shmlab/run/coordinator.hpp"
#include "shmlab/run/worker.hpp"
#include "shmlab/sync/bare_primitive.hpp"
#include "shmlab/sync/lock_objects.hpp"
#include "shmlab/sync/strategy.hpp"
#include "shmlab/sys/clock.hpp"
#include "shmlab/sys/mapping.hpp"
#include "shmlab/sys/named_semaphore.hpp"
#include "shmlab/sys/process.hpp"
#include "shmlab/sys/shm_object.hpp"
#include "shmlab/sys/syscall.hpp"
#include "shmlab/sys/unique_fd.hpp"

namespace shmlab {
namespace {

constexpr std::size_t align_up(std::size_t n, std::size_t a) { return (n + a - 1) / a * a; }

template <std::size_t N>
void copy_name(char (&dst)[N], const std::string& src) {
  if (src.size() >= N)
    sys::throw_errno(sys::call_name("bench", src) + ": name too long", ENAMETOOLONG);
  std::memset(dst, 0, N);
  std::memcpy(dst, src.data(), src.size());
}

// A zero-filled file created exclusively for a bare loop's mapped counter, unlinked on destruction.
class TempFile {
 public:
  TempFile(std::string path, std::size_t size) : path_(std::move(path)) {
    sys::UniqueFd fd(sys::check(sys::call_name("open", path_), [&] {
      return ::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    }));
    if (::ftruncate(fd.get(), static_cast<off_t>(size)) != 0) {
      const int err = errno;
      ::unlink(path_.c_str());
      sys::throw_errno(sys::call_name("ftruncate", path_), err);
    }
  }
  ~TempFile() { ::unlink(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Destroys the Boost mutex constructed in the bench block's raw storage.
struct BoostMutexHolder {
  BenchHeader* header = nullptr;
  ~BoostMutexHolder() {
    if (header != nullptr) bare::destroy_boost_mutex(*header);
  }
};

// The objects of one bare measurement.
struct BareObjects {
  std::optional<sys::ShmObject> shm;
  std::unique_ptr<TempFile> mapped_file;
  std::unique_ptr<TempFile> record_file;  // N + 1 record slots
  std::optional<sys::NamedSemaphore> sem;
};

std::int64_t bare_final(const BenchSpec& spec, const BareObjects& objects) {
  const std::size_t cells = std::size_t{spec.workers} + 1;
  auto sum_cells = [&](const void* base) {
    std::int64_t total = 0;
    for (std::size_t i = 0; i < cells; ++i) {
      const auto* cell = reinterpret_cast<const std::atomic<std::int64_t>*>(
          static_cast<const char*>(base) + 64 * i);
      total += cell->load(std::memory_order_acquire);
    }
    return total;
  };
  if (objects.shm) return sum_cells(objects.shm->data());
  if (objects.mapped_file) {
    sys::UniqueFd fd(sys::check(sys::call_name("open", spec.data_path), [&] {
      return ::open(spec.data_path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    }));
    sys::Mapping m = sys::Mapping::map_shared(fd.get(), align_up(cells * 64, 4096), spec.data_path);
    return sum_cells(m.data());
  }
  sys::UniqueFd fd(sys::check(sys::call_name("open", spec.data_path), [&] {
    return ::open(spec.data_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  }));
  std::int64_t total = 0;
  for (std::size_t i = 0; i < cells; ++i) {
    RecordSlot slot;
    const auto off = static_cast<off_t>(i * kRecordSlotSize);
    if (::pread(fd.get(), slot.data(), slot.size(), off) != static_cast<ssize_t>(slot.size()))
      sys::throw_errno(sys::call_name("pread", spec.data_path), errno ? errno : EIO);
    const auto r = decode_record(slot);
    if (!r) sys::throw_errno(sys::call_name("pread", spec.data_path) + ": garbled record", EINVAL);
    total += r->counter;
  }
  return total;
}

}  // namespace

BenchMachine this_machine() {
  BenchMachine m;
  m.cpus = static_cast<unsigned>(::sysconf(_SC_NPROCESSORS_ONLN));
  m.cpu_model = "unknown";
  if (std::FILE* f = std::fopen("/proc/cpuinfo", "re")) {
    char line[512];
    while (std::fgets(line, sizeof(line), f) != nullptr) {
      const std::string_view l(line);
      if (l.rfind("model name", 0) != 0) continue;
      if (const auto colon = l.find(':'); colon != std::string_view::npos) {
        std::string v(l.substr(colon + 1));
        v.erase(0, v.find_first_not_of(" \t"));
        v.erase(v.find_last_not_of(" \t\n") + 1);
        if (!v.empty()) m.cpu_model = v;
      }
      break;
    }
    std::fclose(f);
  }
  struct utsname u {};
  m.kernel =
      ::uname(&u) == 0 ? fmt::format("{} {} {}", u.sysname, u.release, u.machine) : "unknown";
  return m;
}

bool BenchTarget::has_lock() const {
  if (mode == BenchMode::kBare) return false;  // bare loops time nothing inside the loop
  const Family f = strategy_info(strategy).family;
  return f == Family::kLocked || f == Family::kTransaction;
}

BenchSample BenchRunner::run(const BenchTarget& target, const BenchConfig& config) {
  if (target.mode == BenchMode::kBare && bare::is_pgbench(target.primitive)) {
    if (config.pgbench == nullptr) throw std::logic_error("bench: a pgbench row without pgbench");
    // Bounded like a stuck worker: far beyond what the same work took shmlab.
    const auto timeout = std::chrono::milliseconds(static_cast<std::int64_t>(
        (20 * (config.duration_s + config.warmup_s) + config.stop_timeout_s + 30) * 1000));
    return config.pgbench->run(target.primitive, config.workers, config.pgbench_transactions,
                               config.warmup_s, signals_, timeout);
  }
  const std::string id = make_run_id();
  BenchSpec spec;
  spec.mode = target.mode;
  spec.primitive = target.primitive;
  spec.backend = target.backend;
  spec.pin = config.pin;
  spec.pg_prepared = config.pg_prepared;
  spec.workers = config.workers;

  // Strategy: the run's own objects, exactly as `shmlab run` makes them.
  std::unique_ptr<RegionStore> store;
  std::optional<ControlBlock> control;
  std::optional<LockObjects> lock_objects;
  std::unique_ptr<Region> region;
  BareObjects bare_objects;
  if (target.mode == BenchMode::kStrategy) {
    RunParams p;
    p.workers = config.workers;
    p.increments = kMaxIncrements;  // too many to log: the bench keeps no write log
    p.backend = target.backend;
    p.strategy = target.strategy;
    p.scenario = target.scenario;
    // Enough stock and money that no operation of a measurement is declined for want of them.
    p.scenario_params.stock = kBenchScenarioPlenty;
    p.scenario_params.balance = kBenchScenarioPlenty;
    p.delays = DelaySpec{{0, 0}, {0, 0}, {0, 0}};
    p.quiet = true;
    copy_name(p.run_id, id);
    if (target.backend == Backend::kPostgres) {
      // The invocation's one server; this measurement's own schema and table on it.
      if (config.pg_dsn.empty()) throw std::logic_error("bench: postgres without a server");
      copy_name(p.region_path, std::string(kDsnPrefix) + config.pg_dsn);
    }
    store = create_region(p, config.temp_dir);
    control.emplace(ControlBlock::create(p));
    lock_objects.emplace(LockObjects::create(p));  // e.g. the named semaphore
    region = attach_region(p);
    copy_name(spec.control_name, control->name());
  } else {
    const std::size_t size = align_up((std::size_t{config.workers} + 1) * 64, 4096);
    switch (target.backend) {
      case Backend::kPostgres:  // its reference is pgbench (above)
        throw std::logic_error("bench: no bare loop on postgres");
      case Backend::kShm:
        bare_objects.shm.emplace(sys::ShmObject::create(fmt::format("/{}-bare", id), size));
        copy_name(spec.data_path, bare_objects.shm->name());
        break;
      case Backend::kMmap:
        bare_objects.mapped_file =
            std::make_unique<TempFile>(fmt::format("{}/{}-bare.dat", config.temp_dir, id), size);
        copy_name(spec.data_path, bare_objects.mapped_file->path());
        break;
      case Backend::kFile:
      case Backend::kSqlite: {
        const std::size_t slots = std::size_t{config.workers} + 1;
        bare_objects.record_file = std::make_unique<TempFile>(
            fmt::format("{}/{}-bare.json", config.temp_dir, id), slots * kRecordSlotSize);
        const RecordSlot initial = encode_record(CounterRecord{});
        const std::string& path = bare_objects.record_file->path();
        sys::UniqueFd fd(sys::check(sys::call_name("open", path), [&] {
          return ::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
        }));
        for (std::size_t i = 0; i < slots; ++i) {
          const auto off = static_cast<off_t>(i * kRecordSlotSize);
          if (::pwrite(fd.get(), initial.data(), initial.size(), off) !=
              static_cast<ssize_t>(initial.size())) {
            sys::throw_errno(sys::call_name("pwrite", path), errno ? errno : EIO);
          }
        }
        copy_name(spec.data_path, path);
        break;
      }
    }
    if (target.primitive == BarePrimitive::kSemaphore) {
      bare_objects.sem.emplace(sys::NamedSemaphore::create(fmt::format("/{}-sem", id), 1));
      copy_name(spec.sem_name, bare_objects.sem->name());
    }
  }
  // mmap/shm keep the counter in 40 bits of each cell: followed through its wraps from here on
  // (read at least every kBenchCounterPollMs), so a long measurement still counts exactly.
  // Inventory and bank keep their cells as the scenario made them (the stock, the balances).
  auto* memory =
      target.scenario == Scenario::kCounter ? dynamic_cast<MemoryRegion*>(region.get()) : nullptr;
  std::vector<WrappingCounter> cell_counts;
  if (memory != nullptr) {
    RunParams p;
    p.workers = config.workers;
    p.strategy = target.strategy;
    p.backend = target.backend;
    const std::uint64_t start = (kCounterMask + 1 - config.counter_headroom) & kCounterMask;
    cell_counts.assign(region_cells(p), WrappingCounter(kCounterBits, start));
    for (std::uint32_t i = 0; i < cell_counts.size(); ++i) {
      memory->cell(i).store(pack_word(static_cast<std::int64_t>(start), 0));
    }
  }
  auto read_cells = [&] {
    for (std::uint32_t i = 0; i < cell_counts.size(); ++i)
      cell_counts[i].update(memory->cell(i).load());
  };
  BenchBlock block = BenchBlock::create(fmt::format("/{}-bench", id), spec);
  BenchHeader& h = block.header();
  BoostMutexHolder boost_mutex;
  if (target.mode == BenchMode::kBare && target.primitive == BarePrimitive::kBoostMutex) {
    bare::construct_boost_mutex(h);
    boost_mutex.header = &h;
  }

  // Declared after the objects: destroyed (killed and reaped) before they are removed.
  std::vector<sys::Child> children;
  children.reserve(config.workers);
  for (std::uint32_t i = 0; i < config.workers; ++i) {
    children.push_back(sys::Child::spawn(
        {config.self_exe, "bench-worker", "--bench", block.name(), "--index", std::to_string(i)}));
  }
  auto fail_if_any_ended = [&] {
    for (std::uint32_t i = 0; i < children.size(); ++i) {
      if (!children[i].try_wait()) continue;
      const BenchWorkerSlot& s = block.slot(i);
      const sys::ExitStatus& st = *children[i].status();
      std::string why;
      if (s.error[0] != '\0') {
        why = std::string(s.error, strnlen(s.error, sizeof(s.error)));
      } else if (st.exited) {
        why = fmt::format("exited with code {} before the end", st.code);
      } else {
        why = fmt::format("was killed by signal {} ({})", st.signal, ::strsignal(st.signal));
      }
      throw BenchMeasurementFailed(
          fmt::format("bench worker {} (PID {}): {}", i + 1, children[i].pid(), why));
    }
  };
  auto wait_signal = [&](int ms) {
    if (auto sig = signals_.wait(std::min(ms, kBenchCounterPollMs)); sig && *sig != SIGCHLD)
      throw BenchInterrupted(*sig);
    read_cells();
    fail_if_any_ended();
  };
  auto sleep_for = [&](double seconds) {
    const std::int64_t end = sys::monotonic_ns() + static_cast<std::int64_t>(seconds * 1e9);
    for (std::int64_t now = sys::monotonic_ns(); now < end; now = sys::monotonic_ns()) {
      wait_signal(static_cast<int>(std::max<std::int64_t>(1, (end - now) / 1'000'000)));
    }
  };

  const std::int64_t ready_deadline = sys::monotonic_ns() + 30'000'000'000;
  while (h.start.arrived() < config.workers) {
    wait_signal(1);
    if (sys::monotonic_ns() > ready_deadline)
      throw BenchMeasurementFailed("bench: workers did not start");
  }
  h.start.open();
  sleep_for(config.warmup_s);
  h.phase.store(BenchPhase::kMeasure, std::memory_order_release);
  sleep_for(config.duration_s);
  // A worker the scheduler kept off the CPUs for the whole window has measured nothing yet:
  // the window stays open until each has one measured batch (bounded, then it is an error).
  const std::int64_t measure_deadline =
      sys::monotonic_ns() + static_cast<std::int64_t>(config.stop_timeout_s * 1e9);
  auto all_measured = [&] {
    return std::all_of(block.slots().begin(), block.slots().end(), [](const BenchWorkerSlot& s) {
      return s.measured_one.load(std::memory_order_relaxed) != 0;
    });
  };
  while (!all_measured()) {
    if (sys::monotonic_ns() > measure_deadline) {
      throw BenchMeasurementFailed(fmt::format("bench: a worker completed no batch within {} s",
                                               config.duration_s + config.stop_timeout_s));
    }
    wait_signal(1);
  }
  h.phase.store(BenchPhase::kStop, std::memory_order_release);

  const std::int64_t stop_deadline =
      sys::monotonic_ns() + static_cast<std::int64_t>(config.stop_timeout_s * 1e9);
  auto running = [&] {
    return std::any_of(children.begin(), children.end(), [](sys::Child& c) {
      c.try_wait();
      return c.running();
    });
  };
  while (running()) {
    if (sys::monotonic_ns() > stop_deadline) {
      throw BenchMeasurementFailed(
          fmt::format("bench: workers did not stop within {} s of the end", config.stop_timeout_s));
    }
    if (auto sig = signals_.wait(5); sig && *sig != SIGCHLD) throw BenchInterrupted(*sig);
    read_cells();
  }
  read_cells();
  for (std::uint32_t i = 0; i < children.size(); ++i) {
    const sys::ExitStatus& st = *children[i].status();
    const BenchWorkerSlot& s = block.slot(i);
    if (!st.exited || st.code != kWorkerOk ||
        s.state.load(std::memory_order_acquire) != BenchWorkerState::kDone) {
      throw BenchMeasurementFailed(
          fmt::format("bench worker {} (PID {}) failed: {}", i + 1, children[i].pid(),
                      s.error[0] != '\0' ? std::string(s.error, strnlen(s.error, sizeof(s.error)))
                                         : std::string("no message")));
    }
  }

  BenchSample out;
  LatencyHistogram merged;
  std::uint64_t lock_wait_ns = 0;
  double window_ns_sum = 0;
  out.batch = block.slots().empty() ? 0 : block.slot(0).batch;
  for (const BenchWorkerSlot& s : block.slots()) {
    out.batch = std::min(out.batch, s.batch);
    out.ops_total += s.ops_total;
    out.ops_measured += s.ops_measured;
    out.retries += s.retries;
    lock_wait_ns += s.lock_wait_ns;
    merged.merge(s.latency);
    const double w = static_cast<double>(s.measure_end_ns - s.measure_start_ns);
    if (s.ops_measured != 0 && w > 0) {
      out.ops_per_s += static_cast<double>(s.ops_measured) * 1e9 / w;
      window_ns_sum += w;
    }
  }
  out.window_s = window_ns_sum / 1e9 / config.workers;
  out.p50_ns = merged.quantile(0.50);
  out.p99_ns = merged.quantile(0.99);
  if (target.has_lock() && window_ns_sum > 0) {
    out.lock_wait_share = std::min(1.0, static_cast<double>(lock_wait_ns) / window_ns_sum);
  }
  if (target.mode == BenchMode::kStrategy && target.scenario != Scenario::kCounter) {
    // The scenario's invariant, as far as totals tell: units sold that never left the stock
    // (each operation sold one: nothing is declined), or money created or destroyed.
    const std::int64_t total = region->total();
    out.final_value = total;
    if (target.scenario == Scenario::kInventory) {
      out.lost_updates = static_cast<std::int64_t>(out.ops_total) - (kBenchScenarioPlenty - total);
    } else {
      const std::int64_t initial =
          kBenchScenarioPlenty * static_cast<std::int64_t>(ScenarioParams{}.accounts);
      out.lost_updates = std::abs(total - initial) / ScenarioParams{}.amount;
    }
    return out;
  }
  if (memory != nullptr) {
    for (const WrappingCounter& c : cell_counts) out.final_value += c.total();
    out.counter_wrapped = std::any_of(cell_counts.begin(), cell_counts.end(),
                                      [](const WrappingCounter& c) { return c.wrapped(); });
  } else {
    // file and sqlite keep 64-bit counters; the bare loops' cells are 64-bit atomics.
    out.final_value =
        target.mode == BenchMode::kStrategy ? region->total() : bare_final(spec, bare_objects);
  }
  out.lost_updates = static_cast<std::int64_t>(out.ops_total) - out.final_value;
  return out;
}

}  // namespace shmlab
