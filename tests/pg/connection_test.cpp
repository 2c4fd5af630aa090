// Connection on a real throwaway server: statements and parameters, and every failure carrying
// its SQLSTATE, the two a transaction retries (40001, 40P01) told apart from the rest.
#include "shmlab/pg/connection.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <future>
#include <string>

#include "pg/pg_test_support.hpp"

namespace shmlab::test {
namespace {

using PgConnection = PgServerTest;

// The SQLSTATE `f` fails with; "" when it does not throw PgError.
template <class F>
std::string sqlstate_of(F&& f) {
  try {
    f();
  } catch (const pg::PgError& e) {
    return e.sqlstate();
  }
  return "";
}

TEST_F(PgConnection, StatementsRunWithParametersBoundAsText) {
  pg::Connection c = pg::Connection::connect(server().dsn());
  c.exec("CREATE TABLE cells (id int PRIMARY KEY, value bigint NOT NULL)");
  const pg::Result inserted =
      c.exec("INSERT INTO cells VALUES ($1, $2), ($3, $4)", {"1", "10", "2", "-5"});
  EXPECT_EQ(inserted.affected_rows(), 2);
  // A parameter is a value, never SQL: this string stays a string.
  c.exec("CREATE TABLE notes (text text)");
  c.exec("INSERT INTO notes VALUES ($1)", {"'); DROP TABLE cells; --"});
  const pg::Result sum = c.exec("SELECT sum(value), count(*) FROM cells");
  EXPECT_EQ(sum.int64(0, 0), 5);
  EXPECT_EQ(sum.int64(0, 1), 2);
  const pg::Result updated = c.exec("UPDATE cells SET value = value + 1 WHERE id = $1", {"1"});
  EXPECT_EQ(updated.affected_rows(), 1);
  EXPECT_EQ(c.exec("SELECT value FROM cells WHERE id = 1").int64(0, 0), 11);
  EXPECT_EQ(c.exec("SELECT text FROM notes").value(0, 0), "'); DROP TABLE cells; --");
  EXPECT_TRUE(c.exec("SELECT NULL::int").is_null(0, 0));
  EXPECT_GT(c.backend_pid(), 0);
}

// prepare_statements: each distinct statement is prepared once on the session, then only executed
// (the server's own list of the session's prepared statements says so), with the same results.
TEST_F(PgConnection, PreparedStatementsArePreparedOnceAndGiveTheSameResults) {
  pg::Connection c = pg::Connection::connect(server().dsn());
  c.exec("CREATE TABLE cells (id int PRIMARY KEY, value bigint NOT NULL)");
  c.exec("INSERT INTO cells VALUES (0, 0)");
  c.prepare_statements(true);
  const std::string add = "UPDATE cells SET value = value + $1 WHERE id = $2 RETURNING value";
  for (int i = 1; i <= 3; ++i) EXPECT_EQ(c.exec(add, {"2", "0"}).int64(0, 0), 2 * i);
  EXPECT_EQ(c.exec(add, {"1", "7"}).affected_rows(), 0);
  EXPECT_EQ(c.exec("SELECT value FROM cells WHERE id = $1", {"0"}).int64(0, 0), 6);
  const pg::Result listed =
      c.exec("SELECT name, statement FROM pg_prepared_statements ORDER BY name");
  ASSERT_EQ(listed.rows(), 2);  // the UPDATE once, the SELECT once (this query is not prepared)
  EXPECT_EQ(listed.value(0, 0), "s1");
  EXPECT_EQ(listed.value(0, 1), add);
  // Off: PQexecParams again, nothing more prepared.
  c.prepare_statements(false);
  EXPECT_EQ(c.exec(add, {"1", "0"}).int64(0, 0), 7);
  EXPECT_EQ(c.exec("SELECT count(*) FROM pg_prepared_statements").int64(0, 0), 2);
}

TEST_F(PgConnection, FailedStatementsCarryTheirSqlstateAndMessage) {
  pg::Connection c = pg::Connection::connect(server().dsn());
  EXPECT_EQ(sqlstate_of([&] { c.exec("SELECT * FROM no_such_table"); }), "42P01");
  EXPECT_EQ(sqlstate_of([&] { c.exec("SELEKT 1"); }), "42601");
  EXPECT_EQ(sqlstate_of([&] { c.exec("SELECT 1 / $1::int", {"0"}); }), "22012");
  EXPECT_EQ(sqlstate_of([&] { c.exec("SELECT 'x'").int64(0, 0); }), "22P02");
  try {
    c.exec("SELECT * FROM no_such_table");
    FAIL() << "no error";
  } catch (const pg::PgError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("PQexec(\"SELECT * FROM no_such_table\")"), std::string::npos) << what;
    EXPECT_NE(what.find("relation \"no_such_table\" does not exist"), std::string::npos) << what;
    EXPECT_NE(what.find("SQLSTATE 42P01"), std::string::npos) << what;
    EXPECT_EQ(e.code().category(), pg::pg_category());
    EXPECT_FALSE(e.retryable());
  }
  // The session survives a failed statement outside a transaction.
  EXPECT_EQ(c.exec("SELECT 1").int64(0, 0), 1);
}

// Hermitage's "lost update" (P4) at repeatable read: the second updater of a row changed since
// its snapshot is aborted with a serialization failure, which a transaction retries.
TEST_F(PgConnection, SecondUpdaterAtRepeatableReadGetsSerializationFailure) {
  pg::Connection setup = pg::Connection::connect(server().dsn());
  setup.exec("CREATE TABLE counter (id int PRIMARY KEY, value bigint NOT NULL)");
  setup.exec("INSERT INTO counter VALUES (1, 0)");
  pg::Connection t1 = pg::Connection::connect(server().dsn());
  pg::Connection t2 = pg::Connection::connect(server().dsn());
  t1.exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
  t2.exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
  EXPECT_EQ(t1.exec("SELECT value FROM counter WHERE id = 1").int64(0, 0), 0);
  EXPECT_EQ(t2.exec("SELECT value FROM counter WHERE id = 1").int64(0, 0), 0);
  t1.exec("UPDATE counter SET value = 1 WHERE id = 1");
  // t2's UPDATE waits for t1's row lock; it fails once t1 commits.
  auto second = std::async(std::launch::async, [&] {
    return sqlstate_of([&] { t2.exec("UPDATE counter SET value = 1 WHERE id = 1"); });
  });
  t1.exec("COMMIT");
  const std::string state = second.get();
  EXPECT_EQ(state, pg::kSerializationFailure);
  EXPECT_EQ(t2.transaction_status(), PQTRANS_INERROR);
  t2.exec("ROLLBACK");
  EXPECT_EQ(setup.exec("SELECT value FROM counter").int64(0, 0), 1);
}

// Two transactions lock two rows in opposite orders: PostgreSQL detects the deadlock and aborts
// one of them with 40P01; the other one completes.
TEST_F(PgConnection, CrossedRowLocksGetDeadlockDetected) {
  pg::Connection setup = pg::Connection::connect(server().dsn());
  setup.exec("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)");
  setup.exec("INSERT INTO accounts VALUES (1, 100), (2, 100)");
  pg::Connection a = pg::Connection::connect(server().dsn());
  pg::Connection b = pg::Connection::connect(server().dsn());
  for (pg::Connection* c : {&a, &b}) {
    c->exec("SET deadlock_timeout = '100ms'");  // detect it fast
    c->exec("BEGIN");
  }
  a.exec("SELECT * FROM accounts WHERE id = 1 FOR UPDATE");
  b.exec("SELECT * FROM accounts WHERE id = 2 FOR UPDATE");
  // Each takes the other's row; the one aborted rolls back at once, which lets the other go on.
  auto take = [](pg::Connection& c, const char* id) {
    return std::async(std::launch::async, [&c, id] {
      const std::string state =
          sqlstate_of([&] { c.exec("SELECT * FROM accounts WHERE id = $1 FOR UPDATE", {id}); });
      if (state == pg::kDeadlockDetected) c.exec("ROLLBACK");
      return state;
    });
  };
  auto a_take = take(a, "2");
  auto b_take = take(b, "1");
  const std::string a_state = a_take.get();
  const std::string b_state = b_take.get();
  EXPECT_EQ((a_state == pg::kDeadlockDetected) + (b_state == pg::kDeadlockDetected), 1)
      << "a: '" << a_state << "', b: '" << b_state << "'";
  EXPECT_EQ(a_state.empty() + b_state.empty(), 1) << "the survivor got its lock";
  for (pg::Connection* c : {&a, &b}) {
    if (c->transaction_status() == PQTRANS_INTRANS) c->exec("COMMIT");
  }
}

TEST_F(PgConnection, EmptyDsnConnectsThroughTheEnvironment) {
  ::setenv("PGHOST", server().dir().c_str(), 1);
  ::setenv("PGPORT", std::to_string(server().port()).c_str(), 1);
  ::setenv("PGUSER", pg::ThrowawayServer::kUser, 1);
  ::setenv("PGDATABASE", pg::ThrowawayServer::kDatabase, 1);
  const std::string result = [] {
    pg::Connection c = pg::Connection::connect("");
    return std::string(c.exec("SELECT current_database()").value(0, 0));
  }();
  for (const char* v : {"PGHOST", "PGPORT", "PGUSER", "PGDATABASE"}) ::unsetenv(v);
  EXPECT_EQ(result, pg::ThrowawayServer::kDatabase);
}

// The server ends the session under a worker: the next statement fails with a SQLSTATE (the
// server's 57P01, or 08006 when libpq only sees the socket close), never an empty result.
TEST_F(PgConnection, LostConnectionFailsTheNextStatement) {
  pg::Connection victim = pg::Connection::connect(server().dsn());
  pg::Connection admin = pg::Connection::connect(server().dsn());
  admin.exec("SELECT pg_terminate_backend($1)", {std::to_string(victim.backend_pid())});
  const std::string state = sqlstate_of([&] { victim.exec("SELECT 1"); });
  EXPECT_TRUE(state == "57P01" || state == pg::kConnectionFailure) << "'" << state << "'";
  EXPECT_FALSE(victim.connected());
}

TEST(PgConnectionFailure, UnreachableServerFailsWithConnectionSqlstate) {
  PgScratch scratch;
  try {
    pg::Connection::connect("host=" + scratch.path() + " port=5432 connect_timeout=5");
    FAIL() << "connected to no server";
  } catch (const pg::PgError& e) {
    EXPECT_TRUE(e.connection_lost()) << e.sqlstate();
    EXPECT_NE(std::string(e.what()).find(scratch.path()), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace shmlab::test
