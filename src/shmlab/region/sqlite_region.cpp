#include "shmlab/region/sqlite_region.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>
#include <system_error>

#include "shmlab/sys/clock.hpp"
#include "shmlab/sys/syscall.hpp"
#include "shmlab/sys/unique_fd.hpp"

namespace shmlab {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE counter("
    " id INTEGER PRIMARY KEY CHECK (id >= 0),"
    " value INTEGER NOT NULL,"
    " last_writer INTEGER NOT NULL,"
    " timestamp_ms INTEGER NOT NULL,"
    " write_id INTEGER NOT NULL,"
    " replaced_id INTEGER NOT NULL DEFAULT 0);"
    // `lease`: one row, the lease stored with the data (docs/lease.md); token grows per grant.
    "CREATE TABLE lease("
    " id INTEGER PRIMARY KEY CHECK (id = 0),"
    " holder INTEGER NOT NULL,"
    " expires_ms INTEGER NOT NULL,"
    " token INTEGER NOT NULL,"
    " taken_from INTEGER NOT NULL);"
    "INSERT INTO lease VALUES (0, 0, 0, 0, 0)";

int errno_for(int sqlite_code) {
  switch (sqlite_code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return EBUSY;
    case SQLITE_FULL:
      return ENOSPC;
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return EACCES;
    case SQLITE_CANTOPEN:
      return ENOENT;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_SCHEMA:
    case SQLITE_ERROR:
      return EINVAL;
    case SQLITE_NOMEM:
      return ENOMEM;
    default:
      return EIO;
  }
}

[[noreturn]] void fail(sqlite3* db, int code, std::string_view what, const std::string& path) {
  const char* msg = db != nullptr ? ::sqlite3_errmsg(db) : ::sqlite3_errstr(code);
  throw std::system_error(errno_for(code), std::generic_category(),
                          fmt::format("{} on \"{}\": {}", what, path, msg));
}

// Opens a connection; SQLITE_OPEN_NOFOLLOW refuses a symlinked path.
sqlite3* open_db(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = ::sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX,
      nullptr);
  if (rc != SQLITE_OK) {
    const std::string msg = db != nullptr ? ::sqlite3_errmsg(db) : ::sqlite3_errstr(rc);
    ::sqlite3_close_v2(db);
    throw std::system_error(errno_for(rc), std::generic_category(),
                            fmt::format("sqlite3_open_v2(\"{}\"): {}", path, msg));
  }
  ::sqlite3_extended_result_codes(db, 1);
  return db;
}

void exec(sqlite3* db, const char* sql, const std::string& path) {
  const int rc = ::sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) fail(db, rc, fmt::format("sqlite3_exec(\"{}\")", sql), path);
}

std::int64_t pragma_int(sqlite3* db, const char* sql, const std::string& path) {
  sqlite3_stmt* stmt = nullptr;
  int rc = ::sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
  if (rc != SQLITE_OK) fail(db, rc, sql, path);
  rc = ::sqlite3_step(stmt);
  const std::int64_t v = rc == SQLITE_ROW ? ::sqlite3_column_int64(stmt, 0) : 0;
  ::sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW) fail(db, rc, sql, path);
  return v;
}

std::string pragma_text(sqlite3* db, const char* sql, const std::string& path) {
  sqlite3_stmt* stmt = nullptr;
  int rc = ::sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
  if (rc != SQLITE_OK) fail(db, rc, sql, path);
  rc = ::sqlite3_step(stmt);
  const unsigned char* text = rc == SQLITE_ROW ? ::sqlite3_column_text(stmt, 0) : nullptr;
  std::string v = text != nullptr ? reinterpret_cast<const char*>(text) : "";
  ::sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW) fail(db, rc, sql, path);
  return v;
}

// The file at `path` must be a regular file of ours (lstat: a symlink is refused, not followed).
void check_file(const std::string& path) {
  struct stat st {};
  sys::check(sys::call_name("lstat", path), [&] { return ::lstat(path.c_str(), &st); });
  if (!S_ISREG(st.st_mode))
    sys::throw_errno(sys::call_name("open", path) + ": not a regular file", EINVAL);
  if (st.st_uid != ::getuid()) {
    sys::throw_errno(fmt::format("{}: owned by uid {}, not {}", sys::call_name("open", path),
                                 st.st_uid, ::getuid()),
                     EPERM);
  }
}

}  // namespace

