// The bare primitives of `shmlab bench` (SPEC §7): one increment of a shared counter guarded by one
// primitive, written as a program made for that primitive alone would write it — no Region, no
// Lock interface, no step context. Header-only so that each loop inlines its increment; the
// guards and data places are plain structs over memory and descriptors that others own.
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <string_view>

#include "shmlab/control/bench_block.hpp"
#include "shmlab/region/record.hpp"
#include "shmlab/sync/spin_lock.hpp"
#include "shmlab/sys/syscall.hpp"

// The Boost.Interprocess peer is built when CMake found Boost's headers (libboost-dev): every test
// and bench build requires them; `make demo` does without (155 MB and 15,500 files to unpack on a
// fresh machine, for one bench row).
#if SHMLAB_HAVE_BOOST
#include <boost/interprocess/sync/interprocess_mutex.hpp>
#else
#include <stdexcept>
#endif

namespace shmlab::bare {

#if SHMLAB_HAVE_BOOST
inline constexpr bool kBoostPeerBuilt = true;
using BoostMutex = boost::interprocess::interprocess_mutex;
static_assert(sizeof(BoostMutex) <= sizeof(BenchHeader::boost_mutex));
static_assert(alignof(BoostMutex) <= 64);
inline BoostMutex* boost_mutex_in(BenchHeader& h) {
  return reinterpret_cast<BoostMutex*>(h.boost_mutex);
}
inline void construct_boost_mutex(BenchHeader& h) { new (h.boost_mutex) BoostMutex(); }
inline void destroy_boost_mutex(BenchHeader& h) { boost_mutex_in(h)->~BoostMutex(); }
#else
inline constexpr bool kBoostPeerBuilt = false;
struct BoostMutex {  // never constructed: the bench plans no Boost row in such a build
  void lock() {}
  void unlock() {}
};
inline BoostMutex* boost_mutex_in(BenchHeader&) {
  throw std::logic_error("this shmlab was built without Boost's headers: no Boost peer");
}
inline void construct_boost_mutex(BenchHeader& h) { boost_mutex_in(h); }
inline void destroy_boost_mutex(BenchHeader&) {}
#endif

std::string_view primitive_name(BarePrimitive p);
// Whether the primitive needs the counter in memory (no atomic read-modify-write of a file).
bool needs_memory(BarePrimitive p);
// Whether it is a lock around the increment (its wait is measured).
bool is_lock(BarePrimitive p);
// Whether it is another program's or library's (Boost, pgbench), not a bare loop of ours.
bool is_peer(BarePrimitive p);
// Whether pgbench runs it (postgres), not a bench worker.
bool is_pgbench(BarePrimitive p);

// --- where the counter lives -------------------------------------------------------------------

// A counter in a shared mapping (mmap or shm), one cache line per cell.
struct Memory {
  std::atomic<std::int64_t>* cell;   // the shared counter
  std::atomic<std::int64_t>* shard;  // this worker's own cell (sharded)

  // Relaxed load and store: the increment is plain; a guard, if any, orders it.
  void increment() const {
    cell->store(cell->load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
};

// The seed's record slot in a file: pread, decode, +1, encode, pwrite (what FileRegion does).
// Slot 0 is the shared counter; a sharded loop's worker i owns slot i + 1.
struct File {
  int fd;
  off_t offset = 0;

  void increment() const {
    RecordSlot slot;
    for (;;) {
      const ssize_t n =
          sys::retry_eintr([&] { return ::pread(fd, slot.data(), slot.size(), offset); });
      if (n == -1) sys::throw_errno("pread(bare file)", errno);
      if (static_cast<std::size_t>(n) != slot.size()) continue;
      if (auto r = decode_record(slot)) {
        ++r->counter;
        const RecordSlot out = encode_record(*r);
        if (sys::retry_eintr([&] { return ::pwrite(fd, out.data(), out.size(), offset); }) == -1)
          sys::throw_errno("pwrite(bare file)", errno);
        return;
      }
    }
  }
};

// --- what guards it ----------------------------------------------------------------------------

struct NoGuard {
  void lock() const {}
  void unlock() const {}
};

struct RobustMutexGuard {
  pthread_mutex_t* mutex;
  void lock() const {
    const int err = ::pthread_mutex_lock(mutex);
    if (err == EOWNERDEAD) {
      ::pthread_mutex_consistent(mutex);
    } else if (err != 0) {
      sys::throw_errno("pthread_mutex_lock(bare)", err);
    }
  }
  void unlock() const { ::pthread_mutex_unlock(mutex); }
};

// A spin lock on the bench block's word, with the same acquisition and waiting policy as the
// `spinlock` strategy (spin_acquire): exchange, then `pause` on a plain load, then yield.
struct SpinGuard {
  std::atomic<std::uint32_t>* word;
  void lock() const { spin_acquire(*word); }
  void unlock() const { word->store(0, std::memory_order_release); }
};

struct SemaphoreGuard {
  sem_t* sem;
  void lock() const {
    if (sys::retry_eintr([&] { return ::sem_wait(sem); }) == -1)
      sys::throw_errno("sem_wait(bare)", errno);
  }
  void unlock() const { ::sem_post(sem); }
};

struct FlockGuard {
  int fd;
  void lock() const {
    if (sys::retry_eintr([&] { return ::flock(fd, LOCK_EX); }) == -1)
      sys::throw_errno("flock(bare)", errno);
  }
  void unlock() const { ::flock(fd, LOCK_UN); }
};

struct OfdGuard {
  int fd;
  void set(short type, int cmd) const {
    struct flock fl {};
    fl.l_type = type;
    fl.l_whence = SEEK_SET;
    fl.l_start = 0;
    fl.l_len = 1;
    if (sys::retry_eintr([&] { return ::fcntl(fd, cmd, &fl); }) == -1)
      sys::throw_errno("fcntl(bare, F_OFD_SETLK)", errno);
  }
  void lock() const { set(F_WRLCK, F_OFD_SETLKW); }
  void unlock() const { set(F_UNLCK, F_OFD_SETLK); }
};

struct BoostMutexGuard {
  BoostMutex* mutex;
  void lock() const { mutex->lock(); }
  void unlock() const { mutex->unlock(); }
};

// --- the lock-free ones ------------------------------------------------------------------------

// Relaxed: a counter orders nothing else, and on x86 every read-modify-write is a full barrier.
inline void atomic_add(const Memory& m) { m.cell->fetch_add(1, std::memory_order_relaxed); }

// Returns the failed attempts (retries).
inline std::uint64_t cas_increment(const Memory& m) {
  std::uint64_t retries = 0;
  std::int64_t v = m.cell->load(std::memory_order_relaxed);
  while (!m.cell->compare_exchange_weak(v, v + 1, std::memory_order_acq_rel,
                                        std::memory_order_relaxed)) {
    ++retries;
  }
  return retries;
}

inline void sharded_increment(const Memory& m) {
  m.shard->store(m.shard->load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

}  // namespace shmlab::bare
