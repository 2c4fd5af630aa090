// RunSchema on a real server: a run's tables live under a name unique to the run and go with it.
#include "shmlab/pg/run_schema.hpp"

#include <gtest/gtest.h>

#include "pg/pg_test_support.hpp"

namespace shmlab::test {
namespace {

TEST(PgRunSchemaName, IsAPlainIdentifierMadeFromTheRunId) {
  EXPECT_EQ(pg::run_schema_name("shmlab-1234-0abc12ef"), "shmlab_1234_0abc12ef");
  EXPECT_EQ(pg::quote_identifier("a\"b"), "\"a\"\"b\"");
}

using PgRunSchema = PgServerTest;

TEST_F(PgRunSchema, TablesLiveInTheRunsSchemaAndAreDroppedWithIt) {
  pg::Connection observer = pg::Connection::connect(server().dsn());
  const char* kCount = "SELECT count(*) FROM pg_namespace WHERE nspname = $1";
  {
    pg::RunSchema sut =
        pg::RunSchema::create(pg::Connection::connect(server().dsn()), "shmlab-1-0000abcd");
    EXPECT_EQ(sut.name(), "shmlab_1_0000abcd");
    sut.connection().exec("CREATE TABLE " + sut.qualified("counter") + " (value bigint)");
    sut.connection().exec("INSERT INTO " + sut.qualified("counter") + " VALUES (7)");
    EXPECT_EQ(observer.exec("SELECT value FROM shmlab_1_0000abcd.counter").int64(0, 0), 7);
    // Another run's schema of the same name is never taken over.
    EXPECT_THROW(
        pg::RunSchema::create(pg::Connection::connect(server().dsn()), "shmlab-1-0000abcd"),
        pg::PgError);
    // A transaction left open does not keep the schema.
    sut.connection().exec("BEGIN");
    sut.connection().exec("LOCK TABLE " + sut.qualified("counter"));
  }
  EXPECT_EQ(observer.exec(kCount, {"shmlab_1_0000abcd"}).int64(0, 0), 0);
}

}  // namespace
}  // namespace shmlab::test
