// RunParams: the whole configuration of one run, as it lives in the control block so that each
// worker reads it from shared memory instead of from its command line. Trivially copyable, no
// pointers; names and validation of the enums live in their layers (region/, sync/, scenario/).
#pragma once

#include <cstdint>
#include <type_traits>

namespace shmlab {

enum class Backend : std::uint8_t { kFile, kMmap, kShm, kSqlite, kPostgres };
// The isolation level of a `transaction` on postgres (--isolation); sqlite's are serializable.
enum class Isolation : std::uint8_t { kReadCommitted, kRepeatableRead, kSerializable };
enum class Strategy : std::uint8_t {
  kNone,
  kMutex,
  kSpinlock,
  kSemaphore,
  kFlock,
  kOfd,
  kAtomic,
  kCas,
  kSharded,
  kTransaction,
  kAccountLocks,  // bank: one lock per account, taken from-then-to (deadlocks)
  kOrderedLocks,  // bank: one lock per account, taken in account order
  kLease,         // a lock that expires (--lease MS), stored with the data; --fencing adds tokens
  kForUpdate,     // postgres: SELECT … FOR UPDATE inside a transaction
  kAdvisory,      // postgres: pg_advisory_xact_lock around the transaction
};
// The scenarios (scenario/registry.cpp names them; each is one module under scenario/).
enum class Scenario : std::uint8_t { kCounter, kInventory, kBank };

// The letters of SPEC §3: one step of an operation.
enum class Step : char {
  kLock = 'L',
  kRead = 'R',
  kWrite = 'W',
  kUnlock = 'U',
  kAtomic = 'A',
  kCas = 'C',
  kVerify = 'V',
};

// The largest delay one sleep may take: a minute is already far past any useful race window.
inline constexpr std::uint32_t kMaxDelayUs = 60'000'000;

// A uniform range of microseconds, lo <= hi <= kMaxDelayUs; lo == hi is a fixed delay.
struct DelayRange {
  std::uint32_t lo_us = 0;
  std::uint32_t hi_us = 0;
  bool operator==(const DelayRange&) const = default;
};

// The seed's three sleeps: before READ, inside the window, before VERIFY.
struct DelaySpec {
  DelayRange before_read{0, 50'000};
  DelayRange window{0, 30'000};
  DelayRange before_verify{10'000, 10'000};
  bool operator==(const DelaySpec&) const = default;
};

// Where a worker is SIGKILLed (--crash W@POINT[:K]). worker == 0: no crash.
enum class CrashPoint : std::uint8_t {
  kNone,
  kBeforeLock,
  kLocked,
  kAfterRead,
  kAfterWrite,
  kBeforeUnlock,
};
struct CrashSpec {
  std::uint32_t worker = 0;  // 1-based
  CrashPoint point = CrashPoint::kNone;
  std::uint64_t op = 1;  // 1-based operation index
};

// Where worker W stops itself with SIGSTOP, and for how long the coordinator leaves it stopped
// (--pause W@POINT:MS): at the first operation that passes POINT. worker == 0: no pause.
struct PauseSpec {
  std::uint32_t worker = 0;  // 1-based
  CrashPoint point = CrashPoint::kNone;
  std::uint32_t ms = 0;
};

// The `lease` strategy (--lease MS, --fencing).
struct LeaseParams {
  std::uint32_t ms = 200;  // how long a grant lasts unless released
  bool fencing = false;    // writes carry the grant's token; the storage refuses older ones
};
inline constexpr std::uint32_t kMaxLeaseMs = 3'600'000;
inline constexpr std::uint32_t kMaxPauseMs = 3'600'000;

inline constexpr std::uint32_t kMaxWorkers = 1024;
inline constexpr std::uint64_t kMaxIncrements = 1'000'000'000;
inline constexpr std::size_t kPathMax = 256;
// Accounts of the bank scenario: each has a lock in the control block's lock table.
inline constexpr std::uint32_t kMaxAccounts = 64;
// Values of memory cells are 40-bit signed (region/memory_cells.hpp): stock and balances stay
// well inside.
inline constexpr std::int64_t kMaxCellValue = std::int64_t{1} << 36;

// The parameters of the scenarios beyond -w and -n.
struct ScenarioParams {
  std::int64_t initial = 0;     // counter: its value at the start (the other scenarios refuse it)
  std::int64_t stock = 10;      // inventory: units of the product at the start
  std::uint32_t accounts = 3;   // bank: accounts A, B, C...
  std::int64_t balance = 1000;  // bank: each account's initial balance
  std::int64_t amount = 100;    // bank: what each transfer moves
  bool auditor = false;         // bank: one more process reads every balance (read skew)
  bool operator==(const ScenarioParams&) const = default;
};

struct RunParams {
  std::uint32_t workers = 3;
  std::uint64_t increments = 5;
  Backend backend = Backend::kFile;
  Strategy strategy = Strategy::kNone;
  Scenario scenario = Scenario::kCounter;
  ScenarioParams scenario_params;
  bool scheduled = false;   // steps wait for the coordinator's grant (SPEC §3)
  bool quiet = false;       // workers log nothing
  bool color = false;       // workers colour their log lines
  bool log_stderr = false;  // log lines go to stderr (stdout carries --json)
  bool ascii = false;       // log lines in ASCII (the locale is not UTF-8)
  bool trace = true;        // workers record their steps in trace rings (off: no ring, no clock)
  DelaySpec delays;         // ignored when scheduled
  std::uint64_t log_ops = UINT64_MAX;  // each worker logs the steps of its first log_ops operations
  std::uint64_t seed = 0;              // seeds every worker's delay generator
  CrashSpec crash;
  PauseSpec pause;
  LeaseParams lease;
  // postgres `transaction`: serializable unless asked (docs/postgres.md says why).
  Isolation isolation = Isolation::kSerializable;
  char run_id[32] = {};             // "shmlab-<hex>", prefix of every object of the run
  char region_path[kPathMax] = {};  // file or shm name of the data region
};

static_assert(std::is_trivially_copyable_v<RunParams>);

// Writes one operation makes at most (a bank transfer writes two accounts): the write log keeps
// this many entries per operation.
constexpr std::uint32_t writes_per_op(const RunParams& p) {
  return p.scenario == Scenario::kBank ? 2 : 1;
}

}  // namespace shmlab
