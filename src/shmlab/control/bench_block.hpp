// BenchBlock: the shared memory of one `shmlab bench` measurement (one target, one worker count,
// one repetition): what to run, the start barrier, the phase word (warm-up → measure → stop), the
// bare loops' lock words, and one slot per worker with its counts and latency histogram.
// The bench runner creates and unlinks it; bench workers attach by name. Offsets, never pointers.
#pragma once

#include <pthread.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "shmlab/control/latency_histogram.hpp"
#include "shmlab/control/params.hpp"
#include "shmlab/control/start_barrier.hpp"
#include "shmlab/sys/shm_object.hpp"

namespace shmlab {

inline constexpr std::uint64_t kBenchMagic = 0x31424d4c4d48534bULL;  // "KSHMLMB1"
inline constexpr std::uint32_t kBenchVersion = 2;

// The bare primitives (SPEC §7): each one increments a counter with nothing of the harness around
// it, as a program written for that one primitive would.
enum class BarePrimitive : std::uint8_t {
  kPlainStore,   // load, add, store: racy (what `none` does)
  kAtomicAdd,    // one fetch_add
  kCasLoop,      // load, compare_exchange until it succeeds
  kShardedCell,  // load, add, store on the worker's own cache line
  kRobustMutex,  // process-shared robust pthread mutex around the increment
  kSpinlock,     // test-and-test-and-set around the increment
  kSemaphore,    // POSIX named semaphore around the increment
  kFlock,        // flock(2) around the increment
  kOfd,          // fcntl F_OFD_SETLKW around the increment
  kBoostMutex,   // Boost.Interprocess interprocess_mutex around the increment (the peer)
  // postgres: pgbench, PostgreSQL's own load generator, running the strategy's statements against
  // the same server (bench/pgbench_peer.hpp); no bench worker runs these.
  kPgbenchUpdate,     // UPDATE … SET value = value + 1 (atomic's statement)
  kPgbenchForUpdate,  // BEGIN; SELECT … FOR UPDATE; UPDATE …; COMMIT (for-update's)
  kPgbenchCas,  // SELECT; UPDATE … WHERE value = <read> AND write_id = <read>, retried (cas's)
  kPgbenchTransaction,  // BEGIN ISOLATION LEVEL SERIALIZABLE; SELECT; UPDATE; COMMIT, retried
  kPgbenchAdvisory,     // BEGIN; pg_advisory_xact_lock; SELECT; UPDATE; COMMIT (advisory's)
};

enum class BenchMode : std::uint8_t {
  kStrategy,  // the strategy's operation through shmlab's Region and Lock (control block attached)
  kBare,      // a bare primitive on the bench's own data
};

enum class BenchPhase : std::uint32_t { kWarmup = 0, kMeasure = 1, kStop = 2 };

enum class BenchWorkerState : std::uint32_t { kSpawned, kReady, kDone, kFailed };

struct BenchSpec {
  BenchMode mode = BenchMode::kStrategy;
  BarePrimitive primitive = BarePrimitive::kPlainStore;  // kBare
  Backend backend = Backend::kShm;                       // kBare: where the bare counter lives
  bool pin = false;                                      // worker i runs on CPU i mod ncpu
  bool pg_prepared = false;  // postgres: each statement prepared once per connection
  std::uint32_t workers = 1;
  char control_name[64] = {};     // kStrategy: the run's control block
  char data_path[kPathMax] = {};  // kBare: shm name (shm) or file path (file, mmap) of the data
  char sem_name[64] = {};         // kBare, kSemaphore: the named semaphore
};

struct alignas(64) BenchWorkerSlot {
  std::atomic<std::int32_t> pid{0};
  std::atomic<BenchWorkerState> state{BenchWorkerState::kSpawned};
  // Set once the worker has finished a batch inside the measured window: the runner does not
  // stop before every worker has one (on a loaded machine a short window may pass unnoticed).
  std::atomic<std::uint32_t> measured_one{0};
  // Written by the worker only, read by the runner after the worker has exited.
  std::uint64_t ops_total = 0;     // every operation, warm-up included (for lost updates)
  std::uint64_t ops_measured = 0;  // operations inside the measured window
  std::uint64_t retries = 0;       // in the measured window
  std::uint64_t lock_wait_ns = 0;  // estimated (sampled) time acquiring the lock, measured window
  std::int64_t measure_start_ns = 0;  // start of its first measured batch
  std::int64_t measure_end_ns = 0;    // end of its last measured batch
  std::uint64_t batch = 0;            // operations per timed batch, calibrated in the warm-up
  char error[128] = {};
  LatencyHistogram latency;  // per-operation latency, one sample per batch weighted by its size
};

struct alignas(64) BenchHeader {
  std::uint64_t magic = 0;
  std::uint32_t version = 0;
  std::uint32_t header_size = 0;
  std::uint64_t total_size = 0;
  std::int32_t owner_pid = 0;
  std::uint32_t owner_uid = 0;
  BenchSpec spec;
  std::uint64_t slots_offset = 0;

  alignas(64) StartBarrier start;
  // Read by every worker once per batch, written three times by the runner: its own line.
  alignas(64) std::atomic<BenchPhase> phase{BenchPhase::kWarmup};

  // Lock words of the bare loops.
  alignas(64) pthread_mutex_t mutex;
  alignas(64) std::atomic<std::uint32_t> spin{0};
  // Raw storage for a boost::interprocess::interprocess_mutex, constructed by the runner (the
  // control layer does not know Boost; sync/bare_primitive.hpp checks that it fits).
  alignas(64) unsigned char boost_mutex[64] = {};
};

static_assert(std::atomic<BenchPhase>::is_always_lock_free);
static_assert(std::atomic<BenchWorkerState>::is_always_lock_free);
static_assert(sizeof(BenchWorkerSlot) % 64 == 0);

// A mapped bench block. create() is the runner's (unlinked on destruction); attach() the worker's.
class BenchBlock {
 public:
  static BenchBlock create(const std::string& name, const BenchSpec& spec);
  // Validates magic, version, size and owner uid; throws std::system_error otherwise.
  static BenchBlock attach(const std::string& name);

  BenchHeader& header() const { return *static_cast<BenchHeader*>(object_.data()); }
  const BenchSpec& spec() const { return header().spec; }
  BenchWorkerSlot& slot(std::uint32_t index) const { return slots()[index]; }
  std::span<BenchWorkerSlot> slots() const;
  const std::string& name() const { return object_.name(); }

  static std::size_t size_for(std::uint32_t workers);

 private:
  explicit BenchBlock(sys::ShmObject object) : object_(std::move(object)) {}
  sys::ShmObject object_;
};

}  // namespace shmlab
