// `shmlab bench --backends postgres` through the real binary, on a real throwaway server: a row for
// each strategy that fits postgres, exact counts where the strategy is exact, pgbench beside
// atomic, for-update, cas, transaction and advisory, and nothing of the server left afterwards.
// Never speed. One bench invocation (one server) per test.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "pg_test_support.hpp"
#include "shmlab/bench/pgbench_peer.hpp"
#include "shmlab/pg/connection.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

using nlohmann::json;

const std::vector<std::string> kStrategies = {"none",        "atomic",     "cas",
                                              "transaction", "for-update", "advisory"};

// The server's directory, from the line that says what its start-up cost.
std::string server_dir(const std::string& err) {
  const std::string key = "shared by every postgres measurement: ";
  const std::size_t at = err.find(key);
  if (at == std::string::npos) return {};
  const std::size_t from = at + key.size();
  return err.substr(from, err.find('\n', from) - from);
}

const json* find_row(const json& rows, const std::string& key, const std::string& name,
                     const std::string& backend, int workers) {
  for (const json& r : rows) {
    if (r[key] == name && r["backend"] == backend && r["workers"] == workers) return &r;
  }
  return nullptr;
}

// Nothing of the run's server remains, nor anything else of the run in TMPDIR or /dev/shm.
void expect_nothing_left(const Outcome& o, const PgScratch& scratch) {
  const std::string dir = server_dir(o.err);
  ASSERT_FALSE(dir.empty()) << "no start-up line in:\n" << o.err;
  expect_server_gone(dir, dir + "/data", 0);
  EXPECT_TRUE(scratch.temp_dir().entries().empty());
  EXPECT_TRUE(shm_leftovers(o.pid).empty());
}

TEST(BenchPg, EveryFittingStrategyHasExactRowsAndEachSqlStrategyRunsBesidePgbench) {
  PgScratch scratch;
  std::vector<std::string> args = {
      "bench",    "--backends", "sqlite,postgres", "--workers", "1,2",    "--duration",  "0.05",
      "--warmup", "0.02",       "--repeat",        "1",         "--json", "--strategies"};
  std::string list;
  for (const std::string& s : kStrategies) list += (list.empty() ? "" : ",") + s;
  args.push_back(list);
  const Outcome o = run_shmlab(args, scratch.temp_dir(), 280);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.err.find("started a throwaway PostgreSQL server in"), std::string::npos) << o.err;
  const json j = json::parse(o.out);

  for (const std::string& s : kStrategies) {
    for (int w : {1, 2}) {
      SCOPED_TRACE(s + " × " + std::to_string(w));
      const json* row = find_row(j["results"], "strategy", s, "postgres", w);
      ASSERT_NE(row, nullptr) << j["results"];
      const json& sample = (*row)["samples"][0];
      ASSERT_GT(sample["ops_total"].get<long long>(), 0);
      // Exact: every operation counted once in the table (none too, with one worker).
      if (s != "none" || w == 1) {
        EXPECT_EQ((*row)["lost_updates"], 0);
        EXPECT_EQ(sample["final"], sample["ops_total"]);
      } else {
        EXPECT_LE(sample["final"].get<long long>(), sample["ops_total"].get<long long>());
      }
      for (const char* key : {"ops_per_s", "p50_ns", "p99_ns", "retries_per_op"})
        EXPECT_TRUE((*row)[key].is_number()) << key << " in " << *row;
      // With one worker nothing conflicts: no retry.
      if (w == 1) {
        EXPECT_EQ((*row)["retries"], 0);
      }
    }
  }
  // sqlite's rows beside them, for the strategies that fit it.
  for (const char* s : {"none", "atomic", "cas", "transaction"})
    EXPECT_NE(find_row(j["results"], "strategy", s, "sqlite", 2), nullptr) << s;

  ASSERT_TRUE(j.contains("postgres")) << j;
  EXPECT_GT(j["postgres"]["startup_s"].get<double>(), 0);
  std::string why;
  ASSERT_TRUE(PgbenchPeer::find(why).has_value())
      << "pgbench is part of the server's package: " << why;
  EXPECT_TRUE(j["postgres"]["pgbench"].is_string()) << j["postgres"];
  for (const auto& [strategy, peer] :
       {std::pair<std::string, std::string>{"atomic", "pgbench-update"},
        {"for-update", "pgbench-for-update"},
        {"cas", "pgbench-cas"},
        {"transaction", "pgbench-transaction"},
        {"advisory", "pgbench-advisory"}}) {
    for (int w : {1, 2}) {
      SCOPED_TRACE(peer + " × " + std::to_string(w));
      const json* row = find_row(j["results"], "strategy", strategy, "postgres", w);
      ASSERT_NE(row, nullptr);
      EXPECT_EQ((*row)["bare"], peer);
      EXPECT_GT((*row)["ratio_to_bare"].get<double>(), 0);
      EXPECT_EQ((*row)["ratios_to_bare"].size(), 1u);  // one per repetition, paired
      const json* p = find_row(j["peers"], "name", peer, "postgres", w);
      ASSERT_NE(p, nullptr) << j["peers"];
      EXPECT_EQ((*p)["kind"], "peer");
      const json& sample = (*p)["samples"][0];
      // pgbench did the strategy's work, warm-up included, as whole transactions per client.
      const long long per_client =
          std::max<long long>(1, (*row)["samples"][0]["ops_total"].get<long long>() / w);
      EXPECT_EQ(sample["ops_total"], per_client * w);
      // And the row says it added exactly that: the count is read back, not taken from pgbench
      // (cas and transaction: each transaction pgbench reports counted once, whatever its retries).
      EXPECT_EQ(sample["final"], sample["ops_total"]);
      EXPECT_EQ((*p)["lost_updates"], 0);
      EXPECT_GT((*p)["ops_per_s"].get<double>(), 0);
      // One client conflicts with no one: no retry.
      if (w == 1) {
        EXPECT_EQ(sample["retries"], 0);
      }
    }
  }
  // none has no reference.
  EXPECT_TRUE((*find_row(j["results"], "strategy", "none", "postgres", 1))["bare"].is_null());
  expect_nothing_left(o, scratch);
}

