// The `sqlite` backend: the counter is row 0 of table `counter` in an SQLite database file
// created for the run in its temp dir, in WAL mode (under `sharded`, worker i owns row i). The
// coordinator's SqliteRegionStore creates the file (O_EXCL, 0600, never through a symlink) with its
// schema, and removes it with its -wal and -shm companions; each worker opens its own connection
// (SqliteRegion) with a busy timeout. A statement that stays SQLITE_BUSY past the busy timeout is
// retried a bounded number of times (counted in busy_retries()); after that it is an error, never a
// skipped increment.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>
#include <utility>

#include "shmlab/region/region.hpp"
#include "shmlab/sys/unique_fd.hpp"

namespace shmlab {

// PRAGMA application_id of a shmlab database ("shml"), and its schema version (user_version).
inline constexpr std::int32_t kSqliteApplicationId = 0x73686d6c;
inline constexpr std::int32_t kSqliteSchemaVersion = 3;

struct SqliteOptions {
  int busy_timeout_ms = 2000;  // how long one statement waits for the write lock
  int max_busy_retries = 10;   // then it is retried this many times before it is an error
};

class SqliteRegionStore final : public RegionStore {
 public:
  SqliteRegionStore(std::string path, std::uint32_t cells);
  ~SqliteRegionStore() override { remove(); }
  SqliteRegionStore(const SqliteRegionStore&) = delete;
  SqliteRegionStore& operator=(const SqliteRegionStore&) = delete;
  void keep() noexcept override { created_ = false; }
  // Unlinks the database and the -wal, -shm and -journal files SQLite made beside it.
  void remove() noexcept override;

 private:
  std::string path_;
  bool created_ = false;
};

class SqliteRegion final : public Region {
 public:
  // Opens an existing shmlab database (no symlinks, caller's uid, shmlab's application_id).
  SqliteRegion(const std::string& path, std::uint32_t cells, const SqliteOptions& options = {});
  ~SqliteRegion() override;
  SqliteRegion(const SqliteRegion&) = delete;
  SqliteRegion& operator=(const SqliteRegion&) = delete;

  CounterRecord read() override { return read_cell(0); }
  void write(const CounterRecord& record) override { write_cell(0, record); }
  CounterRecord read_cell(std::uint32_t cell) override;
  void write_cell(std::uint32_t cell, const CounterRecord& record) override;
  std::optional<std::uint64_t> exchange_cell(std::uint32_t cell,
                                             const CounterRecord& record) override;
  std::int64_t total() override;
  int lock_fd() const override { return lock_fd_.get(); }
  CounterRecord fetch_add(std::uint32_t writer, std::int64_t timestamp_ms) override;
  bool compare_exchange(const CounterRecord& expected, const CounterRecord& desired) override;
  std::optional<CounterRecord> fetch_add_cell(std::uint32_t cell, std::int64_t delta,
                                              std::optional<std::int64_t> floor,
                                              std::uint32_t writer,
                                              std::int64_t timestamp_ms) override;
  bool compare_exchange_cell(std::uint32_t cell, const CounterRecord& expected,
                             const CounterRecord& desired) override;
  std::optional<LeaseGrant> take_lease(std::uint32_t holder, std::int64_t now_ms,
                                       std::uint32_t ttl_ms) override;
  bool release_lease(std::uint32_t holder, std::uint64_t token) override;
  FencedWrite exchange_cell_fenced(std::uint32_t cell, const CounterRecord& record,
                                   std::uint64_t token) override;
  bool begin_immediate() override;
  bool commit() override;
  void rollback() noexcept override;

 private:
  struct Statements;
  // Runs `stmt` to completion, retrying SQLITE_BUSY up to max_busy_retries; throws on errors.
  void run(sqlite3_stmt* stmt, const char* what);
  // One step for a transaction statement: false on SQLITE_BUSY (the caller decides), else done.
  bool try_run(sqlite3_stmt* stmt, const char* what);
  // Runs an UPDATE … RETURNING (or a SELECT) to completion, retrying SQLITE_BUSY as run() does;
  // its first row's first two columns, nullopt when it returned no row.
  std::optional<std::pair<std::int64_t, std::int64_t>> returning(sqlite3_stmt* stmt,
                                                                 const char* what);
  std::pair<std::uint32_t, std::int64_t> count_and_sum();

  std::string path_;
  SqliteOptions options_;
  std::uint32_t cells_;
  sys::UniqueFd lock_fd_;
  sqlite3* db_ = nullptr;
  std::unique_ptr<Statements> st_;
};

std::unique_ptr<Region> attach_sqlite_region(const RunParams& params);

}  // namespace shmlab
