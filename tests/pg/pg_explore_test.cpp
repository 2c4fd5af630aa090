// `explore --backend postgres` on a real server: `--dsn` (a server the test started, not
// explore's own), whose counts must be those of explore's throwaway server, with no schema left
// on it afterwards; and Hermitage's lost update (P4) explored at each isolation level, every
// interleaving of the server's overlapping transactions run on it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pg/pg_test_support.hpp"
#include "shmlab/pg/connection.hpp"
#include "support/expect.hpp"

namespace shmlab::test {
namespace {

class PgExploreDsn : public PgServerTest {
 protected:
  // `shmlab explore --backend postgres --json --limit 100000 ARGS…` exits `expected_exit` and
  // leaves nothing in its TMPDIR or /dev/shm; its JSON.
  nlohmann::json explore(std::vector<std::string> args, int expected_exit) {
    std::vector<std::string> all = {"explore", "--backend", "postgres",
                                    "--json",  "--limit",   "100000"};
    all.insert(all.end(), args.begin(), args.end());
    const Outcome o = run_shmlab(all, runs_.temp_dir(), 240);
    EXPECT_EQ(o.exit_code, expected_exit) << o.err;
    expect_nothing_left(o, runs_.temp_dir());
    return parse_result(o);
  }
  std::int64_t run_schemas() {
    pg::Connection c = pg::Connection::connect(server().dsn());
    return c.exec("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'shmlab\\_%'").int64(0, 0);
  }

  PgScratch runs_;  // explore's TMPDIR (the test's server lives in scratch_)
};

// The pool's schema and every witness replay's live on the given server, and are dropped; the
// counts are the throwaway server's (both explores exhaustive: every interleaving of -w 2 -n 2
// under none, 70, the same histogram).
TEST_F(PgExploreDsn, CountsEqualTheThrowawayServersAndNoSchemaIsLeft) {
  const std::vector<std::string> c = {"-w", "2", "-n", "2", "--strategy", "none"};
  std::vector<std::string> with_dsn = c;
  with_dsn.insert(with_dsn.end(), {"--dsn", server().dsn()});
  const auto on_dsn = explore(with_dsn, 3);
  const auto own = explore(c, 3);
  ASSERT_TRUE(on_dsn.is_object() && own.is_object());
  EXPECT_EQ(on_dsn["exhaustive"], true);
  EXPECT_EQ(on_dsn["interleavings"], 70);
  EXPECT_EQ(on_dsn["interleavings"], own["interleavings"]);
  EXPECT_EQ(on_dsn["histogram"], own["histogram"]) << on_dsn["histogram"].dump();
  EXPECT_EQ(on_dsn["model_mismatches"], 0);
  EXPECT_EQ(on_dsn["min"]["confirmed"], true);
  EXPECT_EQ(run_schemas(), 0);
}

// Every interleaving of -w 2 -n 1 under `transaction`: 30 (the two W..U stretches never overlap,
// a W waits for the other's row lock: C(6,2) = 15 each way; tests/schedule/step_model_test.cpp
// spells the count out). Read committed loses worker 1's update wherever worker 2 read before 1U
// committed (20 of them); repeatable read and serializable abort the second writer there instead
// (40001), which retries: 20 interleavings with one retry each, and none loses an update. Each of
// these ran on the server; its retries are the workers' own count, and equal the model's
// (model_mismatches compares both).
TEST_F(PgExploreDsn, HermitageLostUpdateAtEachIsolationLevel) {
  struct Case {
    const char* isolation;
    int exit;
    nlohmann::json histogram;
    int retried;
  };
  for (const Case& c :
       {Case{"read-committed", 3, {{"1", 20}, {"2", 10}}, 0},
        Case{"repeatable-read", 0, {{"2", 30}}, 20}, Case{"serializable", 0, {{"2", 30}}, 20}}) {
    SCOPED_TRACE(c.isolation);
    const auto j = explore({"-w", "2", "-n", "1", "--strategy", "transaction", "--isolation",
                            c.isolation, "--dsn", server().dsn()},
                           c.exit);
    ASSERT_TRUE(j.is_object());
    EXPECT_EQ(j["isolation"], c.isolation);
    EXPECT_EQ(j["server_transactions"], true);
    EXPECT_EQ(j["exhaustive"], true);
    EXPECT_EQ(j["interleavings"], 30);
    EXPECT_EQ(j["histogram"], c.histogram) << j["histogram"].dump();
    EXPECT_EQ(j["aborted_interleavings"], c.retried);
    EXPECT_EQ(j["retries"], c.retried);
    EXPECT_EQ(j["model_mismatches"], 0);
    EXPECT_EQ(j["min"]["confirmed"], true);
  }
  // The shortest losing schedule at read committed: worker 2 reads first, then the tail runs
  // worker 1's whole transaction before 2W.
  const auto rc = explore({"-w", "2", "-n", "1", "--strategy", "transaction", "--isolation",
                           "read-committed", "--goal", "min", "--dsn", server().dsn()},
                          3);
  EXPECT_EQ(rc["shortest_losing"], "2L 2R");
  EXPECT_EQ(rc["shortest_losing_final"]["confirmed"], true);
  EXPECT_EQ(run_schemas(), 0);
}

// for-update: the row lock is taken by the SELECT, so the R..U stretches never overlap: 2L in any
// of 5 places among worker 1's four steps, and the other way round: 10, none losing an update.
TEST_F(PgExploreDsn, ForUpdateOverlapsOnlyItsBegins) {
  const auto j =
      explore({"-w", "2", "-n", "1", "--strategy", "for-update", "--dsn", server().dsn()}, 0);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["interleavings"], 10);
  EXPECT_EQ(j["histogram"], (nlohmann::json{{"2", 10}}));
  EXPECT_EQ(j["retries"], 0);
  EXPECT_EQ(j["model_mismatches"], 0);
}

TEST(PgExploreOptions, DsnAndIsolationAreRefusedOffPostgres) {
  TempDir tmp;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"explore", "--backend", "sqlite", "--dsn", "dbname=x"},
        std::vector<std::string>{"explore", "--backend", "sqlite", "--strategy", "transaction",
                                 "--isolation", "read-committed"},
        std::vector<std::string>{"explore", "--backend", "postgres", "--strategy", "none",
                                 "--isolation", "read-committed"}}) {
    const Outcome o = run_shmlab(args, tmp, 30);
    EXPECT_EQ(o.exit_code, 2) << o.err;
    expect_nothing_left(o, tmp);
  }
}

}  // namespace
}  // namespace shmlab::test
