// `run --backend postgres --dsn URI --remote-workers`: a coordinator that spawns no worker. The
// test starts a server of its own (TCP, with a password), the coordinator, and each `shmlab worker`
// itself, as its own children (not the coordinator's), with the command the coordinator printed
// and the password in PGPASSWORD only. They check the known outcome of a strategy and a schedule,
// a worker never started, a worker SIGKILLed mid-run (seen by its missing server session), a stuck
// one, and that nothing is left: no schema on the server, no /dev/shm object, no file.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "pg/pg_test_support.hpp"
#include "shmlab/hosts/simulated_hosts.hpp"
#include "shmlab/pg/connection.hpp"
#include "shmlab/run/coordinator.hpp"
#include "shmlab/sys/shell_quote.hpp"
#include "support/expect.hpp"

namespace shmlab::test {
namespace {

constexpr const char* kPassword = "s3cret:pw'x";

class PgRemoteWorkers : public ::testing::Test {
 protected:
  void SetUp() override { start_server("127.0.0.1", "127.0.0.1/32"); }

  // Over TCP on `address`, for clients from `clients`, with a password.
  void start_server(const std::string& address, const std::string& clients) {
    server_ = std::make_unique<pg::ThrowawayServer>(
        pg::ThrowawayServer::start(scratch_.tcp_options(kPassword, address, clients)));
  }

  // The schemas of runs on the server (a coordinator makes one per run, drops it at the end).
  std::vector<std::string> run_schemas() {
    pg::Connection c = pg::Connection::connect(server_->dsn());
    const pg::Result r =
        c.exec("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'shmlab\\_%' ORDER BY 1");
    std::vector<std::string> out;
    for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.value(i, 0));
    return out;
  }

