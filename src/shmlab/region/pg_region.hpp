// The `postgres` backend: the scenario's cells are the rows of table `cells` in a schema named
// after the run, on a PostgreSQL server. The coordinator's PgRegionStore starts a ThrowawayServer
// for the run (or uses an existing server: --dsn, or libpq's PG* environment), creates the schema,
// the table and each cell's row, and drops the schema and stops the server when it goes, on every
// path. Each worker opens its own connection (PgRegion) from region_path: "schema=<name> <dsn>".
// Every statement's outcome is checked: a failure is a PgError carrying the SQLSTATE. Inside a
// transaction, a serialization failure (40001) or a detected deadlock (40P01) is not an error:
// the transaction is marked aborted, its remaining statements are skipped and commit() returns
// false after rolling it back, so the operation is retried (scenario/live_op.cpp, bounded).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shmlab/pg/connection.hpp"
#include "shmlab/pg/run_schema.hpp"
#include "shmlab/pg/throwaway_server.hpp"
#include "shmlab/region/backend.hpp"
#include "shmlab/region/region.hpp"

namespace shmlab {

// What --dsn puts in RunParams::region_path before the run: "dsn:<uri>" ("dsn:" alone: libpq's
// environment). Without it, create_region starts a throwaway server.
inline constexpr std::string_view kDsnPrefix = "dsn:";

// --hosts: the throwaway server also listens on TCP at `addresses` (the coordinator's ends of the
// hosts' links) and accepts clients from `clients` only ("a.b.c.d/30"), with a password generated
// for the run (scram-sha-256). region_path then reaches it over TCP at the first address, with
// the password and timeouts that turn a cut link into an error instead of a hang.
struct PgTcpAccess {
  std::vector<std::string> addresses;
  std::vector<std::string> clients;
};

// What a worker on a simulated host adds to the DSN: libpq takes the last of a repeated keyword.
std::string dsn_with_host(const std::string& dsn, const std::string& host);

// The application_name of worker `index`'s (0-based) data session: "shmlab <run id> w<index + 1>";
// its relay's (control_relay.hpp) adds kRelaySessionSuffix. Named after the run and the worker, not
// a PID, which is unique on one machine only: the coordinator finds a remote worker's sessions by
// it (its liveness, pg_terminate_backend). Other sessions of the run: "shmlab <run id>". Throws
// std::system_error (ENAMETOOLONG) past the server's 63 bytes, which it would cut silently.
std::string worker_session_name(std::string_view run_id, std::uint32_t index);
// What every worker's session name of the run starts with: "shmlab <run id> w".
std::string worker_session_stem(std::string_view run_id);
inline constexpr std::string_view kRelaySessionSuffix = " relay";

class PgRegionStore final : public RegionStore {
 public:
  // `dsn`: an existing server's, or nullopt for a throwaway server in `temp_dir` (which the
  // server's user must be able to reach). `tcp`: also over TCP (throwaway server only). Fills
  // params.region_path.
  PgRegionStore(RunParams& params, std::optional<std::string> dsn, const std::string& temp_dir,
                const PgTcpAccess* tcp = nullptr);
  ~PgRegionStore() override { remove(); }
  PgRegionStore(const PgRegionStore&) = delete;
  PgRegionStore& operator=(const PgRegionStore&) = delete;
  // An existing server keeps the run's schema; a throwaway server is stopped all the same.
  void keep() noexcept override;
  // Drops the schema, then stops the throwaway server and removes its directory.
  void remove() noexcept override;
  std::string note() const override { return note_; }
  bool waits_for_lock(std::uint32_t worker) override;

 private:
  std::string run_id_;
  std::optional<pg::ThrowawayServer> server_;
  std::optional<pg::RunSchema> schema_;
  std::string note_;
};

class PgRegion final : public Region {
 public:
  // Connects with `dsn`, names the session `session_name` (application_name) and checks that
  // `schema`.cells has `cells` rows. `strategy`: for-update reads lock the row, advisory's BEGIN
  // takes the run's advisory lock (both at read committed); `isolation`: transaction's level.
  PgRegion(const std::string& dsn, const std::string& schema, std::uint32_t cells,
           Strategy strategy, Isolation isolation, const std::string& session_name);

