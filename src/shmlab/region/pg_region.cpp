#include "shmlab/region/pg_region.hpp"

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <system_error>

#include "shmlab/region/region.hpp"
#include "shmlab/sys/clock.hpp"

namespace shmlab {
namespace {

constexpr std::string_view kSchemaKey = "schema=";

std::string num(std::int64_t v) { return std::to_string(v); }
std::string num(std::uint64_t v) { return std::to_string(static_cast<std::int64_t>(v)); }
std::string num(std::uint32_t v) { return std::to_string(v); }

double seconds(std::chrono::nanoseconds ns) { return std::chrono::duration<double>(ns).count(); }

// A password for one run's server: 96 random bits, hex (nothing to quote in a DSN).
std::string fresh_password() {
  std::random_device rd;
  return fmt::format("{:08x}{:08x}{:08x}", rd(), rd(), rd());
}

// A statement on a link that went down fails within about this long instead of hanging: TCP gives
// up on unacknowledged data (tcp_user_timeout), an idle connection is probed (keepalives).
constexpr const char* kTcpTimeouts =
    "connect_timeout=5 tcp_user_timeout=2000 keepalives=1 keepalives_idle=1 "
    "keepalives_interval=1 keepalives_count=2";

std::string joined(const std::vector<std::string>& addresses) {
  std::string out;
  for (const std::string& a : addresses) out += (out.empty() ? "" : ", ") + a;
  return out;
}

// NAMEDATALEN - 1: the server keeps this much of an application_name.
constexpr std::size_t kMaxSessionName = 63;

std::string checked_session_name(std::string name) {
  if (name.size() > kMaxSessionName - kRelaySessionSuffix.size()) {
    throw std::system_error(ENAMETOOLONG, std::generic_category(),
                            fmt::format("application_name \"{}\"", name));
  }
  return name;
}

}  // namespace

std::string worker_session_stem(std::string_view run_id) {
  return fmt::format("shmlab {} w", run_id);
}

std::string worker_session_name(std::string_view run_id, std::uint32_t index) {
  return checked_session_name(worker_session_stem(run_id) + std::to_string(index + 1));
}

std::string dsn_with_host(const std::string& dsn, const std::string& host) {
  return fmt::format("{} host={}", dsn, pg::conninfo_quote(host));
}

PgRegionStore::PgRegionStore(RunParams& params, std::optional<std::string> dsn,
                             const std::string& temp_dir, const PgTcpAccess* tcp)
    : run_id_(params.run_id) {
  const std::uint32_t cells = region_cells(params);
  std::string worker_dsn;
  if (!dsn) {
    pg::ThrowawayServerOptions o;
    o.temp_dir = temp_dir;
    o.run_id = params.run_id;
    o.max_connections = static_cast<int>(params.workers) + 10;  // workers, coordinator, auditor
    if (tcp != nullptr) {
      for (const std::string& a : tcp->addresses)
        o.tcp_address += (o.tcp_address.empty() ? "" : ",") + a;  // listen_addresses' syntax
      o.tcp_clients = tcp->clients;
      o.password = fresh_password();
    }
    server_.emplace(pg::ThrowawayServer::start(o));
    dsn = server_->dsn();
    if (tcp != nullptr) worker_dsn = server_->tcp_dsn() + " " + kTcpTimeouts;
    note_ = fmt::format("Started a throwaway PostgreSQL server in {:.1f} s (initdb {:.1f} s): {}",
                        seconds(server_->startup_time()), seconds(server_->initdb_time()),
                        server_->dir());
    if (tcp != nullptr) {
      note_ += fmt::format(
          "; over TCP on {} port {}, for {} only, with a password generated for the run "
          "(scram-sha-256)",
          joined(tcp->addresses), server_->port(), joined(tcp->clients));
    }
  }
  // On a throw from here on, the members built so far are destroyed: the schema dropped, the
  // server stopped and its directory removed.
  schema_.emplace(pg::RunSchema::create(pg::Connection::connect(*dsn), params.run_id));
  const std::string table = schema_->qualified("cells");
  const std::int64_t now = sys::realtime_ms();
  schema_->connection().exec(fmt::format(
      "CREATE TABLE {} (id integer PRIMARY KEY CHECK (id >= 0), value bigint NOT NULL,"
      " last_writer integer NOT NULL, timestamp_ms bigint NOT NULL, write_id bigint NOT NULL,"
      " replaced_id bigint NOT NULL DEFAULT 0)",
      table));
  schema_->connection().exec(
      fmt::format("INSERT INTO {} SELECT i, 0, 0, $2, 0, 0 FROM generate_series(0, $1 - 1) i",
                  table),
      {num(cells), num(now)});
  if (params.strategy == Strategy::kLease) {
    // One row: the lease stored with the data (docs/lease.md). `expires` is the server's time:
    // the one clock every worker shares, on any host.
    schema_->connection().exec(
        fmt::format("CREATE TABLE {} (id integer PRIMARY KEY CHECK (id = 0),"
                    " holder integer NOT NULL, expires timestamptz NOT NULL,"
                    " token bigint NOT NULL, taken_from integer NOT NULL);"
                    " INSERT INTO {} VALUES (0, 0, '-infinity', 0, 0)",
                    schema_->qualified("lease"), schema_->qualified("lease")));
  }
  const std::string path =
      fmt::format("{}{} {}", kSchemaKey, schema_->name(), worker_dsn.empty() ? *dsn : worker_dsn);
  if (path.size() >= sizeof(params.region_path)) {
    throw std::system_error(ENAMETOOLONG, std::generic_category(),
                            fmt::format("postgres region \"{}\"", path));
  }
  std::memset(params.region_path, 0, sizeof(params.region_path));
  std::memcpy(params.region_path, path.data(), path.size());
}

bool PgRegionStore::waits_for_lock(std::uint32_t worker) {
  // A worker's PgRegion names its session after the run and the worker (application_name), so
  // this finds the worker's own session on a shared server too.
  return schema_->connection()
             .exec(
                 "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1"
                 " AND wait_event_type = 'Lock'",
                 {worker_session_name(run_id_, worker)})
             .int64(0, 0) != 0;
}

void PgRegionStore::keep() noexcept {
  if (!server_ && schema_) schema_->release();
}

void PgRegionStore::remove() noexcept {
  schema_.reset();
  server_.reset();
}

PgRegion::PgRegion(const std::string& dsn, const std::string& schema, std::uint32_t cells,
                   Strategy strategy, Isolation isolation, const std::string& session_name)
    : conn_(pg::Connection::connect(dsn)),
      table_(pg::quote_identifier(schema) + ".\"cells\""),
      lease_(pg::quote_identifier(schema) + ".\"lease\""),
      cells_(cells),
      schema_(schema),
      strategy_(strategy),
      // The locks are the point of for-update and advisory: no snapshot beyond each statement.
      isolation_(strategy == Strategy::kTransaction ? isolation : Isolation::kReadCommitted) {
  // SET takes no parameters: set_config does the same with a bound value.
  conn_.exec("SELECT set_config('application_name', $1, false)", {session_name});
  const std::int64_t rows = conn_.exec("SELECT count(*) FROM " + table_).int64(0, 0);
  if (rows != cells_) {
    throw std::system_error(
        EINVAL, std::generic_category(),
        fmt::format("postgres region {}: {} rows, the run has {} cells", table_, rows, cells_));
  }
}

void PgRegion::check_cell(std::uint32_t cell) const {
  if (cell >= cells_) throw std::out_of_range(fmt::format("region row {} of {}", cell, cells_));
}

std::optional<pg::Result> PgRegion::run(const std::string& sql,
                                        const std::vector<std::string>& params) {
  if (aborted_) return std::nullopt;  // the server refuses every statement until ROLLBACK
  try {
    return conn_.exec(sql, params);
  } catch (const pg::PgError& e) {
    if (e.connection_lost()) lost(e, sql);
    if (!in_transaction_ || !e.retryable()) throw;
    aborted_ = true;
    last_abort_ = e.sqlstate();
    return std::nullopt;
  }
}

CounterRecord PgRegion::read_cell(std::uint32_t cell) {
  check_cell(cell);
  // for-update: the read locks the row until COMMIT; a second reader waits here.
  // account-locks, ordered-locks: each L is this read (scenario/live_op.cpp); atomic: a bank
  // transfer's transaction locks its accounts' rows so (live_op.cpp, fetch_add).
  const bool lock_row =
      in_transaction_ &&
      (strategy_ == Strategy::kForUpdate || strategy_ == Strategy::kAccountLocks ||
       strategy_ == Strategy::kOrderedLocks || strategy_ == Strategy::kAtomic);
  const auto r = run("SELECT value, last_writer, timestamp_ms, write_id FROM " + table_ +
                         " WHERE id = $1" + (lock_row ? " FOR UPDATE" : ""),
                     {num(cell)});
  if (!r) return {};  // aborted: the operation is redone after the rollback
  if (r->rows() != 1) {
    throw std::system_error(EINVAL, std::generic_category(),
                            fmt::format("SELECT {} row {}: the row is missing", table_, cell));
  }
  return {r->int64(0, 0), static_cast<std::uint32_t>(r->int64(0, 1)), r->int64(0, 2),
          static_cast<std::uint64_t>(r->int64(0, 3))};
}

void PgRegion::write_cell(std::uint32_t cell, const CounterRecord& r) { exchange_cell(cell, r); }

std::optional<std::uint64_t> PgRegion::exchange_cell(std::uint32_t cell, const CounterRecord& r) {
  check_cell(cell);
  // SET's right-hand sides see the row as it was: replaced_id gets the id this write erased, in
  // the same statement, so the eraser of a lost update is exact.
  const auto res =
      run("UPDATE " + table_ +
              " SET value = $1, last_writer = $2, timestamp_ms = $3,"
              " replaced_id = write_id, write_id = $4 WHERE id = $5"
              " RETURNING replaced_id",
          {num(r.counter), num(r.last_writer), num(r.timestamp_ms), num(r.write_id), num(cell)});
  if (!res) return std::nullopt;
  if (res->rows() != 1) {
    throw std::system_error(EINVAL, std::generic_category(),
                            fmt::format("UPDATE {} row {}: the row is missing", table_, cell));
  }
  return static_cast<std::uint64_t>(res->int64(0, 0));
}

std::int64_t PgRegion::total() {
  // In a transaction (the auditor's) a refused statement marks it aborted (aborted_by()): 0 then.
  const auto r = run("SELECT coalesce(sum(value), 0) FROM " + table_, {});
  return r ? r->int64(0, 0) : 0;
}

CounterRecord PgRegion::fetch_add(std::uint32_t writer, std::int64_t timestamp_ms) {
  const auto old = fetch_add_cell(0, 1, std::nullopt, writer, timestamp_ms);
  return old.value_or(CounterRecord{});
}

bool PgRegion::compare_exchange(const CounterRecord& expected, const CounterRecord& desired) {
  return compare_exchange_cell(0, expected, desired);
}

std::optional<CounterRecord> PgRegion::fetch_add_cell(std::uint32_t cell, std::int64_t delta,
                                                      std::optional<std::int64_t> floor,
                                                      std::uint32_t writer,
                                                      std::int64_t timestamp_ms) {
  check_cell(cell);
  // One statement: the row lock makes it indivisible; `floor` refuses it (no row returned).
  std::string sql = "UPDATE " + table_ +
                    " SET value = value + $1, last_writer = $2, timestamp_ms = $3, write_id = 0"
                    " WHERE id = $4";
  std::vector<std::string> params = {num(delta), num(writer), num(timestamp_ms), num(cell)};
  if (floor) {
    sql += " AND value + $1 >= $5";
    params.push_back(num(*floor));
  }
  const auto res = run(sql + " RETURNING value - $1", params);
  if (!res || res->rows() == 0) return std::nullopt;
  return CounterRecord{res->int64(0, 0), 0, 0, 0};
}

bool PgRegion::compare_exchange_cell(std::uint32_t cell, const CounterRecord& expected,
                                     const CounterRecord& desired) {
  check_cell(cell);
  const auto res =
      run("UPDATE " + table_ +
              " SET value = $1, last_writer = $2, timestamp_ms = $3, replaced_id = write_id,"
              " write_id = $4 WHERE id = $5 AND value = $6 AND write_id = $7",
          {num(desired.counter), num(desired.last_writer), num(desired.timestamp_ms),
           num(desired.write_id), num(cell), num(expected.counter), num(expected.write_id)});
  return res && res->affected_rows() == 1;
}

std::optional<LeaseGrant> PgRegion::take_lease(std::uint32_t holder, std::int64_t /*now_ms*/,
                                               std::uint32_t ttl_ms) {
  // The server's clock_timestamp(), not the worker's clock: workers on other hosts share only the
  // server's. One statement: a second taker waits for the first's row lock, then re-checks the
  // WHERE on the row it wrote (read committed), so two can never both take it. SET's right-hand
  // sides see the row before: taken_from keeps the holder whose lease expired.
  const pg::Result r = exec_lease(
      "UPDATE " + lease_ +
          " SET taken_from = holder, holder = $1,"
          " expires = clock_timestamp() + $2::float8 * interval '1 millisecond', token = token + 1"
          " WHERE id = 0 AND (holder = 0 OR expires <= clock_timestamp())"
          " RETURNING token, taken_from",
      {num(holder), num(ttl_ms)}, "nothing written: lease UPDATE sent, no answer");
  if (r.rows() == 0) return std::nullopt;  // another's lease runs
  const auto old = static_cast<std::uint32_t>(r.int64(0, 1));
  return LeaseGrant{static_cast<std::uint64_t>(r.int64(0, 0)), old != holder ? old : 0};
}

bool PgRegion::release_lease(std::uint32_t holder, std::uint64_t token) {
  // The operation's write committed before (autocommit); only the release is in doubt.
  return exec_lease(
             "UPDATE " + lease_ + " SET holder = 0 WHERE id = 0 AND holder = $1 AND token = $2",
             {num(holder), num(token)},
             "written: the UPDATE committed; lease release sent, no answer")
             .affected_rows() == 1;
}

FencedWrite PgRegion::exchange_cell_fenced(std::uint32_t cell, const CounterRecord& r,
                                           std::uint64_t token) {
  check_cell(cell);
  // The check against the newest grant and the write in one statement, which also returns the
  // token it checked against. FOR SHARE makes check and write indivisible on a server too: a grant
  // (an UPDATE of the lease row) in flight makes this wait, then see its token; one that comes
  // later waits until this write has committed, so the new holder's read sees it. A plain subquery
  // would check the token of the statement's snapshot and could let this write land after a
  // newer grant's read (tests/pg/pg_backend_test.cpp loses updates that way).
  const pg::Result res =
      exec_lease("WITH fence AS (SELECT token FROM " + lease_ +
                     " WHERE id = 0 FOR SHARE), w AS (UPDATE " + table_ +
                     " SET value = $1, last_writer = $2, timestamp_ms = $3,"
                     " replaced_id = write_id, write_id = $4"
                     " WHERE id = $5 AND (SELECT token FROM fence) <= $6 RETURNING replaced_id)"
                     " SELECT fence.token, w.replaced_id FROM fence LEFT JOIN w ON true",
                 {num(r.counter), num(r.last_writer), num(r.timestamp_ms), num(r.write_id),
                  num(cell), num(token)},
                 "outcome unknown: fenced autocommit UPDATE sent, no answer");
  const auto newest = static_cast<std::uint64_t>(res.int64(0, 0));
  if (!res.is_null(0, 1))
    return FencedWrite{true, static_cast<std::uint64_t>(res.int64(0, 1)), newest};
  if (newest <= token) {
    throw std::system_error(EINVAL, std::generic_category(),
                            fmt::format("UPDATE {} row {}: the row is missing", table_, cell));
  }
  FencedWrite out;  // refused: nothing written
  out.newest_token = newest;
  return out;
}

void PgRegion::lost(const pg::PgError& e, std::string_view sql) {
  // Short: the worker's error slot keeps 128 characters.
  const std::string_view verb = sql.substr(0, sql.find(' '));
  if (verb == "COMMIT") {
    lost_outcome_ = "outcome unknown: COMMIT sent, no answer";
  } else if (in_transaction_) {
    lost_outcome_ = fmt::format("not committed: {} in a transaction the server rolls back", verb);
  } else if (verb == "UPDATE") {
    lost_outcome_ = "outcome unknown: autocommit UPDATE sent, no answer";
  } else {
    lost_outcome_ = fmt::format("nothing written: {}", verb);
  }
  throw e;
}

pg::Result PgRegion::exec_lease(const std::string& sql, const std::vector<std::string>& params,
                                const char* fate) {
  try {
    return conn_.exec(sql, params);
  } catch (const pg::PgError& e) {
    if (e.connection_lost()) lost_outcome_ = fate;
    throw;
  }
}

bool PgRegion::begin_immediate() {
  try {
    conn_.exec(fmt::format("BEGIN ISOLATION LEVEL {}", isolation_sql(isolation_)));
  } catch (const pg::PgError& e) {
    if (e.connection_lost()) lost(e, "BEGIN");
    throw;
  }
  in_transaction_ = true;
  aborted_ = false;
  // One key per run (its schema's name hashed), so runs sharing a server never wait for each
  // other; released by COMMIT or ROLLBACK.
  if (strategy_ == Strategy::kAdvisory)
    run("SELECT pg_advisory_xact_lock(hashtext($1))", {schema_});
  return true;
}

bool PgRegion::commit() {
  // A COMMIT of a transaction the server aborted would answer ROLLBACK, not an error.
  if (!aborted_) {
    try {
      conn_.exec("COMMIT");
      in_transaction_ = false;
      return true;
    } catch (const pg::PgError& e) {
      if (e.connection_lost()) lost(e, "COMMIT");
      if (!e.retryable()) throw;
      last_abort_ = e.sqlstate();  // serializable: the conflict is found at COMMIT
    }
  }
  rollback();
  return false;
}

void PgRegion::rollback() noexcept {
  in_transaction_ = false;
  aborted_ = false;
  try {
    if (conn_.connected() && conn_.transaction_status() != PQTRANS_IDLE) conn_.exec("ROLLBACK");
  } catch (...) {
    // Nothing to do: a lost connection ends the transaction on the server.
  }
}

std::unique_ptr<Region> attach_pg_region(const RunParams& params,
                                         std::optional<std::uint32_t> worker) {
  const std::string_view path = params.region_path;
  const std::size_t space = path.find(' ');
  if (path.substr(0, kSchemaKey.size()) != kSchemaKey || space == std::string_view::npos) {
    throw std::system_error(EINVAL, std::generic_category(),
                            fmt::format("postgres region \"{}\": not \"schema=NAME DSN\"", path));
  }
  const std::string schema(path.substr(kSchemaKey.size(), space - kSchemaKey.size()));
  const std::string session = worker
                                  ? worker_session_name(params.run_id, *worker)
                                  : checked_session_name(fmt::format("shmlab {}", params.run_id));
  return std::make_unique<PgRegion>(std::string(path.substr(space + 1)), schema,
                                    region_cells(params), params.strategy, params.isolation,
                                    session);
}

}  // namespace shmlab