struct SqliteRegion::Statements {
  sqlite3_stmt* select = nullptr;
  sqlite3_stmt* update = nullptr;
  sqlite3_stmt* add = nullptr;
  sqlite3_stmt* add_cell = nullptr;
  sqlite3_stmt* cas = nullptr;
  sqlite3_stmt* begin = nullptr;
  sqlite3_stmt* commit = nullptr;
  sqlite3_stmt* rollback = nullptr;
  sqlite3_stmt* sum = nullptr;
  sqlite3_stmt* lease_take = nullptr;
  sqlite3_stmt* lease_release = nullptr;
  sqlite3_stmt* fenced_update = nullptr;
  sqlite3_stmt* lease_token = nullptr;
  ~Statements() {
    for (sqlite3_stmt* s : {select, update, add, add_cell, cas, begin, commit, rollback, sum,
                            lease_take, lease_release, fenced_update, lease_token})
      ::sqlite3_finalize(s);
  }
};

SqliteRegionStore::SqliteRegionStore(std::string path, std::uint32_t cells)
    : path_(std::move(path)) {
  // An empty file is an empty database: create it ourselves so that it is exclusive and 0600
  // (SQLite gives its -wal and -shm files the database file's mode).
  sys::UniqueFd fd(sys::check(sys::call_name("open", path_), [&] {
    return ::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  }));
  created_ = true;
  fd.reset();
  sqlite3* db = nullptr;
  try {
    db = open_db(path_);
    exec(db, fmt::format("PRAGMA application_id = {}", kSqliteApplicationId).c_str(), path_);
    exec(db, fmt::format("PRAGMA user_version = {}", kSqliteSchemaVersion).c_str(), path_);
    // WAL: readers never block the writer; the mode is stored in the file for every connection.
    if (pragma_text(db, "PRAGMA journal_mode = WAL", path_) != "wal") {
      sys::throw_errno(sys::call_name("PRAGMA journal_mode = WAL", path_) + ": refused", EINVAL);
    }
    exec(db, kSchema, path_);
    const std::int64_t now = sys::realtime_ms();
    exec(db, "BEGIN", path_);
    for (std::uint32_t i = 0; i < cells; ++i) {
      exec(db, fmt::format("INSERT INTO counter VALUES ({}, 0, 0, {}, 0, 0)", i, now).c_str(),
           path_);
    }
    exec(db, "COMMIT", path_);
    ::sqlite3_close_v2(db);
  } catch (...) {
    ::sqlite3_close_v2(db);
    remove();  // roll back the half-built database
    throw;
  }
}

void SqliteRegionStore::remove() noexcept {
  if (!created_) return;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    ::unlink((path_ + suffix).c_str());
  }
  created_ = false;
}

