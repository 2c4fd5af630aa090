// `run --backend postgres --hosts N` through the real binary: workers in network namespaces of
// their own, reaching a throwaway server over veth links. Each test starts its own server. They
// check the known outcome of a strategy under a schedule, what a worker sees from its host (its
// address on its link, a /dev/shm without the coordinator's objects), and that no namespace, link,
// server or file is left: after a normal end, and after a SIGKILLed coordinator and `shmlab clean`.
// Creating namespaces needs root: as another user the tests that need it skip, saying so.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <regex>
#include <string>
#include <vector>

#include "pg/pg_test_support.hpp"
#include "support/expect.hpp"

namespace shmlab::test {
namespace {

const char* const kIp = "/usr/sbin/ip";

#define SKIP_UNLESS_ROOT()                                                                    \
  if (::geteuid() != 0)                                                                       \
  GTEST_SKIP() << "--hosts creates network namespaces and veth links: needs root (this test " \
                  "runs as uid "                                                              \
               << ::geteuid() << ")"

// What `ip` lists now: network namespaces, or links.
std::string ip_list(const std::vector<std::string>& args) {
  TempDir tmp;
  std::vector<std::string> argv = {kIp};
  argv.insert(argv.end(), args.begin(), args.end());
  const Outcome o = run_program(argv, tmp, 20);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  return o.out;
}

struct HostLine {
  std::string netns;
  std::string link;
  std::string server_address;  // on the link's end in the coordinator's namespace
  std::string worker_address;  // on the namespace's eth0
};

// The coordinator's "Host k: network namespace NS, link L A <-> eth0 B (subnet)" lines.
std::vector<HostLine> host_lines(const std::string& log) {
  static const std::regex re(
      R"(Host \d+: network namespace (\S+), link (\S+) (\S+) <-> eth0 (\S+) \()");
  std::vector<HostLine> out;
  for (auto it = std::sregex_iterator(log.begin(), log.end(), re); it != std::sregex_iterator();
       ++it) {
    out.push_back({(*it)[1], (*it)[2], (*it)[3], (*it)[4]});
  }
  return out;
}

// Nothing of these hosts in `ip netns list` or `ip link`.
void expect_hosts_gone(const std::vector<HostLine>& hosts) {
  const std::string netns = ip_list({"netns", "list"});
  const std::string links = ip_list({"-o", "link"});
  for (const HostLine& h : hosts) {
    EXPECT_EQ(netns.find(h.netns), std::string::npos) << h.netns << " remains:\n" << netns;
    EXPECT_EQ(links.find(h.link), std::string::npos) << h.link << " remains:\n" << links;
  }
}

// `shmlab run --backend postgres --hosts N --json ARGS…` with its own server; nothing left.
struct HostsRun {
  Outcome outcome;
  nlohmann::json result;
  std::vector<HostLine> hosts;
};

HostsRun run_on_hosts(int hosts, std::vector<std::string> args, int expected_exit) {
  PgScratch scratch;
  std::vector<std::string> all = {"run",     "--backend",           "postgres",
                                  "--hosts", std::to_string(hosts), "--json"};
  all.insert(all.end(), args.begin(), args.end());
  HostsRun r;
  r.outcome = run_shmlab(all, scratch.temp_dir(), 240);
  EXPECT_EQ(r.outcome.exit_code, expected_exit) << r.outcome.err;
  r.result = parse_result(r.outcome);
  r.hosts = host_lines(r.outcome.err);  // --json: the log is on stderr
  EXPECT_EQ(r.hosts.size(), static_cast<std::size_t>(hosts)) << r.outcome.err;
  expect_nothing_left(r.outcome, scratch.temp_dir());
  expect_hosts_gone(r.hosts);
  return r;
}

TEST(Hosts, AtomicEndsExactWithEachWorkerOnItsOwnLinkAndPrivateDevShm) {
  SKIP_UNLESS_ROOT();
  const HostsRun r = run_on_hosts(
      2, {"-w", "3", "-n", "2", "--strategy", "atomic", "--schedule", "1A 2A 3A 1A 2A 3A"}, 0);
  EXPECT_EQ(r.result["final"], 6);
  EXPECT_EQ(r.result["correct"], true);
  ASSERT_EQ(r.hosts.size(), 2u);
  // Worker k on host ((k-1) mod 2)+1; each reports what it sees from there: the address the
  // coordinator gave its host's eth0, and an empty /dev/shm without the control block.
  const int host_of[] = {1, 2, 1};
  for (int w = 1; w <= 3; ++w) {
    const HostLine& h = r.hosts[host_of[w - 1] - 1];
    const std::string line = "Worker " + std::to_string(w) + " on host " +
                             std::to_string(host_of[w - 1]) + " (network namespace " + h.netns +
                             "): address " + h.worker_address + "/30 on eth0;";
    EXPECT_NE(r.outcome.err.find(line), std::string::npos) << line << "\n" << r.outcome.err;
  }
  const auto count = [&](const std::string& s) {
    std::size_t n = 0;
    for (std::size_t at = r.outcome.err.find(s); at != std::string::npos;
         at = r.outcome.err.find(s, at + 1))
      ++n;
    return n;
  };
  EXPECT_EQ(count("/dev/shm private (0 entries, control block not visible)"), 3u) << r.outcome.err;
}

TEST(Hosts, WorkerMapsNoControlBlockAndItsCommandLineCarriesNoPassword) {
  SKIP_UNLESS_ROOT();
  PgScratch scratch;
  // Worker 1 stops itself holding its row lock (--pause); meanwhile its maps and command line are
  // read from /proc. The coordinator says it stopped only once the relay published the pause: the
  // window left for the shell's poll (0.1 s) and its grep, sed and cat, slow at load 8, is the
  // pause less that, and once the pause ends the worker exits and its /proc entry goes.
  const std::string script =
      "\"$0\" run --backend postgres --hosts 2 -w 2 -n 1 --strategy for-update --delay none "
      "--pause 1@after-read:4000 > \"$TMPDIR/log\" 2>&1 & pid=$!; "
      "for i in $(seq 1200); do grep -q 'stopped itself' \"$TMPDIR/log\" && break; sleep 0.1; "
      "done; w=$(sed -n 's/.*Spawned worker 1 (PID \\([0-9]*\\)).*/\\1/p' \"$TMPDIR/log\"); "
      "echo \"worker $w\"; echo '--maps'; cat /proc/$w/maps; echo '--cmdline'; "
      "tr '\\0' ' ' < /proc/$w/cmdline; echo; echo '--end'; wait $pid; echo \"exit $?\"; "
      "cat \"$TMPDIR/log\"; rm \"$TMPDIR/log\"";
  const Outcome o =
      run_program({"/bin/sh", "-c", script, shmlab_binary()}, scratch.temp_dir(), 240);
  const std::size_t maps_at = o.out.find("--maps\n");
  const std::size_t cmdline_at = o.out.find("--cmdline\n");
  const std::size_t end_at = o.out.find("--end\n");
  ASSERT_TRUE(maps_at != std::string::npos && cmdline_at != std::string::npos &&
              end_at != std::string::npos)
      << o.out << o.err;
  const std::string maps = o.out.substr(maps_at, cmdline_at - maps_at);
  const std::string cmdline = o.out.substr(cmdline_at, end_at - cmdline_at);
  EXPECT_NE(maps.find("[stack]"), std::string::npos) << "not the worker's maps:\n" << maps;
  // Its control block is a private replica (memfd), none of /dev/shm's.
  EXPECT_EQ(maps.find("/dev/shm/"), std::string::npos) << maps;
  EXPECT_NE(maps.find("/memfd:shmlab-"), std::string::npos) << maps;
  EXPECT_EQ(cmdline.find("--control"), std::string::npos) << cmdline;
  EXPECT_NE(cmdline.find(" worker --dsn "), std::string::npos) << cmdline;
  EXPECT_NE(cmdline.find(" --run shmlab-"), std::string::npos) << cmdline;
  EXPECT_EQ(cmdline.find("password"), std::string::npos) << cmdline;
  EXPECT_NE(o.out.find("exit 0"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("control: through the database"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("Final counter value: 2"), std::string::npos) << o.out;
  const std::vector<HostLine> hosts = host_lines(o.out);
  EXPECT_EQ(hosts.size(), 2u) << o.out;
  expect_hosts_gone(hosts);
  EXPECT_TRUE(scratch.temp_dir().entries().empty());
}

TEST(Hosts, NoneLosesTheUpdateOfTheSeedSchedule) {
  SKIP_UNLESS_ROOT();
  const HostsRun r =
      run_on_hosts(2, {"-w", "2", "-n", "1", "--strategy", "none", "--schedule", "1R 2R 1W 2W"}, 3);
  EXPECT_EQ(r.result["final"], 1);
  EXPECT_EQ(r.result["lost_updates"], 1);
}

// Committed operations: those each worker counted as done (a lost connection's operation is not).
std::int64_t committed(const nlohmann::json& j) {
  std::int64_t n = 0;
  for (const auto& w : j["per_worker"]) n += w["ops"].get<std::int64_t>();
  return n;
}

// `atomic` under `1A 2A 1A 2A` on 2 hosts, worker 1's link cut by `partition` after its first
// increment, for longer than its TCP timeout: its next statement (op 1's VERIFY read) fails
// instead of hanging; worker 2 on the other host goes on. 1 + 2 increments were committed, and
// the counter says so. A connection lost mid-run is a worker fault (SPEC §5): exit 4.
HostsRun run_partitioned_atomic(const std::string& partition) {
  HostsRun r = run_on_hosts(2,
                            {"-w", "2", "-n", "2", "--strategy", "atomic", "--partition", partition,
                             "--schedule", "1A 2A 1A 2A"},
                            4);
  EXPECT_EQ(r.result["exit_code"], 4);
  const auto& w1 = r.result["per_worker"][0];
  EXPECT_EQ(w1["status"], "disconnected");
  EXPECT_EQ(w1["exit_code"], 6);  // the worker process's own code for a lost connection
  EXPECT_EQ(w1["ops"], 0);  // its first increment landed, but the operation (with VERIFY) did not
  EXPECT_NE(w1["error"].get<std::string>().find("connection lost, SQLSTATE 08"), std::string::npos)
      << w1;
  EXPECT_NE(w1["error"].get<std::string>().find("nothing written: SELECT"), std::string::npos)
      << w1;
  EXPECT_EQ(r.result["per_worker"][1]["ops"], 2);
  EXPECT_EQ(r.result["final"], 3);
  EXPECT_NE(r.outcome.err.find("lost its connection to the server mid-run"), std::string::npos)
      << r.outcome.err;
  return r;
}

TEST(Hosts, PartitionedAtomicWorkerFailsWithTheSqlstateAndNothingIsCountedTwice) {
  SKIP_UNLESS_ROOT();
  const HostsRun r = run_partitioned_atomic("1@after-write:5000");
  EXPECT_NE(
      r.outcome.err.find("Worker 1 cut its host's link at after-write (--partition): "
                         "packets from eth0 to the server " +
                         r.hosts[0].server_address + " dropped for 5000 ms (the link stays up)"),
      std::string::npos)
      << r.outcome.err;
}

TEST(Hosts, PartitionOfTheServersEndFailsTheWorkerTheSameWay) {
  SKIP_UNLESS_ROOT();
  // `:server`: worker 1 cuts at the coordinator's end of its host's veth pair (sl<hex>h1, in the
  // namespace it started in) instead of its eth0: the server's packets to the host are lost, so
  // its next statement gets no answer and times out all the same.
  const HostsRun r = run_partitioned_atomic("1@after-write:5000:server");
  ASSERT_EQ(r.hosts.size(), 2u);
  EXPECT_NE(r.outcome.err.find("Worker 1 cut the server's end of its host's link at after-write "
                               "(--partition …:server): packets from " +
                               r.hosts[0].link + " to " + r.hosts[0].worker_address +
                               " dropped for 5000 ms (the link stays up)"),
            std::string::npos)
      << r.outcome.err;
}

TEST(Hosts, PartitionedForUpdateTransactionIsRolledBackAndTheOtherWorkerGoesOn) {
  SKIP_UNLESS_ROOT();
  // Worker 1 holds the row lock (SELECT … FOR UPDATE) when its link is cut; its UPDATE fails,
  // the server rolls its transaction back (its keepalives drop the session) and worker 2, which
  // may have been waiting for that lock, commits all of its increments. No schedule: when the
  // server drops the session is the kernel's timing; what must hold is the count.
  const HostsRun r = run_on_hosts(2,
                                  {"-w", "2", "-n", "3", "--strategy", "for-update", "--partition",
                                   "1@after-read:5000", "--delay", "0:200:0"},
                                  4);
  const auto& w1 = r.result["per_worker"][0];
  EXPECT_EQ(w1["status"], "disconnected");
  EXPECT_EQ(w1["ops"], 0);
  EXPECT_NE(w1["error"].get<std::string>().find(
                "in operation 1 (not committed: UPDATE in a transaction the server rolls back)"),
            std::string::npos)
      << w1;
  // Its own TCP gave up on the unanswered UPDATE (tcp_user_timeout, 2 s), while the link was still
  // cut (5 s): packets lost in the network, not a link that is down (with which the send fails
  // inside the machine and the statement fails only once the link is back).
  // (The worker's log line has libpq's whole message; the JSON's error is cut to its slot.)
  EXPECT_NE(r.outcome.err.find("could not receive data from server: Connection timed out"),
            std::string::npos)
      << r.outcome.err;
  EXPECT_EQ(r.result["per_worker"][1]["ops"], 3);
  EXPECT_EQ(r.result["final"], committed(r.result));
  EXPECT_EQ(r.result["final"], 3);
}

// docs/lease.md's case across two hosts: the lease is a row of the run's schema, its expiry the
// server's clock, so a worker on another host takes it as one on this one. Worker 1 (host 1) takes
// the lease (200 ms), reads and is stopped for 600 ms; the schedule grants worker 2 (host 2) its L
// only once worker 1 is back, so worker 2 takes the expired lease over, and worker 1's W is late.
HostsRun run_lease_on_hosts(bool fencing, int expected_exit) {
  std::vector<std::string> args = {"-w",         "2",
                                   "-n",         "3",
                                   "--strategy", "lease",
                                   "--lease",    "200",
                                   "--pause",    "1@after-read:600",
                                   "--schedule", "1L 1R 2L 2R 2W 2U 1W",
                                   "--timeout",  "30"};
  if (fencing) args.emplace_back("--fencing");
  return run_on_hosts(2, args, expected_exit);
}

TEST(Hosts, LeaseLateWriteOfAnExpiredLeaseLosesAnUpdateAcrossHosts) {
  SKIP_UNLESS_ROOT();
  const HostsRun r = run_lease_on_hosts(false, 3);
  EXPECT_EQ(r.result["final"], 5);
  EXPECT_EQ(r.result["lost_updates"], 1);
  ASSERT_EQ(r.result["lost"].size(), 1u) << r.result.dump();
  EXPECT_EQ(r.result["lost"][0]["worker"], 2);
  EXPECT_EQ(r.result["lost"][0]["erased_by"]["worker"], 1);
  EXPECT_EQ(r.result["lease"]["leases_expired"], 1);
  EXPECT_EQ(r.result["lease"]["late_writes_rejected"], 0);
  EXPECT_NE(r.outcome.err.find("took the lease over from worker 1"), std::string::npos)
      << r.outcome.err;
}

TEST(Hosts, LeaseFencingRefusesTheLateWriteAcrossHostsAndTheCountEndsExact) {
  SKIP_UNLESS_ROOT();
  const HostsRun r = run_lease_on_hosts(true, 0);
  EXPECT_EQ(r.result["final"], 6);
  EXPECT_EQ(r.result["lost_updates"], 0);
  EXPECT_EQ(r.result["lease"]["late_writes_rejected"], 1);
  EXPECT_EQ(r.result["per_worker"][0]["late_writes_rejected"], 1);
  const std::string taken = r.result["schedule_taken"];
  EXPECT_EQ(taken.rfind("1L 1R 2L 2R 2W 2U 1W 1L 1R 1W 1U", 0), 0u) << taken;
}

TEST(Hosts, PartitionedLeaseHolderFailsNamingTheReleaseAndItsWriteIsCounted) {
  SKIP_UNLESS_ROOT();
  // Worker 1's link is cut after its write, before it releases the lease: the release (an
  // UPDATE of the lease row) gets no answer, and the error says the write had committed. Worker 2
  // takes the lease once it expires (500 ms) and does its 2 increments: 1 + 2.
  const HostsRun r =
      run_on_hosts(2,
                   {"-w", "2", "-n", "2", "--strategy", "lease", "--lease", "500", "--partition",
                    "1@after-write:5000", "--schedule", "1L 1R 1W 1U 2L 2R 2W 2U"},
                   4);
  const auto& w1 = r.result["per_worker"][0];
  EXPECT_EQ(w1["status"], "disconnected");
  EXPECT_EQ(w1["ops"], 0);
  EXPECT_NE(w1["error"].get<std::string>().find(
                "in operation 1 (written: the UPDATE committed; lease release sent, no answer)"),
            std::string::npos)
      << w1;
  EXPECT_EQ(r.result["per_worker"][1]["ops"], 2);
  EXPECT_EQ(r.result["final"], 3);
}

TEST(Hosts, PausedForUpdateHolderHoldsTheOtherHostsWorkerUntilItResumes) {
  SKIP_UNLESS_ROOT();
  // for-update's lock is the row's, taken by 1R (SELECT … FOR UPDATE; its L is a BEGIN that holds
  // nothing, so `locked` would stop worker 1 with nothing held). Worker 2 (host 2) is granted 2R
  // and waits on the server for the row; worker 1 (host 1) is granted 1W, then stops at its U
  // (before COMMIT) for kPauseMs, still holding the row. Worker 2's read cannot return before
  // that COMMIT: its lock wait (the row lock's, counted from its SELECT) is at least kPauseMs.
  constexpr std::int64_t kPauseMs = 800;
  const HostsRun r = run_on_hosts(
      2,
      {"-w", "2", "-n", "2", "--strategy", "for-update", "--pause",
       "1@before-unlock:" + std::to_string(kPauseMs), "--schedule", "1R 2R 1W 1U 2W 2U"},
      0);
  EXPECT_EQ(r.result["final"], 4);
  EXPECT_EQ(r.result["lost_updates"], 0);
  ASSERT_EQ(r.result["per_worker"].size(), 2u);
  const auto wait_ms = [&](int w) {
    return r.result["per_worker"][w]["lock_wait_ns"].get<std::int64_t>() / 1'000'000;
  };
  EXPECT_GE(wait_ms(1), kPauseMs - 50) << r.result["per_worker"].dump();  // 50: ms rounding only
  EXPECT_NE(r.outcome.err.find("Resumed worker 1 (SIGCONT)"), std::string::npos) << r.outcome.err;
  const std::string taken = r.result["schedule_taken"];
  EXPECT_EQ(taken.rfind("1L 1R 2L 2R 1W 1U 2W 2U", 0), 0u) << taken;
}

// `shmlab run ARGS… --json` with its own server, whatever its exit; nothing left, no host left.
HostsRun run_replayed(const std::vector<std::string>& args, int hosts) {
  PgScratch scratch;
  std::vector<std::string> all = args;
  all.emplace_back("--json");
  HostsRun r;
  r.outcome = run_shmlab(all, scratch.temp_dir(), 240);
  r.result = parse_result(r.outcome);
  r.hosts = host_lines(r.outcome.err);
  EXPECT_EQ(r.hosts.size(), static_cast<std::size_t>(hosts)) << r.outcome.err;
  expect_nothing_left(r.outcome, scratch.temp_dir());
  expect_hosts_gone(r.hosts);
  return r;
}

TEST(Hosts, PrintedReplayLineCarriesHostsAndGivesTheSameOutcome) {
  SKIP_UNLESS_ROOT();
  // An unscheduled run the OS interleaves; its printed line, run again as printed, must take
  // the same steps on 2 hosts and end with the same value and the same lost updates.
  PgScratch scratch;
  const Outcome first = run_shmlab({"run", "--backend", "postgres", "--hosts", "2", "-w", "2", "-n",
                                    "2", "--strategy", "none", "--delay", "0:100:0"},
                                   scratch.temp_dir(), 240);
  expect_nothing_left(first, scratch.temp_dir());
  static const std::regex line_re(
      R"re(Replay this interleaving: shmlab run (.*) --schedule "([^"]*)")re");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(first.err, m, line_re) || std::regex_search(first.out, m, line_re))
      << first.out << first.err;
  const std::string options = m[1];
  const std::string schedule = m[2];
  EXPECT_NE(options.find("--backend postgres --strategy none --hosts 2"), std::string::npos)
      << options;
  static const std::regex final_re(R"(Final counter value: (\d+))");
  std::smatch f;
  const std::string log = first.out + first.err;
  ASSERT_TRUE(std::regex_search(log, f, final_re)) << log;

  std::vector<std::string> args = {"run"};
  for (std::size_t at = 0; at < options.size();) {
    const std::size_t end = std::min(options.find(' ', at), options.size());
    args.push_back(options.substr(at, end - at));
    at = end + 1;
  }
  args.insert(args.end(), {"--schedule", schedule});
  const HostsRun again = run_replayed(args, 2);
  EXPECT_EQ(again.outcome.exit_code, first.exit_code) << again.outcome.err;
  EXPECT_EQ(again.result["final"], std::stoll(f[1])) << again.outcome.err;
  EXPECT_EQ(again.result["schedule_taken"].get<std::string>().rfind(schedule, 0), 0u)
      << again.result["schedule_taken"];
}

TEST(Hosts, KeptRunNeverPrintsTheRunsPasswordInInspectOrTheLog) {
  SKIP_UNLESS_ROOT();
  PgScratch scratch;
  const Outcome run = run_shmlab({"run", "--backend", "postgres", "--hosts", "2", "-w", "2", "-n",
                                  "1", "--strategy", "atomic", "--keep"},
                                 scratch.temp_dir(), 240);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::smatch m;
  static const std::regex kept_re(R"(--keep\): shmlab inspect (shmlab-\d+-[0-9a-f]+))");
  const std::string log = run.out + run.err;
  ASSERT_TRUE(std::regex_search(log, m, kept_re)) << log;
  const std::string name = m[1];
  // The secret, from the kept control block itself (the workers' DSN in its region_path).
  std::string secret;
  {
    std::ifstream control("/dev/shm/" + name, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(control)), {});
    static const std::regex password_re(R"(password='([0-9a-f]+)')");
    std::smatch p;
    ASSERT_TRUE(std::regex_search(bytes, p, password_re)) << "no password in /dev/shm/" << name;
    secret = p[1];
  }
  ASSERT_EQ(secret.size(), 24u);
  const Outcome text = run_shmlab({"inspect", name}, scratch.temp_dir(), 60);
  const Outcome json = run_shmlab({"inspect", name, "--json"}, scratch.temp_dir(), 60);
  const Outcome clean = run_shmlab({"clean", "--all", name}, scratch.temp_dir(), 60);
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(json.exit_code, 0) << json.err;
  for (const Outcome* o : {&run, &text, &json}) {
    EXPECT_EQ((o->out + o->err).find(secret), std::string::npos) << o->out << o->err;
  }
  EXPECT_NE(text.out.find("password=(hidden)"), std::string::npos) << text.out;
  const nlohmann::json j = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << json.out;
  EXPECT_NE(j["params"]["region"].get<std::string>().find("password=(hidden)"), std::string::npos)
      << j["params"];
  EXPECT_EQ(j["workers"].size(), 2u);
  EXPECT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_TRUE(shm_leftovers(run.pid).empty());
  EXPECT_TRUE(scratch.temp_dir().entries().empty());
  expect_hosts_gone(host_lines(log));
}

TEST(Hosts, PartitionNeedsHosts) {
  TempDir tmp;
  const Outcome o = run_shmlab(
      {"run", "--backend", "postgres", "--strategy", "atomic", "--partition", "1@after-write:10"},
      tmp, 30);
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("--partition: only a worker on a --hosts host"), std::string::npos) << o.err;
  EXPECT_TRUE(tmp.entries().empty());
}

TEST(Hosts, WorkerCrashStillRemovesEveryNamespaceAndLink) {
  SKIP_UNLESS_ROOT();
  const HostsRun r = run_on_hosts(
      2, {"-w", "2", "-n", "2", "--strategy", "none", "--delay", "none", "--crash", "1@after-read"},
      4);
  EXPECT_EQ(r.result["per_worker"][0]["status"], "crashed") << r.outcome.out;
}

TEST(Hosts, SigtermedCoordinatorRemovesEveryNamespaceAndLink) {
  SKIP_UNLESS_ROOT();
  PgScratch scratch;
  // Once the workers have started, SIGTERM; the coordinator's log on stdout.
  const std::string script =
      "\"$0\" run --backend postgres --hosts 2 -w 2 -n 50 --strategy atomic --delay 500:0:0 "
      "> \"$TMPDIR/log\" 2>&1 & pid=$!; "
      "for i in $(seq 1200); do grep -q 'Waiting for workers' \"$TMPDIR/log\" && break; "
      "sleep 0.1; done; kill -TERM $pid; wait $pid; echo exit $?; cat \"$TMPDIR/log\"; "
      "rm \"$TMPDIR/log\"";
  const Outcome o =
      run_program({"/bin/sh", "-c", script, shmlab_binary()}, scratch.temp_dir(), 120);
  EXPECT_NE(o.out.find("exit 143"), std::string::npos) << o.out;  // 128 + SIGTERM
  const std::vector<HostLine> hosts = host_lines(o.out);
  EXPECT_EQ(hosts.size(), 2u) << o.out;
  expect_hosts_gone(hosts);
  EXPECT_TRUE(scratch.temp_dir().entries().empty());
}

TEST(Hosts, KilledCoordinatorLeavesNamespacesThatCleanRemoves) {
  SKIP_UNLESS_ROOT();
  PgScratch scratch;
  // The coordinator in the background; once its two namespaces exist and its server is ready,
  // SIGKILL. Its PID on stdout.
  const std::string script =
      "\"$0\" run --backend postgres --hosts 2 -w 2 -n 50 --strategy atomic --delay 500:0:0 "
      ">/dev/null 2>&1 & pid=$!; "
      "for i in $(seq 1200); do [ $(ls /run/netns 2>/dev/null | grep -c \"^shmlab-$pid-\") = 2 ] "
      "&& grep -qs ready \"$TMPDIR\"/shmlab-$pid-*-pg-*/data/postmaster.pid && break; "
      "sleep 0.1; done; kill -9 $pid; wait $pid; echo $pid";
  const Outcome killed =
      run_program({"/bin/sh", "-c", script, shmlab_binary()}, scratch.temp_dir(), 120);
  const std::string pid = killed.out.substr(0, killed.out.find('\n'));
  ASSERT_FALSE(pid.empty()) << killed.err;
  const std::string prefix = "shmlab-" + pid + "-";
  std::string netns = ip_list({"netns", "list"});
  std::vector<HostLine> left;
  for (std::size_t at = netns.find(prefix); at != std::string::npos;
       at = netns.find(prefix, at + 1)) {
    const std::string name = netns.substr(at, netns.find_first_of(" \n", at) - at);
    const std::string hex = name.substr(prefix.size(), 8);
    left.push_back({name, "sl" + hex + "h" + name.substr(name.rfind("-h") + 2), "", ""});
  }
  ASSERT_EQ(left.size(), 2u) << "the killed run's namespaces:\n" << netns;

  const Outcome clean = run_shmlab({"clean"}, scratch.temp_dir(), 60);
  EXPECT_EQ(clean.exit_code, 0) << clean.err;
  for (const HostLine& h : left) {
    EXPECT_NE(clean.out.find("removed network namespace " + h.netns + " and link " + h.link),
              std::string::npos)
        << clean.out;
  }
  EXPECT_NE(clean.out.find("stopped PostgreSQL server"), std::string::npos) << clean.out;
  expect_hosts_gone(left);
  EXPECT_TRUE(scratch.temp_dir().entries().empty());
  EXPECT_TRUE(shm_leftovers(std::stoi(pid)).empty());
}

TEST(Hosts, RefusedWithoutTheCapabilitiesNamingThem) {
  SKIP_UNLESS_ROOT();  // as another user the same refusal comes, but setpriv cannot show it
  TempDir tmp;
  const Outcome o = run_program(
      {"/usr/bin/setpriv", "--bounding-set=-net_admin,-sys_admin", shmlab_binary(), "run",
       "--backend", "postgres", "--hosts", "2", "-w", "2", "-n", "1", "--strategy", "atomic"},
      tmp, 60);
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_NE(o.err.find("--hosts: this process lacks CAP_NET_ADMIN and CAP_SYS_ADMIN"),
            std::string::npos)
      << o.err;
  EXPECT_TRUE(tmp.entries().empty());
}

TEST(Hosts, RefusesBackendsAndStrategiesAWorkerElsewhereCannotReach) {
  TempDir tmp;
  const Outcome sqlite = run_shmlab({"run", "--backend", "sqlite", "--hosts", "2"}, tmp, 30);
  EXPECT_EQ(sqlite.exit_code, 2);
  EXPECT_NE(sqlite.err.find("--hosts: only --backend postgres"), std::string::npos) << sqlite.err;
  const Outcome mutex =
      run_shmlab({"run", "--backend", "postgres", "--hosts", "2", "--strategy", "mutex"}, tmp, 30);
  EXPECT_EQ(mutex.exit_code, 2);
  EXPECT_NE(mutex.err.find("keeps its lock in the coordinator's shared memory"), std::string::npos)
      << mutex.err;
  const Outcome dsn = run_shmlab(
      {"run", "--backend", "postgres", "--hosts", "2", "--dsn", "host=/nowhere"}, tmp, 30);
  EXPECT_EQ(dsn.exit_code, 2);
  EXPECT_TRUE(tmp.entries().empty());
}

}  // namespace
}  // namespace shmlab::test