  // The run's name, from its schema (shmlab_<pid>_<hex> of shmlab-<pid>-<hex>), once it has
  // its control tables.
  std::string wait_for_run() {
    for (int i = 0; i < 600; ++i) {
      pg::Connection c = pg::Connection::connect(server_->dsn());
      const pg::Result r = c.exec(
          "SELECT table_schema FROM information_schema.tables WHERE table_name = "
          "'control_workers'");
      if (r.rows() == 1) {
        std::string run(r.value(0, 0));
        for (char& ch : run)
          if (ch == '_') ch = '-';
        return run;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "";
  }

  // `shmlab worker` as the coordinator prints it, run by the test (through sh, which writes its
  // PID to `pid_file` and execs the worker: the same process).
  Outcome run_worker(const std::string& run, int index, const std::string& pid_file) {
    const std::string dsn = pg::dsn_without_password(server_->tcp_dsn());
    const std::string script = "echo $$ > \"$1\"; exec " + (index == 1 ? worker2_prefix_ : "") +
                               "env PGPASSWORD=\"$2\" \"$0\" worker --dsn " +
                               sys::shell_quote(dsn) + " --run " + run + " --index " +
                               std::to_string(index);
    return run_program({"/bin/sh", "-c", script, shmlab_binary(), pid_file, kPassword}, tmp_, 120);
  }

  // The coordinator prints each worker's command, without the password.
  void expect_commands(const Outcome& o, const std::string& run, int workers) {
    const std::string dsn = pg::dsn_without_password(server_->tcp_dsn());
    for (int k = 0; k < workers; ++k) {
      const std::string line = "worker " + std::to_string(k + 1) + ": shmlab worker --dsn " +
                               sys::shell_quote(dsn) + " --run " + run + " --index " +
                               std::to_string(k);
      EXPECT_NE(o.err.find(line), std::string::npos) << line << "\n" << o.err;
    }
    EXPECT_EQ(o.err.find("s3cret"), std::string::npos) << o.err;
    EXPECT_EQ(o.out.find("s3cret"), std::string::npos) << o.out;
  }

  void expect_nothing_left_of(const Outcome& coordinator) {
    EXPECT_TRUE(run_schemas().empty());
    EXPECT_TRUE(tmp_.entries().empty());
    EXPECT_TRUE(shm_leftovers(coordinator.pid).empty());
  }

  std::vector<std::string> run_args(std::vector<std::string> extra) {
    std::vector<std::string> a = {
        "run", "--backend", "postgres", "--dsn", server_->tcp_dsn(), "--remote-workers", "--json"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }

  // A run of `workers` × `n` atomic increments (2 ms each, --timeout `timeout`) whose worker 2
  // gets `sig` once the counter passes 100; a stopped worker is resumed once the coordinator has
  // exited.
  struct MidRun {
    Outcome coordinator;
    double coordinator_s = 0;  // how long the coordinator ran
    std::vector<Outcome> workers;
    pid_t victim = 0;
    std::string run;
    std::vector<std::string> sessions;  // the server's application_names just before the signal
  };
  MidRun signal_worker_2_mid_run(int sig, int workers = 2, const std::string& n = "1000",
                                 const std::string& timeout = "2") {
    MidRun r;
    r.workers.resize(static_cast<std::size_t>(workers));
    std::thread t([&] {
      const auto t0 = std::chrono::steady_clock::now();
      r.coordinator = run_shmlab(run_args({"-w", std::to_string(workers), "-n", n, "--strategy",
                                           "atomic", "--delay", "2:0:0", "--timeout", timeout}),
                                 tmp_, 120);
      r.coordinator_s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    });
    const std::string run = r.run = wait_for_run();
    const std::string pid_file = scratch_.path() + "/worker2.pid";
    std::vector<std::thread> ws;
    if (!run.empty()) {
      for (int k = 0; k < workers; ++k)
        ws.emplace_back([&, k] {
          r.workers[k] = run_worker(
              run, k, k == 1 ? pid_file : scratch_.path() + "/worker" + std::to_string(k + 1));
        });
    }
    for (int i = 0; i < 600 && r.victim == 0 && !run.empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      const std::vector<std::string> schemas = run_schemas();  // plain names: no quoting needed
      if (schemas.empty()) continue;
      pg::Connection c = pg::Connection::connect(server_->dsn());
      if (c.exec("SELECT count(*) FROM " + schemas[0] + ".cells WHERE value > 100").int64(0, 0) ==
          0)
        continue;
      std::ifstream in(pid_file);
      in >> r.victim;
      const pg::Result names = c.exec(
          "SELECT application_name FROM pg_stat_activity WHERE application_name LIKE 'shmlab %'");
      for (int k = 0; k < names.rows(); ++k) r.sessions.emplace_back(names.value(k, 0));
    }
    if (r.victim > 0) ::kill(r.victim, sig);
    t.join();
    if (r.victim > 0 && sig == SIGSTOP) ::kill(r.victim, SIGCONT);
    for (std::thread& w : ws) w.join();
    return r;
  }

  // The coordinator with `args`, and each of its `workers` started by the test once the run's
  // tables are there; all of them ended.
  struct FullRun {
    std::string run;
    Outcome coordinator;
    std::vector<Outcome> workers;
  };
  FullRun run_with_workers(const std::vector<std::string>& args, int workers) {
    FullRun r;
    r.workers.resize(static_cast<std::size_t>(workers));
    std::thread t([&] { r.coordinator = run_shmlab(run_args(args), tmp_, 120); });
    r.run = wait_for_run();
    std::vector<std::thread> ws;
    for (int k = 0; k < workers && !r.run.empty(); ++k)
      ws.emplace_back([&, k] {
        r.workers[k] = run_worker(r.run, k, scratch_.path() + "/w" + std::to_string(k));
      });
    for (std::thread& w : ws) w.join();
    t.join();
    return r;
  }

  std::optional<hosts::SimulatedHosts> hosts_;  // removed after the server that listens there
  std::string worker2_prefix_;                  // "ip netns exec NS ": worker 2 runs there
  PgScratch scratch_;
  std::unique_ptr<pg::ThrowawayServer> server_;
  TempDir tmp_;
};

TEST_F(PgRemoteWorkers, AtomicEndsExactWithWorkersTheTestStarted) {
  const FullRun r =
      run_with_workers({"-w", "3", "-n", "20", "--strategy", "atomic", "--delay", "none"}, 3);
  ASSERT_FALSE(r.run.empty()) << r.coordinator.err;
  EXPECT_EQ(r.coordinator.exit_code, 0) << r.coordinator.err;
  for (const Outcome& w : r.workers) EXPECT_EQ(w.exit_code, 0) << w.err;
  const nlohmann::json j = parse_result(r.coordinator);
  EXPECT_EQ(j["final"], 60);
  EXPECT_EQ(j["correct"], true);
  expect_commands(r.coordinator, r.run, 3);
  expect_nothing_left_of(r.coordinator);
}

TEST_F(PgRemoteWorkers, NoneLosesExactlyTheScheduledUpdateAcrossTheRows) {
  const FullRun r = run_with_workers(
      {"-w", "2", "-n", "1", "--strategy", "none", "--schedule", "1R 2R 1W 2W"}, 2);
  const Outcome& coordinator = r.coordinator;
  ASSERT_FALSE(r.run.empty()) << coordinator.err;
  EXPECT_EQ(coordinator.exit_code, 3) << coordinator.err;
  const nlohmann::json j = parse_result(coordinator);
  EXPECT_EQ(j["final"], 1);
  EXPECT_EQ(j["lost_updates"], 1);
  for (const Outcome& w : r.workers) EXPECT_EQ(w.exit_code, 0) << w.err;
  expect_nothing_left_of(coordinator);
}

TEST_F(PgRemoteWorkers, AWorkerNeverStartedEndsTheRunWithinTheStartWatch) {
  Outcome coordinator;
  const auto t0 = std::chrono::steady_clock::now();
  std::thread t([&] {
    coordinator = run_shmlab(run_args({"-w", "2", "-n", "2", "--strategy", "atomic", "--delay",
                                       "none", "--timeout", "1"}),
                             tmp_, 120);
  });
  const std::string run = wait_for_run();
  Outcome worker1;
  if (!run.empty()) worker1 = run_worker(run, 0, scratch_.path() + "/s0");  // worker 2 never
  t.join();
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_FALSE(run.empty()) << coordinator.err;
  EXPECT_EQ(coordinator.exit_code, 4) << coordinator.err;
  EXPECT_NE(coordinator.err.find("1 of 2 workers arrived in 30 s (missing: worker 2)"),
            std::string::npos)
      << coordinator.err;
  // Worker 2 has no process and no session: said once, never as "PID 0 on its machine".
  EXPECT_NE(coordinator.err.find("Worker 2 never started: nothing to stop"), std::string::npos)
      << coordinator.err;
  EXPECT_EQ(coordinator.err.find("PID 0 "), std::string::npos) << coordinator.err;
  EXPECT_LT(took, 90);              // the start watch's 30 s, and the stop's grace
  EXPECT_EQ(worker1.exit_code, 5);  // kWorkerAborted: told to stop before it did anything
  expect_nothing_left_of(coordinator);
}

// A worker killed while the others still work: the server sees its sockets close, and the
// coordinator, looking for each worker's sessions every 200 ms, ends the run at once: long before
// its stall bound (60 s) and the others' work (20000 × 2 ms each), which it stops.
TEST_F(PgRemoteWorkers, AWorkerKilledMidRunIsNamedByItsMissingSessionAndTheRunEndsAtOnce) {
  const MidRun r = signal_worker_2_mid_run(SIGKILL, 3, "20000", "60");
  ASSERT_GT(r.victim, 0) << r.coordinator.err;
  EXPECT_EQ(r.coordinator.exit_code, 4) << r.coordinator.err;
  EXPECT_LT(r.coordinator_s, 30) << r.coordinator.err;
  const std::string named =
      "Worker 2's server session ended without its result: its process or its machine is gone "
      "(PID " +
      std::to_string(r.victim) + " on its machine)";
  EXPECT_NE(r.coordinator.err.find(named), std::string::npos) << named << "\n" << r.coordinator.err;
  EXPECT_EQ(r.coordinator.err.find("sent no heartbeat"), std::string::npos) << r.coordinator.err;
  // Each worker's sessions were named after the run and the worker, not its PID.
  for (const char* w : {"w1", "w2", "w3"}) {
    for (const char* suffix : {"", " relay"}) {
      const std::string name = "shmlab " + r.run + " " + w + suffix;
      EXPECT_EQ(std::count(r.sessions.begin(), r.sessions.end(), name), 1) << name;
    }
  }
  const nlohmann::json j = parse_result(r.coordinator);
  EXPECT_EQ(j["per_worker"][1]["status"], "crashed") << j["per_worker"];
  EXPECT_NE(
      j["per_worker"][1]["error"].get<std::string>().find("its process or its machine is gone"),
      std::string::npos);
  for (int k : {0, 2}) {
    EXPECT_NE(r.workers[k].exit_code, 0) << r.workers[k].err;  // stopped, not finished
    EXPECT_EQ(j["per_worker"][k]["status"], "killed") << j["per_worker"];
  }
  expect_nothing_left_of(r.coordinator);
}

// A stuck worker (SIGSTOP: alive, its sessions open, no heartbeat): the coordinator cannot signal
// it, so it ends its server session; resumed afterwards, the worker finds its run gone and exits.
TEST_F(PgRemoteWorkers, AStuckWorkersSessionIsEndedOnTheServer) {
  const MidRun r = signal_worker_2_mid_run(SIGSTOP);
  ASSERT_GT(r.victim, 0) << r.coordinator.err;
  EXPECT_EQ(r.coordinator.exit_code, 4) << r.coordinator.err;
  const std::string ended = "Worker 2 (PID " + std::to_string(r.victim) +
                            " on its machine) did not end: ended its server session "
                            "(pg_terminate_backend)";
  EXPECT_NE(r.coordinator.err.find(ended), std::string::npos) << ended << "\n" << r.coordinator.err;
  EXPECT_EQ(r.workers[0].exit_code, 0) << r.workers[0].err;
  EXPECT_NE(r.workers[1].exit_code, 0) << r.workers[1].err;
  expect_nothing_left_of(r.coordinator);
}

// Worker 2 in a network namespace of its own (`ip netns exec`), reaching the server only over a
// veth link, the server listening on the link's address only; worker 1 and the coordinator in the
// test's namespace. Needs root.
class PgRemoteWorkersOnALink : public PgRemoteWorkers {
 protected:
  void SetUp() override {
    if (::geteuid() != 0)
      GTEST_SKIP() << "a network namespace and a veth link need root (uid " << ::geteuid() << ")";
    hosts_.emplace(hosts::SimulatedHosts::create(make_run_id(), 1));
    const hosts::Host& h = hosts_->hosts()[0];
    worker2_prefix_ = "/usr/sbin/ip netns exec " + h.netns + " ";
    start_server(h.server_address, h.subnet);
  }
};

TEST_F(PgRemoteWorkersOnALink, AtomicEndsExactWithOneWorkerInAnotherNetworkNamespace) {
  const FullRun r =
      run_with_workers({"-w", "2", "-n", "10", "--strategy", "atomic", "--delay", "none"}, 2);
  ASSERT_FALSE(r.run.empty()) << r.coordinator.err;
  EXPECT_EQ(r.coordinator.exit_code, 0) << r.coordinator.err;
  for (const Outcome& w : r.workers) EXPECT_EQ(w.exit_code, 0) << w.err;
  EXPECT_EQ(parse_result(r.coordinator)["final"], 20);
  expect_commands(r.coordinator, r.run, 2);
  expect_nothing_left_of(r.coordinator);
}

TEST(PgRemoteWorkersUsage, RefusedWithoutDsnOrWithAFaultThatNeedsAChild) {
  TempDir tmp;
  const struct {
    std::vector<std::string> args;
    std::string why;
  } cases[] = {
      {{"--remote-workers"}, "name a server the workers' machines can reach with --dsn URI"},
      {{"--remote-workers", "--dsn", "host=/nowhere", "--pause", "1@after-read:100"},
       "--remote-workers: --pause stops and resumes a worker with SIGSTOP and SIGCONT"},
      {{"--remote-workers", "--dsn", "host=/nowhere", "--crash", "1@after-read"},
       "--remote-workers: --crash kills a worker"},
      {{"--remote-workers", "--dsn", "host=/nowhere", "--strategy", "mutex"},
       "--remote-workers: --strategy mutex keeps its lock in the coordinator's shared memory"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"run", "--backend", "postgres"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const Outcome o = run_shmlab(args, tmp, 30);
    EXPECT_EQ(o.exit_code, 2) << o.err;
    EXPECT_NE(o.err.find(c.why), std::string::npos) << o.err;
  }
  const Outcome o = run_shmlab({"run", "--backend", "sqlite", "--remote-workers"}, tmp, 30);
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_TRUE(tmp.entries().empty());
}

}  // namespace
}  // namespace shmlab::test