SqliteRegion::SqliteRegion(const std::string& path, std::uint32_t cells,
                           const SqliteOptions& options)
    : path_(path), options_(options), cells_(cells) {
  check_file(path_);
  // A descriptor of our own for flock/ofd: SQLite's POSIX locks live on its own descriptors, and
  // ours is closed only after SQLite's connection (closing it earlier would drop SQLite's locks).
  lock_fd_ = sys::UniqueFd(sys::check(sys::call_name("open", path_), [&] {
    return ::open(path_.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  }));
  db_ = open_db(path_);
  try {
    if (pragma_int(db_, "PRAGMA application_id", path_) != kSqliteApplicationId) {
      sys::throw_errno(sys::call_name("open", path_) + ": not a shmlab database (application_id)",
                       EINVAL);
    }
    if (const auto v = pragma_int(db_, "PRAGMA user_version", path_); v != kSqliteSchemaVersion) {
      sys::throw_errno(fmt::format("{}: schema version {} (this shmlab reads {})",
                                   sys::call_name("open", path_), v, kSqliteSchemaVersion),
                       EINVAL);
    }
    ::sqlite3_busy_timeout(db_, options_.busy_timeout_ms);
    // WAL without an fsync per commit (only at checkpoints): the lab's data lives for one run, and
    // an fsync per increment would measure the disk, not the synchronisation.
    exec(db_, "PRAGMA synchronous = NORMAL", path_);
    st_ = std::make_unique<Statements>();
    auto prepare = [this](const char* sql, sqlite3_stmt** out) {
      const int rc = ::sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, out, nullptr);
      if (rc != SQLITE_OK) fail(db_, rc, fmt::format("sqlite3_prepare(\"{}\")", sql), path_);
    };
    prepare("SELECT value, last_writer, timestamp_ms, write_id FROM counter WHERE id = ?1",
            &st_->select);
    prepare(
        // SET's right-hand sides see the row as it was: replaced_id gets the id this write erased,
        // in the same statement (SQLite 3.35+ for RETURNING; Debian 12 has 3.40).
        "UPDATE counter SET value = ?1, last_writer = ?2, timestamp_ms = ?3,"
        " replaced_id = write_id, write_id = ?4 WHERE id = ?5 RETURNING replaced_id",
        &st_->update);
    prepare("SELECT COUNT(*), TOTAL(value) FROM counter", &st_->sum);
    prepare(
        "UPDATE counter SET value = value + 1, last_writer = ?1, timestamp_ms = ?2,"
        " write_id = 0 WHERE id = 0 RETURNING value - 1, write_id",
        &st_->add);
    prepare(
        "UPDATE counter SET value = ?1, last_writer = ?2, timestamp_ms = ?3, write_id = ?4"
        " WHERE id = ?7 AND value = ?5 AND write_id = ?6",
        &st_->cas);
    prepare(
        "UPDATE counter SET value = value + ?1, last_writer = ?2, timestamp_ms = ?3,"
        " write_id = 0 WHERE id = ?4 AND (?5 IS NULL OR value + ?1 >= ?5)"
        " RETURNING value - ?1, write_id",
        &st_->add_cell);
    // SET's right-hand sides see the row before: taken_from keeps the holder whose lease expired.
    prepare(
        "UPDATE lease SET taken_from = holder, holder = ?1, expires_ms = ?2 + ?3,"
        " token = token + 1 WHERE id = 0 AND (holder = 0 OR expires_ms <= ?2)"
        " RETURNING token, taken_from",
        &st_->lease_take);
    prepare("UPDATE lease SET holder = 0 WHERE id = 0 AND holder = ?1 AND token = ?2",
            &st_->lease_release);
    // The fencing check and the write in one statement: refused while a newer grant exists.
    prepare(
        "UPDATE counter SET value = ?1, last_writer = ?2, timestamp_ms = ?3,"
        " replaced_id = write_id, write_id = ?4"
        " WHERE id = ?5 AND (SELECT token FROM lease WHERE id = 0) <= ?6 RETURNING replaced_id",
        &st_->fenced_update);
    prepare("SELECT token FROM lease WHERE id = 0", &st_->lease_token);
    prepare("BEGIN IMMEDIATE", &st_->begin);
    prepare("COMMIT", &st_->commit);
    prepare("ROLLBACK", &st_->rollback);
    if (count_and_sum().first != cells_) {
      sys::throw_errno(sys::call_name("open", path_) + ": the database does not match the run",
                       EINVAL);
    }
  } catch (...) {
    st_.reset();
    ::sqlite3_close_v2(db_);
    throw;
  }
}

SqliteRegion::~SqliteRegion() {
  st_.reset();
  // An open transaction (a worker stopped mid-increment) is rolled back by the close.
  ::sqlite3_close_v2(db_);
  lock_fd_.reset();  // only now: see the constructor
}