TEST(BenchPg, WithoutPgbenchTheRowsStayAndTheOutputSaysWhy) {
  PgScratch scratch;
  ::setenv("SHMLAB_PGBENCH", "/nonexistent/pgbench", 1);
  const Outcome o =
      run_shmlab({"bench", "--backends", "postgres", "--strategies", "atomic", "--workers", "1",
                  "--duration", "0.05", "--warmup", "0.01", "--repeat", "1", "--json"},
                 scratch.temp_dir(), 120);
  ::unsetenv("SHMLAB_PGBENCH");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.err.find("no pgbench rows: SHMLAB_PGBENCH=/nonexistent/pgbench"), std::string::npos)
      << o.err;
  const json j = json::parse(o.out);
  ASSERT_EQ(j["results"].size(), 1u) << j["results"];
  EXPECT_EQ(j["results"][0]["lost_updates"], 0);
  EXPECT_TRUE(j["results"][0]["bare"].is_null());
  EXPECT_TRUE(j["results"][0]["ratio_to_bare"].is_null());
  EXPECT_TRUE(j["peers"].empty()) << j["peers"];
  EXPECT_TRUE(j["postgres"]["pgbench"].is_null());
  EXPECT_NE(j["postgres"]["pgbench_missing"].get<std::string>().find("/nonexistent/pgbench"),
            std::string::npos);
  expect_nothing_left(o, scratch);
}

// A pgbench that is there but fails fails its measurements (exit 4, naming it); the strategy's own
// row is measured and printed all the same, and the server goes.
TEST(BenchPg, APgbenchThatFailsIsAFailedPeerRowAndTheServerGoes) {
  PgScratch scratch;
  ::setenv("SHMLAB_PGBENCH", "/bin/false", 1);
  const Outcome o =
      run_shmlab({"bench", "--backends", "postgres", "--strategies", "atomic", "--workers", "1",
                  "--duration", "0.05", "--warmup", "0.01", "--repeat", "1", "--json"},
                 scratch.temp_dir(), 120);
  ::unsetenv("SHMLAB_PGBENCH");
  EXPECT_EQ(o.exit_code, 4) << o.err;
  const json j = json::parse(o.out);
  ASSERT_EQ(j["results"].size(), 1u) << j;
  EXPECT_EQ(j["results"][0]["strategy"], "atomic");
  EXPECT_EQ(j["results"][0]["lost_updates"], 0);
  EXPECT_GT(j["results"][0]["ops_per_s"].get<double>(), 0);
  EXPECT_TRUE(j["peers"].empty()) << j["peers"];
  ASSERT_EQ(j["failures"].size(), 1u) << j;
  const json& f = j["failures"][0];
  EXPECT_EQ(f["kind"], "peer");
  EXPECT_EQ(f["name"], "pgbench-update");
  EXPECT_EQ(f["backend"], "postgres");
  EXPECT_EQ(f["workers"], 1);
  EXPECT_EQ(f["reason"].get<std::string>().rfind("pgbench failed (exit 1): /bin/false", 0), 0u)
      << f;
  expect_nothing_left(o, scratch);
}