  CounterRecord read() override { return read_cell(0); }
  void write(const CounterRecord& record) override { write_cell(0, record); }
  CounterRecord read_cell(std::uint32_t cell) override;
  void write_cell(std::uint32_t cell, const CounterRecord& record) override;
  std::optional<std::uint64_t> exchange_cell(std::uint32_t cell,
                                             const CounterRecord& record) override;
  std::int64_t total() override;
  CounterRecord fetch_add(std::uint32_t writer, std::int64_t timestamp_ms) override;
  bool compare_exchange(const CounterRecord& expected, const CounterRecord& desired) override;
  std::optional<CounterRecord> fetch_add_cell(std::uint32_t cell, std::int64_t delta,
                                              std::optional<std::int64_t> floor,
                                              std::uint32_t writer,
                                              std::int64_t timestamp_ms) override;
  bool compare_exchange_cell(std::uint32_t cell, const CounterRecord& expected,
                             const CounterRecord& desired) override;
  // `lease`: the row of table `lease`, its expiry on the server's clock (now_ms is not used).
  std::optional<LeaseGrant> take_lease(std::uint32_t holder, std::int64_t now_ms,
                                       std::uint32_t ttl_ms) override;
  bool release_lease(std::uint32_t holder, std::uint64_t token) override;
  FencedWrite exchange_cell_fenced(std::uint32_t cell, const CounterRecord& record,
                                   std::uint64_t token) override;
  // BEGIN ISOLATION LEVEL <the run's> (advisory: then pg_advisory_xact_lock, which waits for
  // its holder's COMMIT); always true (a server has no busy BEGIN).
  bool begin_immediate() override;
  // COMMIT; false when the transaction was aborted (40001, 40P01) at a statement or at COMMIT:
  // it is rolled back, and the caller retries the operation.
  bool commit() override;
  void rollback() noexcept override;
  // Each statement prepared once on this connection (pg::Connection::prepare_statements).
  void prepare_statements(bool on) { conn_.prepare_statements(on); }
  std::string_view aborted_by() const override {
    return aborted_ ? std::string_view(last_abort_) : std::string_view();
  }
  std::string_view last_abort() const override { return last_abort_; }
  // After a statement failed on a lost connection (class 08): what became of the operation in
  // flight, as far as this client can know ("" before any loss).
  const std::string& lost_outcome() const { return lost_outcome_; }

 private:
  // Runs `sql`; inside a transaction, a retryable failure marks it aborted and returns nullopt.
  std::optional<pg::Result> run(const std::string& sql, const std::vector<std::string>& params);
  void check_cell(std::uint32_t cell) const;

  pg::Connection conn_;
  std::string table_;
  std::string lease_;  // "<schema>"."lease": exists in `lease` runs only
  std::uint32_t cells_;
  std::string schema_;
  Strategy strategy_;
  Isolation isolation_;
  bool in_transaction_ = false;
  bool aborted_ = false;  // the server aborted the open transaction: only ROLLBACK is left
  std::string last_abort_;
  std::string lost_outcome_;
  // Says what a lost connection left of `sql` (lost_outcome()) and rethrows.
  [[noreturn]] void lost(const pg::PgError& e, std::string_view sql);
  // A lease statement (autocommit, never retried): on a lost connection, `fate` is what became of
  // the operation (lost_outcome()) and the error is rethrown.
  pg::Result exec_lease(const std::string& sql, const std::vector<std::string>& params,
                        const char* fate);
};

// "schema=<name> <dsn>" → the region; the run's isolation level from `params`. `worker`: the
// session is that worker's (worker_session_name), else the run's.
std::unique_ptr<Region> attach_pg_region(const RunParams& params,
                                         std::optional<std::uint32_t> worker);

}  // namespace shmlab
