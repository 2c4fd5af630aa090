// Region: where the shared data lives, as seen by one process. The coordinator holds a
// RegionStore, which creates the storage exclusively (O_EXCL, 0600), writes the initial record
// and removes the storage when it goes (unless kept); each worker attaches a Region by the
// name in RunParams::region_path. Backends: file (the seed), mmap, shm (memory_cells.hpp),
// sqlite and postgres (pg_region.hpp). The operations beyond read/write exist where the backend can
// do them (sync/strategy.cpp `fits` refuses the other pairs before anything is created); elsewhere
// they throw logic_error.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shmlab/control/params.hpp"
#include "shmlab/region/record.hpp"

namespace shmlab {

struct PgTcpAccess;  // region/pg_region.hpp

// A byte range of the region's file, for the `ofd` lock.
struct ByteRange {
  std::int64_t start = 0;
  std::int64_t length = 0;
};

// `lease`: a grant of the lease record stored with the data (docs/lease.md).
struct LeaseGrant {
  std::uint64_t token = 0;           // grows with every grant: the fencing token
  std::uint32_t expired_holder = 0;  // a worker whose lease had expired and was taken over; 0: none
};

// A write that carries a fencing token: refused (nothing written) when the storage has granted a
// newer token than the writer's.
struct FencedWrite {
  bool written = false;
  std::optional<std::uint64_t> replaced;  // as exchange_cell's, when written
  std::uint64_t newest_token = 0;         // when refused: the token that fenced the write out
};

class Region {
 public:
  virtual ~Region() = default;
  // READ: one whole record; never torn (a torn read is retried and counted in torn_reads()).
  virtual CounterRecord read() = 0;
  // WRITE: the whole record at once.
  virtual void write(const CounterRecord& record) = 0;
  // WRITE that also says which record it replaced, where the backend can tell in the same
  // indivisible step (mmap/shm: an exchange of the word; sqlite: the UPDATE keeps the old id):
  // the id of the replaced record; nullopt where it cannot (file: pwrite says nothing).
  virtual std::optional<std::uint64_t> exchange_cell(std::uint32_t cell,
                                                     const CounterRecord& record);
  // The descriptor flock/ofd strategies lock, for file-backed regions; -1 if none.
  virtual int lock_fd() const { return -1; }
  // The bytes of the shared record in that file, which `ofd` locks.
  virtual ByteRange record_bytes() const { return {0, 1}; }
  // The counter's value for the final report (a sharded region sums its cells).
  virtual std::int64_t total() { return read().counter; }

