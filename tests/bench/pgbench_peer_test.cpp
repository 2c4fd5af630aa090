// What the bench reads from pgbench: its summary and its per-transaction log, on text of the form
// pgbench 15 prints (no server needed).
#include "shmlab/bench/pgbench_peer.hpp"

#include <gtest/gtest.h>

#include "shmlab/analysis/bench_stats.hpp"

namespace shmlab {
namespace {

constexpr const char* kSummary =
    "transaction type: /tmp/x/shmlab-1-ab-pgbench.sql\n"
    "scaling factor: 1\n"
    "query mode: extended\n"
    "number of clients: 2\n"
    "number of threads: 2\n"
    "maximum number of tries: 1\n"
    "number of transactions per client: 500\n"
    "number of transactions actually processed: 1000/1000\n"
    "number of failed transactions: 0 (0.000%)\n"
    "latency average = 0.187 ms\n"
    "initial connection time = 4.201 ms\n"
    "tps = 10672.454990 (without initial connection time)\n";

TEST(PgbenchReport, ParsesProcessedTpsAndMeanLatency) {
  const auto sut = parse_pgbench_report(kSummary);
  ASSERT_TRUE(sut.has_value());
  EXPECT_EQ(sut->processed, 1000u);
  EXPECT_DOUBLE_EQ(sut->tps, 10672.454990);
  EXPECT_DOUBLE_EQ(sut->latency_avg_ms, 0.187);
}

TEST(PgbenchReport, ParsesRetriesAndFailuresWhenPgbenchRetries) {
  const std::string text = std::string(kSummary) +
                           "number of transactions retried: 40 (4.000%)\n"
                           "total number of retries: 57\n";
  const auto sut = parse_pgbench_report(text);
  ASSERT_TRUE(sut.has_value());
  EXPECT_EQ(sut->retries, 57u);
  EXPECT_EQ(sut->failed, 0u);
  const auto without = parse_pgbench_report(kSummary);
  EXPECT_EQ(without->retries, 0u);
}

TEST(PgbenchReport, NoneWithoutTheSummary) {
  EXPECT_FALSE(parse_pgbench_report("pgbench: error: connection to server failed\n"));
}

TEST(PgbenchWindow, CountsTransactionsStartedAfterTheWarmupOverTheTimeToTheLastEnd) {
  // client, transaction, latency µs, script, end (s, µs). First start: 100.000000.
  const std::string log =
      "0 0 100000 0 100 100000\n"  // 100.0–100.1: in the warm-up (0.15 s)
      "1 0 100000 0 100 150000\n"  // 100.05–100.15: starts in the warm-up
      "0 1 200000 0 100 400000\n"  // 100.2–100.4: measured
      "1 1 250000 0 100 450000\n"  // 100.2–100.45: measured
      "0 2 failed 0 100 500000\n"  // a failed one is not a transaction done
      "1 2 50000 0 101 150000\n";  // 101.1–101.15: measured; the window ends here
  const PgbenchWindow sut = pgbench_window(log, 0.15);
  EXPECT_EQ(sut.transactions, 5u);
  EXPECT_EQ(sut.measured, 3u);
  EXPECT_NEAR(sut.window_s, 1.0, 1e-6);  // 100.15 → 101.15
  EXPECT_NEAR(sut.ops_per_s, 3.0, 1e-6);
  // The median of 50, 200 and 250 ms, within the histogram's buckets (±2.2 %).
  EXPECT_NEAR(sut.p50_ns, 200e6, 200e6 * 0.03);
  EXPECT_LE(sut.p50_ns, sut.p99_ns);
}

TEST(PgbenchWindow, CountsTheRetriesOfTheMeasuredTransactionsFromTheLogsLastField) {
  // With --max-tries: one more field, the transaction's retries.
  const std::string log =
      "0 0 100000 0 100 100000 5\n"  // in the warm-up: its 5 retries are not counted
      "0 1 100000 0 100 300000 2\n"
      "1 0 100000 0 100 400000 0\n"
      "1 1 100000 0 100 500000 1\n";
  const PgbenchWindow sut = pgbench_window(log, 0.1);
  EXPECT_EQ(sut.measured, 3u);
  EXPECT_EQ(sut.retries, 3u);
}

TEST(PgbenchWindow, ARunShorterThanTheWarmupIsMeasuredWhole) {
  const PgbenchWindow sut = pgbench_window("0 0 1000 0 5 1000\n0 1 1000 0 5 2000\n", 1.0);
  EXPECT_EQ(sut.measured, 2u);
  EXPECT_NEAR(sut.window_s, 0.002, 1e-9);
}

TEST(PgbenchScript, ForUpdateLocksTheRowAndWritesTheValueItRead) {
  const std::string sut = pgbench_script(BarePrimitive::kPgbenchForUpdate, "\"s\".\"cells\"");
  EXPECT_NE(sut.find("BEGIN;"), std::string::npos);
  EXPECT_NE(sut.find("FOR UPDATE \\gset"), std::string::npos);
  EXPECT_NE(sut.find("SET value = :v + 1"), std::string::npos);
  EXPECT_NE(sut.find("COMMIT;"), std::string::npos);
  EXPECT_EQ(pgbench_script(BarePrimitive::kPgbenchUpdate, "t"),
            "UPDATE t SET value = value + 1 WHERE id = 0;\n");
}

// --dsn's password goes to a passfile, never to pgbench's command line; libpq reads the rest.
TEST(PgbenchDsn, AUrisPasswordIsTakenOutDecodedAndTheRestKept) {
  const PgbenchDsn sut =
      split_pgbench_dsn("postgresql://me:p%3Ass@db.example:5433/lab?sslmode=disable");
  ASSERT_TRUE(sut.password.has_value());
  EXPECT_EQ(*sut.password, "p:ss");
  EXPECT_EQ(sut.conninfo.find("p%3Ass"), std::string::npos) << sut.conninfo;
  EXPECT_EQ(sut.conninfo.find("p:ss"), std::string::npos) << sut.conninfo;
  for (const char* kept :
       {"user='me'", "host='db.example'", "port='5433'", "dbname='lab'", "sslmode='disable'"})
    EXPECT_NE(sut.conninfo.find(kept), std::string::npos) << kept << " in " << sut.conninfo;
}

TEST(PgbenchDsn, AQuotedKeywordPasswordIsUnquoted) {
  const PgbenchDsn sut = split_pgbench_dsn(R"(host=/tmp/x password='a b\'c' dbname=d)");
  ASSERT_TRUE(sut.password.has_value());
  EXPECT_EQ(*sut.password, "a b'c");
  EXPECT_EQ(sut.conninfo.find("password"), std::string::npos) << sut.conninfo;
}

TEST(PgbenchDsn, EmptyMeansLibpqsEnvironmentAndNoPassword) {
  const PgbenchDsn sut = split_pgbench_dsn("");
  EXPECT_EQ(sut.conninfo, "");
  EXPECT_FALSE(sut.password.has_value());
  EXPECT_FALSE(split_pgbench_dsn("host=/tmp/x").password.has_value());
}

TEST(PgbenchDsn, WhatLibpqCannotParseIsRefusedWithoutThePassword) {
  try {
    split_pgbench_dsn("host=/tmp password=hush nosuchkeyword=1");
    FAIL() << "accepted an unknown keyword";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("nosuchkeyword"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("hush"), std::string::npos) << e.what();
  }
}

TEST(PgbenchDsn, ThePassfileLineEscapesColonAndBackslash) {
  EXPECT_EQ(pgpass_line(R"(a:b\c)"), R"(*:*:*:*:a\:b\\c)"
                                     "\n");
}

TEST(PgbenchScript, CasReadsTheValueAndItsWriteIdAndRetriesAFailedCompareAsASerializationFailure) {
  const std::string sut = pgbench_script(BarePrimitive::kPgbenchCas, "t");
  EXPECT_NE(sut.find("SELECT value AS v, write_id AS w FROM t WHERE id = 0 \\gset"),
            std::string::npos)
      << sut;
  EXPECT_NE(sut.find("WHERE id = 0 AND value = :v AND write_id = :w RETURNING 1 AS ok \\aset"),
            std::string::npos)
      << sut;
  // ok starts at 0 and stays 0 when the UPDATE returns no row: then a 40001, which pgbench retries.
  EXPECT_LT(sut.find("\\set ok 0"), sut.find("UPDATE"));
  EXPECT_NE(sut.find("\\if :ok = 0"), std::string::npos);
  EXPECT_NE(sut.find("ERRCODE = 'serialization_failure'"), std::string::npos);
  EXPECT_EQ(sut.find("BEGIN;"), std::string::npos);  // autocommit, as cas
}

TEST(PgbenchScript, TransactionIsSerializableAndAdvisoryLocksTheKeyShmlabLocks) {
  const std::string tx = pgbench_script(BarePrimitive::kPgbenchTransaction, "t");
  EXPECT_EQ(tx.rfind("BEGIN ISOLATION LEVEL SERIALIZABLE;\n", 0), 0u) << tx;
  EXPECT_NE(tx.find("UPDATE t SET value = :v + 1 WHERE id = 0;\nCOMMIT;"), std::string::npos);
  const std::string adv = pgbench_script(BarePrimitive::kPgbenchAdvisory, "t", "shmlab_1_a'b");
  EXPECT_NE(adv.find("SELECT pg_advisory_xact_lock(hashtext('shmlab_1_a''b'));"), std::string::npos)
      << adv;
  EXPECT_LT(adv.find("pg_advisory_xact_lock"), adv.find("SELECT value"));
  EXPECT_NE(adv.find("COMMIT;"), std::string::npos);
}

TEST(PgbenchStrategy, EachPgbenchPrimitiveIsItsStrategysReference) {
  for (BarePrimitive p :
       {BarePrimitive::kPgbenchUpdate, BarePrimitive::kPgbenchForUpdate, BarePrimitive::kPgbenchCas,
        BarePrimitive::kPgbenchTransaction, BarePrimitive::kPgbenchAdvisory}) {
    EXPECT_EQ(bare_primitive_for(pgbench_strategy(p), Backend::kPostgres), p);
  }
}

}  // namespace
}  // namespace shmlab
