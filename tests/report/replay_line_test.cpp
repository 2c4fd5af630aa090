#include "shmlab/report/replay_line.hpp"

#include <gtest/gtest.h>

namespace shmlab {
namespace {

RunRecord postgres_record(Strategy strategy) {
  RunRecord rec;
  rec.params.workers = 2;
  rec.params.increments = 1;
  rec.params.backend = Backend::kPostgres;
  rec.params.strategy = strategy;
  return rec;
}

TEST(ReplayLine, PostgresLineCarriesHostsPartitionAndIsolation) {
  RunRecord sut = postgres_record(Strategy::kTransaction);
  sut.params.isolation = Isolation::kReadCommitted;
  sut.hosts = 2;
  sut.partition = PauseSpec{1, CrashPoint::kAfterRead, 3000};
  EXPECT_EQ(schedule_command(sut, "1R 2R 1W 2W"),
            "shmlab run -w 2 -n 1 --backend postgres --strategy transaction --hosts 2 --partition "
            "1@after-read:3000 --isolation read-committed --schedule \"1R 2R 1W 2W\"");
}

TEST(ReplayLine, PartitionOfTheServersEndKeepsItsSide) {
  RunRecord sut = postgres_record(Strategy::kAtomic);
  sut.hosts = 2;
  sut.partition = PauseSpec{1, CrashPoint::kAfterWrite, 3000};
  sut.partition_server = true;
  EXPECT_EQ(run_command_prefix(sut),
            "shmlab run -w 2 -n 1 --backend postgres --strategy atomic --hosts 2 --partition "
            "1@after-write:3000:server");
}

TEST(ReplayLine, DsnIsQuotedForTheShellAndLeavesItsPasswordOut) {
  RunRecord sut = postgres_record(Strategy::kAtomic);
  sut.dsn = "host=/run/x user=it's password='se cret' dbname=d";
  EXPECT_EQ(run_command_prefix(sut),
            "shmlab run -w 2 -n 1 --backend postgres --strategy atomic --dsn "
            "'host=/run/x user=it'\\''s dbname=d'");
  sut.dsn = "";  // libpq's PG* environment: nothing to name
  EXPECT_EQ(run_command_prefix(sut), "shmlab run -w 2 -n 1 --backend postgres --strategy atomic");
}

TEST(ReplayLine, DsnWithoutPasswordForEachForm) {
  EXPECT_EQ(dsn_without_password("password=s3 host=h"), "host=h");
  EXPECT_EQ(dsn_without_password("host=h password = 's\\'x y' port=5"), "host=h port=5");
  EXPECT_EQ(dsn_without_password("host=h passwordx=1"), "host=h passwordx=1");
  EXPECT_EQ(dsn_without_password("postgresql://u:secret@h:5432/db"), "postgresql://u@h:5432/db");
  EXPECT_EQ(dsn_without_password("postgresql://h/db?password=s&sslmode=off"),
            "postgresql://h/db?sslmode=off");
  EXPECT_EQ(dsn_without_password("postgresql://h/db?sslmode=off&password=s"),
            "postgresql://h/db?sslmode=off");
}

// A password the user gave in a URI's userinfo is masked as a key=value one is (a run with
// --dsn 'postgresql://u:secret@h/db' printed the secret in its "Created" line and the region path).
TEST(ReplayLine, RedactedDsnHidesThePasswordOfEachForm) {
  using pg::redact_password;
  EXPECT_EQ(redact_password("host=h password=s3 port=5"), "host=h password=(hidden) port=5");
  EXPECT_EQ(redact_password("host=h password = 's\\'x y' port=5"),
            "host=h password = (hidden) port=5");
  EXPECT_EQ(redact_password("schema=s postgresql://u:secret@h:5432/db"),
            "schema=s postgresql://u:(hidden)@h:5432/db");
  EXPECT_EQ(redact_password("postgresql://u:secret@h/db?password=s&sslmode=off"),
            "postgresql://u:(hidden)@h/db?password=(hidden)&sslmode=off");
  // An '@' after the path or in a parameter is no userinfo: nothing to hide, nothing cut.
  EXPECT_EQ(redact_password("postgresql://h:5432/db?application_name=a@b"),
            "postgresql://h:5432/db?application_name=a@b");
  EXPECT_EQ(dsn_without_password("postgresql://h:5432/db?application_name=a@b"),
            "postgresql://h:5432/db?application_name=a@b");
  EXPECT_EQ(redact_password("postgresql://u@h/db"), "postgresql://u@h/db");
}

}  // namespace
}  // namespace shmlab