  // `sharded`: worker i's own cell (cell 0 is also the shared record).
  virtual CounterRecord read_cell(std::uint32_t cell);
  virtual void write_cell(std::uint32_t cell, const CounterRecord& record);
  // `atomic`: one indivisible increment; returns the record it replaced. The new record carries
  // write id 0: an atomic increment cannot also name itself, so it is not attributed.
  virtual CounterRecord fetch_add(std::uint32_t writer, std::int64_t timestamp_ms);
  // `cas`: replaces the record with `desired` only if it still is `expected` (value and write id).
  virtual bool compare_exchange(const CounterRecord& expected, const CounterRecord& desired);
  // `atomic` of any scenario: adds `delta` to `cell` in one indivisible step, unless the result
  // would fall below `floor` (a conditional decrement); returns the record it replaced, nullopt
  // when refused. The new record carries write id 0, as fetch_add's.
  virtual std::optional<CounterRecord> fetch_add_cell(std::uint32_t cell, std::int64_t delta,
                                                      std::optional<std::int64_t> floor,
                                                      std::uint32_t writer,
                                                      std::int64_t timestamp_ms);
  // `cas` of any single-cell scenario: compare_exchange on `cell`.
  virtual bool compare_exchange_cell(std::uint32_t cell, const CounterRecord& expected,
                                     const CounterRecord& desired);
  // Every cell of the scenario (region_cells), in order.
  std::vector<CounterRecord> read_all(std::uint32_t cells);
  // `transaction`: BEGIN IMMEDIATE / COMMIT; false when the database stayed busy past its busy
  // timeout (the caller retries, bounded). rollback() never throws.
  virtual bool begin_immediate();
  virtual bool commit();
  virtual void rollback() noexcept {}
  // A server's transaction (postgres): the SQLSTATE with which the server aborted the open
  // transaction at one of its statements (40001, 40P01); its statements since did nothing, and
  // commit() will roll it back. Empty while it is not aborted, and on every other backend.
  virtual std::string_view aborted_by() const { return {}; }
  // The SQLSTATE of the last transaction the server aborted, at a statement or at COMMIT.
  virtual std::string_view last_abort() const { return {}; }
  // `lease` (mmap, shm, sqlite): takes the lease for worker `holder` (1-based) for `ttl_ms` from
  // `now_ms` (CLOCK_MONOTONIC) in one atomic step of the storage, if nobody holds it or the
  // holder's lease has expired; nullopt while another's lease runs.
  virtual std::optional<LeaseGrant> take_lease(std::uint32_t holder, std::int64_t now_ms,
                                               std::uint32_t ttl_ms);
  // Releases it if it still is `holder`'s grant `token`; false when it was taken over meanwhile.
  virtual bool release_lease(std::uint32_t holder, std::uint64_t token);
  // exchange_cell, only if no grant newer than `token` was made: the check and the write are one
  // step (a claim of the lease word; one conditional UPDATE).
  virtual FencedWrite exchange_cell_fenced(std::uint32_t cell, const CounterRecord& record,
                                           std::uint64_t token);
  std::uint64_t torn_reads() const { return torn_reads_; }
  // Statements redone because the backend was busy (sqlite), since this view was opened.
  std::uint64_t busy_retries() const { return busy_retries_; }

 protected:
  std::uint64_t torn_reads_ = 0;
  std::uint64_t busy_retries_ = 0;
};

class RegionStore {
 public:
  virtual ~RegionStore() = default;
  // Leaves the storage in place after this object goes (--keep).
  virtual void keep() noexcept = 0;
  // Removes the storage now (idempotent, never throws).
  virtual void remove() noexcept = 0;
  // A line for the run's log about what creating the storage took (postgres: the server's
  // start-up); "" when there is nothing to say.
  virtual std::string note() const { return {}; }
  // Whether worker `worker` (0-based) waits in the database server for a lock another
  // transaction holds (postgres: pg_stat_activity says so of its session); false where there is
  // no server.
  virtual bool waits_for_lock(std::uint32_t /*worker*/) { return false; }
};

// Cells of a run's region, as its scenario declares them (scenario/registry.hpp): the counter has
// one (one per worker under `sharded`), inventory one (the stock), bank one per account.
std::uint32_t region_cells(const RunParams& params);
// Cache lines of an mmap/shm region: at least one per worker, so that a sharded counter and any
// other run of the same workers share one layout.
std::uint32_t memory_cells(const RunParams& params);

// Creates the storage of params.backend named after params.run_id in `dir` (for file-based
// backends; postgres: a throwaway server's directory goes beside `dir`, in its parent, unless
// params.region_path holds "dsn:…" from --dsn), writes each cell's initial record (the scenario's
// initial value), and fills params.region_path. `tcp` (postgres, --hosts): the throwaway server
// also listens there, and region_path reaches it over TCP.
std::unique_ptr<RegionStore> create_region(RunParams& params, const std::string& dir,
                                           const PgTcpAccess* tcp = nullptr);
// Attaches to the storage named in params.region_path. `worker` (0-based): the view is that
// worker's (postgres: its server session is named after it, worker_session_name).
std::unique_ptr<Region> attach_region(const RunParams& params,
                                      std::optional<std::uint32_t> worker = std::nullopt);

}  // namespace shmlab