std::pair<std::uint32_t, std::int64_t> SqliteRegion::count_and_sum() {
  sqlite3_stmt* s = st_->sum;
  for (int attempt = 0;; ++attempt) {
    const int rc = ::sqlite3_step(s);
    if (rc == SQLITE_ROW) {
      const auto count = static_cast<std::uint32_t>(::sqlite3_column_int64(s, 0));
      const auto sum = static_cast<std::int64_t>(::sqlite3_column_double(s, 1));
      ::sqlite3_reset(s);
      return {count, sum};
    }
    ::sqlite3_reset(s);
    if ((rc & 0xff) != SQLITE_BUSY || attempt == options_.max_busy_retries) {
      fail(db_, rc, "SELECT COUNT(*), TOTAL(value)", path_);
    }
    ++busy_retries_;
  }
}

std::int64_t SqliteRegion::total() { return count_and_sum().second; }

bool SqliteRegion::try_run(sqlite3_stmt* stmt, const char* what) {
  int rc = ::sqlite3_step(stmt);
  while (rc == SQLITE_ROW) rc = ::sqlite3_step(stmt);
  ::sqlite3_reset(stmt);
  if (rc == SQLITE_DONE) return true;
  if ((rc & 0xff) == SQLITE_BUSY) return false;
  fail(db_, rc, what, path_);
}

void SqliteRegion::run(sqlite3_stmt* stmt, const char* what) {
  for (int attempt = 0;; ++attempt) {
    if (try_run(stmt, what)) return;
    if (attempt == options_.max_busy_retries) {
      throw std::system_error(
          EBUSY, std::generic_category(),
          fmt::format("{} on \"{}\": database still busy after {} tries of {} ms", what, path_,
                      attempt + 1, options_.busy_timeout_ms));
    }
    ++busy_retries_;
  }
}

CounterRecord SqliteRegion::read_cell(std::uint32_t cell) {
  if (cell >= cells_) throw std::out_of_range(fmt::format("region row {} of {}", cell, cells_));
  sqlite3_stmt* s = st_->select;
  ::sqlite3_bind_int64(s, 1, cell);
  for (int attempt = 0;; ++attempt) {
    const int rc = ::sqlite3_step(s);
    if (rc == SQLITE_ROW) {
      CounterRecord r;
      r.counter = ::sqlite3_column_int64(s, 0);
      r.last_writer = static_cast<std::uint32_t>(::sqlite3_column_int64(s, 1));
      r.timestamp_ms = ::sqlite3_column_int64(s, 2);
      r.write_id = static_cast<std::uint64_t>(::sqlite3_column_int64(s, 3));
      ::sqlite3_reset(s);
      return r;
    }
    ::sqlite3_reset(s);
    if ((rc & 0xff) != SQLITE_BUSY || attempt == options_.max_busy_retries) {
      if (rc == SQLITE_DONE) {
        sys::throw_errno(sys::call_name("SELECT", path_) + ": the counter row is missing", EINVAL);
      }
      fail(db_, rc, "SELECT counter", path_);
    }
    ++busy_retries_;
  }
}

void SqliteRegion::write_cell(std::uint32_t cell, const CounterRecord& r) {
  exchange_cell(cell, r);
}

std::optional<std::uint64_t> SqliteRegion::exchange_cell(std::uint32_t cell,
                                                         const CounterRecord& r) {
  if (cell >= cells_) throw std::out_of_range(fmt::format("region row {} of {}", cell, cells_));
  sqlite3_stmt* s = st_->update;
  ::sqlite3_bind_int64(s, 5, cell);
  ::sqlite3_bind_int64(s, 1, r.counter);
  ::sqlite3_bind_int64(s, 2, r.last_writer);
  ::sqlite3_bind_int64(s, 3, r.timestamp_ms);
  ::sqlite3_bind_int64(s, 4, static_cast<std::int64_t>(r.write_id));
  for (int attempt = 0;; ++attempt) {
    int rc = ::sqlite3_step(s);
    std::optional<std::uint64_t> replaced;
    if (rc == SQLITE_ROW) {
      replaced = static_cast<std::uint64_t>(::sqlite3_column_int64(s, 0));
      rc = ::sqlite3_step(s);
    }
    ::sqlite3_reset(s);
    if (rc == SQLITE_DONE) {
      if (!replaced) {
        sys::throw_errno(sys::call_name("UPDATE", path_) + ": the counter row is missing", EINVAL);
      }
      return *replaced;
    }
    if ((rc & 0xff) != SQLITE_BUSY || attempt == options_.max_busy_retries) {
      fail(db_, rc, "UPDATE counter", path_);
    }
    ++busy_retries_;
  }
}

