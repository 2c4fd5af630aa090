// The control relay of `--hosts` runs on a real server, both ends in this process: a coordinator's
// block and a worker's private replica joined only by the run's schema. What the worker does
// in its replica (arrive, ask for a step, count, log a write, trace, fail) must reach the
// coordinator's block, and what the coordinator does (go, grant, abort) the replica; the params
// row must not carry the password.
#include "shmlab/run/control_relay.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>

#include "pg/pg_test_support.hpp"
#include "shmlab/pg/run_schema.hpp"
#include "shmlab/schedule/step_gate.hpp"
#include "shmlab/sys/clock.hpp"

namespace shmlab::test {
namespace {

using PgControlRelay = PgServerTest;

constexpr const char* kRunId = "shmlab-1-0000beef";
constexpr const char* kSecret = "s3cr3t-of-the-run";

RunParams params_with_password(const std::string& schema) {
  RunParams p;
  p.workers = 2;
  p.increments = 3;
  p.backend = Backend::kPostgres;
  p.strategy = Strategy::kAtomic;
  p.scheduled = true;
  std::strncpy(p.run_id, kRunId, sizeof(p.run_id) - 1);
  const std::string path = "schema=" + schema + " host=10.0.0.1 password=" + kSecret + " port=5";
  std::strncpy(p.region_path, path.c_str(), sizeof(p.region_path) - 1);
  return p;
}

// Waits (at most 10 s) for `done`; the relays run on their own threads.
bool eventually(const std::function<bool()>& done) {
  const std::int64_t deadline = sys::monotonic_ns() + 10'000'000'000;
  while (!done()) {
    if (sys::monotonic_ns() > deadline) return false;
    sys::sleep_ns(1'000'000);
  }
  return true;
}

// A coordinator's block and worker `index`'s replica, joined only by a fresh run schema.
struct Joined {
  Joined(const std::string& dsn, std::uint32_t index)
      : schema(pg::RunSchema::create(pg::Connection::connect(dsn), kRunId)),
        coordinator(ControlBlock::create_private(params_with_password(schema.name()))),
        up(dsn, schema.name(), coordinator),
        replica(replica_of(dsn, schema.name())),
        worker(pg::Connection::connect(dsn), dsn, schema.name(), replica, index) {}

  static ControlBlock replica_of(const std::string& dsn, const std::string& schema) {
    pg::Connection c = pg::Connection::connect(dsn);
    return ControlBlock::create_private(read_control_params(c, schema));
  }

  pg::RunSchema schema;
  ControlBlock coordinator;
  CoordinatorRelay up;
  ControlBlock replica;
  WorkerRelay worker;
};

TEST_F(PgControlRelay, ParamsRowCarriesTheRunWithoutItsPassword) {
  pg::RunSchema schema = pg::RunSchema::create(pg::Connection::connect(server().dsn()), kRunId);
  ControlBlock coordinator = ControlBlock::create_private(params_with_password(schema.name()));
  CoordinatorRelay sut(server().dsn(), schema.name(), coordinator);

  pg::Connection observer = pg::Connection::connect(server().dsn());
  const std::string row(
      observer.exec("SELECT encode(body, 'escape') FROM " + schema.qualified("control_params"))
          .value(0, 0));
  EXPECT_EQ(row.find(kSecret), std::string::npos);
  const RunParams read = read_control_params(observer, schema.name());
  EXPECT_EQ(std::string(read.region_path), "schema=" + schema.name() + " host=10.0.0.1 port=5");
  EXPECT_EQ(read.workers, 2u);
  EXPECT_EQ(read.increments, 3u);
  EXPECT_EQ(read.strategy, Strategy::kAtomic);
  EXPECT_TRUE(read.scheduled);
}

TEST_F(PgControlRelay, WorkersReplicaAndCoordinatorsBlockMeetOnlyThroughTheSchema) {
  Joined j(server().dsn(), 1);
  ControlBlock& coordinator = j.coordinator;
  ControlBlock& replica = j.replica;
  WorkerSlot& mine = replica.slot(1);
  WorkerSlot& theirs = coordinator.slot(1);

  // The start: the worker arrives in its replica, the coordinator counts it and opens.
  replica.header().start.arrive();
  ASSERT_TRUE(eventually([&] { return coordinator.header().start.arrived() == 1; }));
  coordinator.header().start.open();
  ASSERT_TRUE(eventually([&] { return replica.header().start.is_open(); }));

  // A step gate: asked in the replica, granted by the coordinator, exactly once.
  publish_step(mine, static_cast<std::uint32_t>(Step::kAtomic));
  ASSERT_TRUE(eventually(
      [&] { return theirs.gate_wanted.load() == static_cast<std::uint32_t>(Step::kAtomic); }));
  grant_step(theirs);
  ASSERT_TRUE(eventually([&] { return mine.gate_granted.load() == 1; }));
  EXPECT_EQ(mine.gate_wanted.load(), kGateNone);
  sys::sleep_ns(50'000'000);  // the old request, read again, is not a second one
  EXPECT_EQ(theirs.gate_wanted.load(), kGateNone);
  EXPECT_EQ(theirs.gate_granted.load(), 1u);

  // Results: a logged write, a trace event, counters, and then a failure with its text.
  replica.write_log(1)[0] = WriteEntry{0, 41, 42, 7, 0, WriteEntry::kLogged, 0, 5};
  TraceEvent e;
  e.step = 'A';
  e.before = 41;
  e.after = 42;
  replica.trace(1).push(e);
  mine.retries.store(2);
  mine.ops.store(1);
  std::strncpy(mine.error, "connection lost, SQLSTATE 08006", sizeof(mine.error) - 1);
  mine.state.store(WorkerState::kFailed);
  j.worker.finish();
  j.up.finish();
  EXPECT_EQ(theirs.state.load(), WorkerState::kFailed);
  EXPECT_STREQ(theirs.error, "connection lost, SQLSTATE 08006");
  EXPECT_EQ(theirs.ops.load(), 1u);
  EXPECT_EQ(theirs.retries.load(), 2u);
  EXPECT_EQ(coordinator.write_log(1)[0].value_written, 42);
  EXPECT_EQ(coordinator.write_log(1)[0].logged, WriteEntry::kLogged);
  const std::vector<TraceEvent> trace = coordinator.trace(1).snapshot();
  ASSERT_EQ(trace.size(), 1u);
  EXPECT_EQ(trace[0].step, 'A');
  EXPECT_EQ(trace[0].after, 42);
  // Worker 1's slot, not worker 0's.
  EXPECT_EQ(coordinator.slot(0).ops.load(), 0u);
}

TEST_F(PgControlRelay, CoordinatorsAbortReachesAWorkerWaitingAtItsGate) {
  Joined j(server().dsn(), 0);
  ControlBlock& coordinator = j.coordinator;
  ControlBlock& replica = j.replica;

  coordinator.header().abort.store(1);
  StepGate gate(replica.header(), replica.slot(0));
  EXPECT_FALSE(gate.pass(Step::kRead));  // returns once the abort arrived, instead of a grant
  // The relay stores `abort` before it opens the start (a worker let through the start must
  // already see the abort), so the gate can return a moment before the start is open.
  EXPECT_TRUE(eventually([&] { return replica.header().start.is_open(); }));
}

}  // namespace
}  // namespace shmlab::test
