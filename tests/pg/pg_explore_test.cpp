// `explore --backend postgres` on a real server: `--dsn` (a server the test started, not
// explore's own), whose counts must be those of explore's throwaway server, with no schema left
// on it afterwards.
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
