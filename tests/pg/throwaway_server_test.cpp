// ThrowawayServer on a real PostgreSQL: started, reached, stopped; nothing left behind on any
// path, a failed start and a killed owner (cleaned by `shmlab clean`) included.
#include "shmlab/pg/throwaway_server.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "pg/pg_test_support.hpp"
#include "shmlab/pg/connection.hpp"
#include "shmlab/pg/server_binaries.hpp"
#include "shmlab/pg/server_state.hpp"

namespace shmlab::test {
namespace {

namespace fs = std::filesystem;

TEST(PgThrowawayServer, StartsInPrivateDirectoryAndLeavesNothingWhenStopped) {
  PgScratch scratch;
  pg::ThrowawayServerOptions o = scratch.options();
  o.run_id = "shmlab-" + std::to_string(::getpid()) + "-0badc0de";
  pg::ThrowawayServer sut = pg::ThrowawayServer::start(o);
  std::printf("start-up: initdb %.2f s, ready after %.2f s\n",
              std::chrono::duration<double>(sut.initdb_time()).count(),
              std::chrono::duration<double>(sut.startup_time()).count());

  // The directory: named for `shmlab clean`, private, owned by the server's user.
  EXPECT_EQ(fs::path(sut.dir()).parent_path(), fs::canonical(scratch.path()));
  EXPECT_EQ(fs::path(sut.dir()).filename().string().rfind(o.run_id + "-pg-", 0), 0u) << sut.dir();
  struct stat st {};
  ASSERT_EQ(::stat(sut.dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  const uid_t expected_owner = ::geteuid() == 0 ? ::getpwnam("postgres")->pw_uid : ::geteuid();
  EXPECT_EQ(st.st_uid, expected_owner);
  EXPECT_TRUE(fs::exists(sut.dir() + "/.s.PGSQL." + std::to_string(sut.port())));
  const auto state = pg::read_server_state(sut.dir());
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->owner, ::getpid());
  EXPECT_EQ(state->postmaster, sut.postmaster_pid());
  EXPECT_EQ(state->data_dir, sut.data_dir());
  EXPECT_FALSE(pg::server_processes(sut.data_dir()).empty());
  // The terminal's Ctrl-C reaches shmlab, which stops the server in order, not the server.
  EXPECT_EQ(::getpgid(sut.postmaster_pid()), sut.postmaster_pid());

  // It accepts connections, as the server's superuser, through the socket in that directory only.
  pg::Connection c = pg::Connection::connect(sut.dsn());
  EXPECT_EQ(c.exec("SELECT 6 * 7").int64(0, 0), 42);
  EXPECT_EQ(c.exec("SHOW listen_addresses").value(0, 0), "");
  EXPECT_EQ(c.exec("SHOW fsync").value(0, 0), "off");
  EXPECT_EQ(c.exec("SELECT current_user").value(0, 0), pg::ThrowawayServer::kUser);

  const std::string dir = sut.dir();
  const std::string data_dir = sut.data_dir();
  const pid_t postmaster = sut.postmaster_pid();
  sut.stop();
  expect_server_gone(dir, data_dir, postmaster);
  EXPECT_THROW(c.exec("SELECT 1"), pg::PgError) << "the server still answers";
}

// A postmaster that does not answer the fast shutdown (stopped here) is killed after the bound; its
// backends and its System V segment go too.
TEST(PgThrowawayServer, UnresponsiveServerIsKilledAfterTheStopBound) {
  PgScratch scratch;
  pg::ThrowawayServerOptions o = scratch.options();
  o.stop_timeout = std::chrono::milliseconds(1000);
  pg::ThrowawayServer sut = pg::ThrowawayServer::start(o);
  std::ifstream pid_file(sut.data_dir() + "/postmaster.pid");
  std::string line;
  for (int i = 0; i < 7; ++i) std::getline(pid_file, line);
  long key = 0;
  int shm_id = -1;
  std::istringstream(line) >> key >> shm_id;
  ASSERT_GE(shm_id, 0) << "postmaster.pid line 7: " << line;
  shmid_ds ds{};
  ASSERT_EQ(::shmctl(shm_id, IPC_STAT, &ds), 0) << "the server's segment";

  const std::string dir = sut.dir();
  const std::string data_dir = sut.data_dir();
  const pid_t postmaster = sut.postmaster_pid();
  ASSERT_EQ(::kill(postmaster, SIGSTOP), 0);
  const auto t0 = std::chrono::steady_clock::now();
  sut.stop();
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(took, std::chrono::seconds(8)) << "the stop bound is 1 s, then SIGKILL";
  expect_server_gone(dir, data_dir, postmaster);
  EXPECT_NE(::shmctl(shm_id, IPC_STAT, &ds), 0) << "System V segment " << shm_id << " remains";
}

TEST(PgThrowawayServer, FailedStartThrowsWithLogTailAndLeavesNothing) {
  PgScratch scratch;
  pg::ThrowawayServerOptions o = scratch.options();
  o.tcp_address = "192.0.2.1";  // TEST-NET-1: no interface has it, so postgres cannot bind it
  o.tcp_port = 54329;
  try {
    pg::ThrowawayServer::start(o);
    FAIL() << "a server bound to an address no interface has";
  } catch (const std::system_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("postgres exited at start-up"), std::string::npos) << what;
    EXPECT_NE(what.find("192.0.2.1"), std::string::npos) << "the log's reason: " << what;
  }
  EXPECT_TRUE(scratch.temp_dir().entries().empty());
}

TEST(PgThrowawayServer, MissingProgramsAreNamedInTheError) {
  PgScratch scratch;
  pg::ThrowawayServerOptions o = scratch.options();
  o.bindir = scratch.path() + "/no-postgresql/bin";
  try {
    pg::ThrowawayServer::start(o);
    FAIL() << "started without initdb";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory);
    EXPECT_NE(std::string(e.what()).find(o.bindir + "/initdb"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(scratch.temp_dir().entries().empty());
}

TEST(PgThrowawayServer, FindsTheInstalledServer) {
  const std::string bindir = pg::find_server_bindir();
  EXPECT_EQ(::access((bindir + "/initdb").c_str(), X_OK), 0) << bindir;
  EXPECT_EQ(::access((bindir + "/postgres").c_str(), X_OK), 0) << bindir;
}

TEST(PgThrowawayServer, ListensOnTcpWhenAsked) {
  PgScratch scratch;
  pg::ThrowawayServerOptions o = scratch.options();
  o.tcp_address = "127.0.0.1";
  pg::ThrowawayServer sut = pg::ThrowawayServer::start(o);
  EXPECT_GT(sut.port(), 0);
  pg::Connection c = pg::Connection::connect(sut.tcp_dsn());
  EXPECT_EQ(c.exec("SELECT inet_server_addr()::text").value(0, 0), "127.0.0.1/32");
}

// --hosts' server: TCP only from the listed networks, and only with the run's password.
TEST(PgThrowawayServer, TcpClientsNeedThePasswordOverScram) {
  PgScratch scratch;
  pg::ThrowawayServer sut =
      pg::ThrowawayServer::start(scratch.tcp_options("0123456789abcdef01234567"));
  ASSERT_NE(sut.tcp_dsn().find("password="), std::string::npos);
  pg::Connection c = pg::Connection::connect(sut.tcp_dsn());
  EXPECT_EQ(c.exec("SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = $1",
                   {pg::ThrowawayServer::kUser})
                .value(0, 0),
            "t");
  const std::string wrong =
      fmt::format("host=127.0.0.1 port={} user={} dbname={} password=wrong", sut.port(),
                  pg::ThrowawayServer::kUser, pg::ThrowawayServer::kDatabase);
  try {
    pg::Connection::connect(wrong);
    FAIL() << "connected with a wrong password";
  } catch (const pg::PgError& e) {
    EXPECT_NE(std::string(e.what()).find("password authentication failed"), std::string::npos)
        << e.what();
  }
}

TEST(PgThrowawayServer, TcpClientFromAnUnlistedNetworkIsRefused) {
  PgScratch scratch;
  // TEST-NET-1: not where 127.0.0.1's clients come from.
  pg::ThrowawayServer sut = pg::ThrowawayServer::start(
      scratch.tcp_options("0123456789abcdef01234567", "127.0.0.1", "192.0.2.0/30"));
  try {
    pg::Connection::connect(sut.tcp_dsn());
    FAIL() << "connected from 127.0.0.1, which pg_hba.conf does not list";
  } catch (const pg::PgError& e) {
    EXPECT_NE(std::string(e.what()).find("no pg_hba.conf entry"), std::string::npos) << e.what();
  }
  // The socket in the private directory still trusts its owner (the coordinator's connection).
  pg::Connection local = pg::Connection::connect(sut.dsn());
  EXPECT_EQ(local.exec("SELECT 1").value(0, 0), "1");
}

// The owner is SIGKILLed with its server running: the server outlives it, and `shmlab clean`
// stops it and removes its directory.
TEST(PgThrowawayServer, CleanStopsServerOfKilledOwnerAndRemovesItsDirectory) {
  PgScratch scratch;
  std::array<int, 2> p{};
  ASSERT_EQ(::pipe(p.data()), 0);
  const pid_t owner = ::fork();
  ASSERT_GE(owner, 0);
  if (owner == 0) {
    ::close(p[0]);
    try {
      pg::ThrowawayServer s = pg::ThrowawayServer::start(scratch.options());
      const std::string msg =
          s.dir() + "\n" + s.data_dir() + "\n" + std::to_string(s.postmaster_pid()) + "\n";
      if (::write(p[1], msg.data(), msg.size()) != static_cast<ssize_t>(msg.size())) ::_exit(2);
      for (;;) ::pause();  // until SIGKILL: the destructor never runs
    } catch (const std::exception& e) {
      std::fprintf(stderr, "owner: %s\n", e.what());
      ::_exit(1);
    }
  }
  ::close(p[1]);
  std::string msg;
  std::array<char, 512> buf{};
  for (ssize_t n; (n = ::read(p[0], buf.data(), buf.size())) > 0;) {
    msg.append(buf.data(), static_cast<std::size_t>(n));
    if (std::count(msg.begin(), msg.end(), '\n') == 3) break;
  }
  ::close(p[0]);
  ::kill(owner, SIGKILL);
  int ws = 0;
  ::waitpid(owner, &ws, 0);
  std::istringstream in(msg);
  std::string dir;
  std::string data_dir;
  pid_t postmaster = 0;
  ASSERT_TRUE(in >> dir >> data_dir >> postmaster) << "the owner never started its server";
  ASSERT_TRUE(process_exists(postmaster)) << "the server should outlive its killed owner";

  // Only this run: a bare `clean` would also take other tests' stale objects from /dev/shm.
  const std::string name = fs::path(dir).filename().string();
  const std::string run_id = name.substr(0, name.rfind("-pg-"));
  EXPECT_EQ(run_id, "shmlab-" + std::to_string(owner) + name.substr(run_id.size() - 9, 9));
  const Outcome dry = run_shmlab({"clean", "--dry-run", run_id}, scratch.temp_dir());
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("would stop"), std::string::npos) << dry.out;
  EXPECT_TRUE(process_exists(postmaster));

  const Outcome out = run_shmlab({"clean", run_id}, scratch.temp_dir());
  EXPECT_EQ(out.exit_code, 0) << out.err;
  EXPECT_NE(out.out.find(dir), std::string::npos) << out.out;
  EXPECT_NE(out.out.find("PostgreSQL server"), std::string::npos) << out.out;
  expect_server_gone(dir, data_dir, postmaster);
  // Whatever happened above, this test leaves no server behind.
  pg::shutdown_server(-1, data_dir, std::chrono::seconds(5));
  pg::remove_server_dir(dir);
}

}  // namespace
}  // namespace shmlab::test
