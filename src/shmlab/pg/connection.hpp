// Connection: one libpq session (PGconn), and Result: one statement's rows (PGresult), each owned
// through a unique_ptr. Every outcome is checked: a failed connect or statement throws PgError with
// the SQLSTATE and the server's message, never returns an empty result. Each worker opens its own
// connection; a Connection is used by one thread at a time and never crosses processes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "shmlab/pg/libpq.hpp"
#include "shmlab/pg/pg_error.hpp"

namespace shmlab::pg {

// Where a conninfo names a password, from `from` on: the keyword's first character, its value's
// first, and one past the value's last. key=value: a quoted value with its quotes (a backslash
// escapes inside them), spaces may surround '=', `passwordx=` is another keyword; a URI's
// `?password=` or `&password=` parameter ends at the next '&'.
struct PasswordSpan {
  std::size_t key = 0;
  std::size_t value = 0;
  std::size_t end = 0;
};
std::optional<PasswordSpan> find_password(std::string_view dsn, std::size_t from = 0);

// What stands for a password in what shmlab prints: the run's own (--hosts) or the user's (--dsn).
inline constexpr std::string_view kPasswordMask = "(hidden)";

// `dsn` with its password masked as kPasswordMask, key=value's `password=` and a URI's
// `user:…@` or `password=` parameter: errors and log lines name the connection, never the secret.
std::string redact_password(std::string_view dsn);

// `dsn` without a password: key=value's `password=…` and a URI's `user:…@` left out.
std::string dsn_without_password(std::string_view dsn);

// The value of the first `password=` of a key=value conninfo, unquoted; nullopt without one.
std::optional<std::string> password_of(std::string_view dsn);

class Result {
 public:
  explicit Result(PGresult* r) : result_(r) {}

  int rows() const { return libpq().PQntuples(result_.get()); }
  int columns() const { return libpq().PQnfields(result_.get()); }
  bool is_null(int row, int column) const {
    return libpq().PQgetisnull(result_.get(), row, column) != 0;
  }
  // The value as text (the format every statement here asks for).
  std::string_view value(int row, int column) const;
  // The value as an integer; throws PgError (22P02, invalid_text_representation) otherwise.
  std::int64_t int64(int row, int column) const;
  // Rows an INSERT/UPDATE/DELETE touched (PQcmdTuples); 0 for other statements.
  std::int64_t affected_rows() const;
  PGresult* get() const { return result_.get(); }

 private:
  struct Clear {
    void operator()(PGresult* r) const { libpq().PQclear(r); }
  };
  std::unique_ptr<PGresult, Clear> result_;
};

class Connection {
 public:
  // Connects with a keyword/value string ("host=/tmp/x port=5432 dbname=postgres") or a URI
  // ("postgresql://user@host:5432/db"); "" takes everything from libpq's defaults, i.e. PGHOST,
  // PGPORT, PGDATABASE, PGUSER, PGPASSWORD… from the environment. Throws PgError (08006 when the
  // server gives no SQLSTATE) naming where it tried to connect.
  static Connection connect(const std::string& dsn);

  // Runs one or more statements without parameters (PQexec).
  Result exec(std::string_view sql);
  // Runs one statement with $1, $2… bound to `params` as text (PQexecParams): values never
  // travel inside the SQL. With prepare_statements(true): each distinct `sql` is prepared once on
  // this session (PQprepare, named s1, s2…) and then only bound and executed (PQexecPrepared), so
  // the server plans it once instead of at every call.
  Result exec(std::string_view sql, const std::vector<std::string>& params);
  // Off by default (what `run` does); `bench --pg-query-mode prepared` turns it on.
  void prepare_statements(bool on) { prepare_ = on; }

  // After a LISTEN: reads what the server sent without waiting, and says whether a notification
  // came since the last call (each is consumed). Throws PgError (08006) when the connection is
  // lost.
  bool notified();

  // The backend process serving this session (pg_backend_pid()): what a deadlock report names.
  int backend_pid() const { return libpq().PQbackendPID(conn_.get()); }
  // PQTRANS_IDLE, PQTRANS_INTRANS, PQTRANS_INERROR (a failed transaction awaiting ROLLBACK)...
  PGTransactionStatusType transaction_status() const {
    return libpq().PQtransactionStatus(conn_.get());
  }
  bool connected() const { return conn_ && libpq().PQstatus(conn_.get()) == CONNECTION_OK; }
  PGconn* get() const { return conn_.get(); }

 private:
  struct Finish {
    void operator()(PGconn* c) const { libpq().PQfinish(c); }
  };
  explicit Connection(PGconn* c) : conn_(c) {}
  // Throws PgError unless `r` is a successful command or rows.
  Result check(PGresult* r, const char* call, std::string_view sql);
  std::unique_ptr<PGconn, Finish> conn_;
  bool prepare_ = false;
  std::unordered_map<std::string, std::string> prepared_;  // SQL → its statement's name
};

}  // namespace shmlab::pg