CounterRecord SqliteRegion::fetch_add(std::uint32_t writer, std::int64_t timestamp_ms) {
  sqlite3_stmt* s = st_->add;
  ::sqlite3_bind_int64(s, 1, writer);
  ::sqlite3_bind_int64(s, 2, timestamp_ms);
  for (int attempt = 0;; ++attempt) {
    // The change happens on the first step (it returns the RETURNING row); finish it before reset.
    int rc = ::sqlite3_step(s);
    CounterRecord old;
    if (rc == SQLITE_ROW) {
      old.counter = ::sqlite3_column_int64(s, 0);
      rc = ::sqlite3_step(s);
    }
    ::sqlite3_reset(s);
    if (rc == SQLITE_DONE) return old;
    if ((rc & 0xff) != SQLITE_BUSY || attempt == options_.max_busy_retries) {
      fail(db_, rc, "UPDATE counter SET value = value + 1", path_);
    }
    ++busy_retries_;
  }
}

bool SqliteRegion::compare_exchange(const CounterRecord& expected, const CounterRecord& desired) {
  return compare_exchange_cell(0, expected, desired);
}

std::optional<CounterRecord> SqliteRegion::fetch_add_cell(std::uint32_t cell, std::int64_t delta,
                                                          std::optional<std::int64_t> floor,
                                                          std::uint32_t writer,
                                                          std::int64_t timestamp_ms) {
  if (cell >= cells_) throw std::out_of_range(fmt::format("region row {} of {}", cell, cells_));
  sqlite3_stmt* s = st_->add_cell;
  ::sqlite3_bind_int64(s, 1, delta);
  ::sqlite3_bind_int64(s, 2, writer);
  ::sqlite3_bind_int64(s, 3, timestamp_ms);
  ::sqlite3_bind_int64(s, 4, cell);
  if (floor) {
    ::sqlite3_bind_int64(s, 5, *floor);
  } else {
    ::sqlite3_bind_null(s, 5);
  }
  for (int attempt = 0;; ++attempt) {
    int rc = ::sqlite3_step(s);
    std::optional<CounterRecord> old;
    if (rc == SQLITE_ROW) {
      old = CounterRecord{};
      old->counter = ::sqlite3_column_int64(s, 0);
      rc = ::sqlite3_step(s);
    }
    ::sqlite3_reset(s);
    if (rc == SQLITE_DONE) return old;  // no row: the floor refused it
    if ((rc & 0xff) != SQLITE_BUSY || attempt == options_.max_busy_retries) {
      fail(db_, rc, "UPDATE counter SET value = value + ?", path_);
    }
    ++busy_retries_;
  }
}

bool SqliteRegion::compare_exchange_cell(std::uint32_t cell, const CounterRecord& expected,
                                         const CounterRecord& desired) {
  if (cell >= cells_) throw std::out_of_range(fmt::format("region row {} of {}", cell, cells_));
  sqlite3_stmt* s = st_->cas;
  ::sqlite3_bind_int64(s, 7, cell);
  ::sqlite3_bind_int64(s, 1, desired.counter);
  ::sqlite3_bind_int64(s, 2, desired.last_writer);
  ::sqlite3_bind_int64(s, 3, desired.timestamp_ms);
  ::sqlite3_bind_int64(s, 4, static_cast<std::int64_t>(desired.write_id));
  ::sqlite3_bind_int64(s, 5, expected.counter);
  ::sqlite3_bind_int64(s, 6, static_cast<std::int64_t>(expected.write_id));
  run(s, "UPDATE counter ... WHERE value = ?");
  return ::sqlite3_changes(db_) == 1;
}