// --dsn: an existing server, here one the test starts and reaches over TCP with a password that
// libpq would have to unescape (a ':' for the passfile, a quote for the conninfo). The bench makes
// no server, its rows and pgbench's are there and exact, the password is printed nowhere, and the
// server holds no schema of the bench afterwards. With prepared statements on both sides.
TEST(BenchPg, OnAnExistingServerTheRowsAndPgbenchsAreThereAndNoSchemaRemains) {
  PgScratch scratch;
  pg::ThrowawayServer server = pg::ThrowawayServer::start(scratch.tcp_options("s3cret:pw'x"));
  ASSERT_NE(server.tcp_dsn().find("password="), std::string::npos);
  TempDir tmp;
  const Outcome o =
      run_shmlab({"bench", "--backends", "postgres", "--dsn", server.tcp_dsn(), "--strategies",
                  "atomic,for-update,cas", "--workers", "1,2", "--duration", "0.05", "--warmup",
                  "0.02", "--repeat", "1", "--pg-query-mode", "prepared", "--json"},
                 tmp, 200);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.err.find("started a throwaway"), std::string::npos) << o.err;
  EXPECT_EQ(o.out.find("s3cret"), std::string::npos);
  EXPECT_EQ(o.err.find("s3cret"), std::string::npos) << o.err;
  const json j = json::parse(o.out);
  EXPECT_EQ(j["postgres"]["server"], "dsn");
  EXPECT_EQ(j["postgres"]["pgbench_query_mode"], "prepared");
  EXPECT_NE(j["postgres"]["dsn"].get<std::string>().find("host="), std::string::npos);
  for (const std::string s : {"atomic", "for-update", "cas"}) {
    for (int w : {1, 2}) {
      SCOPED_TRACE(s + " × " + std::to_string(w));
      const json* row = find_row(j["results"], "strategy", s, "postgres", w);
      ASSERT_NE(row, nullptr) << j["results"];
      EXPECT_EQ((*row)["lost_updates"], 0);
      EXPECT_GT((*row)["samples"][0]["ops_total"].get<long long>(), 0);
    }
  }
  for (const char* peer : {"pgbench-update", "pgbench-for-update"}) {
    for (int w : {1, 2}) {
      SCOPED_TRACE(std::string(peer) + " × " + std::to_string(w));
      const json* p = find_row(j["peers"], "name", peer, "postgres", w);
      ASSERT_NE(p, nullptr) << j["peers"];
      const json& sample = (*p)["samples"][0];
      EXPECT_GT(sample["ops_total"].get<long long>(), 0);
      EXPECT_EQ(sample["final"], sample["ops_total"]);
    }
  }
  pg::Connection c = pg::Connection::connect(server.dsn());
  EXPECT_EQ(c.exec("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'shmlab\\_%'").int64(0, 0),
            0);
  EXPECT_TRUE(tmp.entries().empty());
  EXPECT_TRUE(shm_leftovers(o.pid).empty());
}

// A postgres worker that fails mid-measurement (SHMLAB_TEST_BENCH_FAIL) fails that measurement
// alone: the other strategy's row is measured and exact, exit 4, and the failed measurement's
// schema is dropped from the server like every other.
TEST(BenchPg, AFailedWorkerLeavesNoSchemaAndTheOtherRowsStand) {
  PgScratch scratch;
  pg::ThrowawayServer server = pg::ThrowawayServer::start(scratch.options());
  TempDir tmp;
  ::setenv("SHMLAB_TEST_BENCH_FAIL", "for-update", 1);
  ::setenv("SHMLAB_PGBENCH", "/nonexistent/pgbench", 1);  // no peer rows: not what is tested
  const Outcome o = run_shmlab({"bench", "--backends", "postgres", "--dsn", server.dsn(),
                                "--strategies", "atomic,for-update", "--workers", "2", "--duration",
                                "0.05", "--warmup", "0.02", "--repeat", "1", "--json"},
                               tmp, 200);
  ::unsetenv("SHMLAB_TEST_BENCH_FAIL");
  ::unsetenv("SHMLAB_PGBENCH");
  EXPECT_EQ(o.exit_code, 4) << o.err;
  const json j = json::parse(o.out);
  const json* row = find_row(j["results"], "strategy", "atomic", "postgres", 2);
  ASSERT_NE(row, nullptr) << j["results"];
  EXPECT_EQ((*row)["lost_updates"], 0);
  EXPECT_GT((*row)["samples"][0]["ops_total"].get<long long>(), 0);
  EXPECT_EQ(find_row(j["results"], "strategy", "for-update", "postgres", 2), nullptr);
  ASSERT_EQ(j["failures"].size(), 1u) << j;
  EXPECT_EQ(j["failures"][0]["name"], "for-update");
  EXPECT_NE(j["failures"][0]["reason"].get<std::string>().find(
                "SHMLAB_TEST_BENCH_FAIL=for-update: worker 1 failed on purpose"),
            std::string::npos)
      << j["failures"];
  pg::Connection c = pg::Connection::connect(server.dsn());
  EXPECT_EQ(c.exec("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'shmlab\\_%'").int64(0, 0),
            0);
  EXPECT_TRUE(tmp.entries().empty());
  EXPECT_TRUE(shm_leftovers(o.pid).empty());
}

// A pgbench row runs the work its strategy's row did in the same repetition. When that row failed
// (SHMLAB_TEST_BENCH_FAIL: atomic fails every time), pgbench is not run with some other count: in
// each repetition its row is a failure saying why, and for-update's pair stands beside it.
TEST(BenchPg, APgbenchRowWhoseStrategyFailedInThisRepetitionIsNotMeasured) {
  PgScratch scratch;
  ::setenv("SHMLAB_TEST_BENCH_FAIL", "atomic", 1);
  const Outcome o = run_shmlab(
      {"bench", "--backends", "postgres", "--strategies", "atomic,for-update", "--workers", "1",
       "--duration", "0.05", "--warmup", "0.01", "--repeat", "2", "--json"},
      scratch.temp_dir(), 200);
  ::unsetenv("SHMLAB_TEST_BENCH_FAIL");
  EXPECT_EQ(o.exit_code, 4) << o.err;
  const json j = json::parse(o.out);
  EXPECT_EQ(find_row(j["results"], "strategy", "atomic", "postgres", 1), nullptr) << j["results"];
  EXPECT_EQ(find_row(j["peers"], "name", "pgbench-update", "postgres", 1), nullptr) << j["peers"];
  const json* row = find_row(j["results"], "strategy", "for-update", "postgres", 1);
  ASSERT_NE(row, nullptr) << j["results"];
  EXPECT_EQ((*row)["ratios_to_bare"].size(), 2u);  // paired in both repetitions
  ASSERT_NE(find_row(j["peers"], "name", "pgbench-for-update", "postgres", 1), nullptr)
      << j["peers"];
  ASSERT_EQ(j["failures"].size(), 4u) << j["failures"];
  for (int rep : {1, 2}) {
    SCOPED_TRACE("repetition " + std::to_string(rep));
    const auto is = [&](const char* kind, const char* name) {
      return [=](const json& f) {
        return f["kind"] == kind && f["name"] == name && f["repetition"] == rep;
      };
    };
    const auto& f = j["failures"];
    EXPECT_EQ(std::count_if(f.begin(), f.end(), is("strategy", "atomic")), 1) << f;
    const auto peer = std::find_if(f.begin(), f.end(), is("peer", "pgbench-update"));
    ASSERT_NE(peer, f.end()) << f;
    EXPECT_EQ((*peer)["reason"],
              "not measured: its shmlab row failed in this repetition, nothing to pair with");
  }
  expect_nothing_left(o, scratch);
}

TEST(BenchPg, DsnWithoutPostgresIsBadUsage) {
  TempDir tmp;
  const Outcome o = run_shmlab(
      {"bench", "--backends", "sqlite", "--dsn", "host=/nowhere", "--strategies", "atomic"}, tmp,
      30);
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_NE(o.err.find("--dsn: only --backends postgres"), std::string::npos) << o.err;
}

}  // namespace
}  // namespace shmlab::test