std::optional<std::pair<std::int64_t, std::int64_t>> SqliteRegion::returning(sqlite3_stmt* s,
                                                                             const char* what) {
  for (int attempt = 0;; ++attempt) {
    // The change happens on the first step (it returns the RETURNING row); finish it before reset.
    int rc = ::sqlite3_step(s);
    std::optional<std::pair<std::int64_t, std::int64_t>> row;
    if (rc == SQLITE_ROW) {
      row.emplace(::sqlite3_column_int64(s, 0),
                  ::sqlite3_column_count(s) > 1 ? ::sqlite3_column_int64(s, 1) : 0);
      rc = ::sqlite3_step(s);
    }
    ::sqlite3_reset(s);
    if (rc == SQLITE_DONE) return row;
    if ((rc & 0xff) != SQLITE_BUSY || attempt == options_.max_busy_retries)
      fail(db_, rc, what, path_);
    ++busy_retries_;
  }
}

std::optional<LeaseGrant> SqliteRegion::take_lease(std::uint32_t holder, std::int64_t now_ms,
                                                   std::uint32_t ttl_ms) {
  sqlite3_stmt* s = st_->lease_take;
  ::sqlite3_bind_int64(s, 1, holder);
  ::sqlite3_bind_int64(s, 2, now_ms);
  ::sqlite3_bind_int64(s, 3, ttl_ms);
  const auto row = returning(s, "UPDATE lease SET holder = ?");
  if (!row) return std::nullopt;  // no row: another's lease runs
  const auto old = static_cast<std::uint32_t>(row->second);
  return LeaseGrant{static_cast<std::uint64_t>(row->first), old != holder ? old : 0};
}

bool SqliteRegion::release_lease(std::uint32_t holder, std::uint64_t token) {
  sqlite3_stmt* s = st_->lease_release;
  ::sqlite3_bind_int64(s, 1, holder);
  ::sqlite3_bind_int64(s, 2, static_cast<std::int64_t>(token));
  run(s, "UPDATE lease SET holder = 0");
  return ::sqlite3_changes(db_) == 1;
}

FencedWrite SqliteRegion::exchange_cell_fenced(std::uint32_t cell, const CounterRecord& r,
                                               std::uint64_t token) {
  if (cell >= cells_) throw std::out_of_range(fmt::format("region row {} of {}", cell, cells_));
  sqlite3_stmt* s = st_->fenced_update;
  ::sqlite3_bind_int64(s, 1, r.counter);
  ::sqlite3_bind_int64(s, 2, r.last_writer);
  ::sqlite3_bind_int64(s, 3, r.timestamp_ms);
  ::sqlite3_bind_int64(s, 4, static_cast<std::int64_t>(r.write_id));
  ::sqlite3_bind_int64(s, 5, cell);
  ::sqlite3_bind_int64(s, 6, static_cast<std::int64_t>(token));
  if (const auto row = returning(s, "UPDATE counter ... WHERE token")) {
    return FencedWrite{true, static_cast<std::uint64_t>(row->first), token};
  }
  // Refused: the newest grant, for the report (read after the fact; informational).
  FencedWrite out;
  if (const auto row = returning(st_->lease_token, "SELECT token FROM lease"))
    out.newest_token = static_cast<std::uint64_t>(row->first);
  return out;
}

bool SqliteRegion::begin_immediate() { return try_run(st_->begin, "BEGIN IMMEDIATE"); }

bool SqliteRegion::commit() {
  // A COMMIT that meets SQLITE_BUSY leaves the transaction open, so it can simply be retried.
  for (int attempt = 0; attempt <= options_.max_busy_retries; ++attempt) {
    if (try_run(st_->commit, "COMMIT")) return true;
    ++busy_retries_;
  }
  return false;
}

void SqliteRegion::rollback() noexcept {
  if (::sqlite3_get_autocommit(db_) == 0) {
    ::sqlite3_step(st_->rollback);
    ::sqlite3_reset(st_->rollback);
  }
}

std::unique_ptr<Region> attach_sqlite_region(const RunParams& params) {
  return std::make_unique<SqliteRegion>(params.region_path, region_cells(params));
}

}  // namespace shmlab
