// What the PostgreSQL tests share: a scratch directory the server's user can reach, a fixture
// that starts a real throwaway server and stops it in TearDown, and probes of what a stopped
// server must not leave (its processes, its directory).
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "shmlab/pg/server_shutdown.hpp"
#include "shmlab/pg/throwaway_server.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {

// A TempDir that others may traverse (0711): as root the server runs as `postgres`, which must
// reach its private directory inside; the private directory itself stays 0700.
class PgScratch {
 public:
  PgScratch() { ::chmod(tmp_.path().c_str(), 0711); }
  const std::string& path() const { return tmp_.path(); }
  const TempDir& temp_dir() const { return tmp_; }
  pg::ThrowawayServerOptions options() const {
    pg::ThrowawayServerOptions o;
    o.temp_dir = tmp_.path();
    return o;
  }
  // A server that also listens on TCP at `address` for `clients` only, with `password` (scram).
  pg::ThrowawayServerOptions tcp_options(const std::string& password,
                                         const std::string& address = "127.0.0.1",
                                         const std::string& clients = "127.0.0.1/32") const {
    pg::ThrowawayServerOptions o = options();
    o.tcp_address = address;
    o.tcp_clients = {clients};
    o.password = password;
    return o;
  }

 private:
  TempDir tmp_;
};

// A zombie counts as gone: whoever inherited an orphaned postmaster reaps it in its own time.
inline bool process_exists(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const std::size_t paren = line.rfind(')');
  return paren == std::string::npos || paren + 2 >= line.size() || line[paren + 2] != 'Z';
}

// Asserts that nothing of a stopped server remains: no process with its data directory as working
// directory, no postmaster, no directory.
inline void expect_server_gone(const std::string& dir, const std::string& data_dir,
                               pid_t postmaster) {
  EXPECT_TRUE(pg::server_processes(data_dir).empty()) << "processes of " << data_dir << " remain";
  if (postmaster > 0) {
    EXPECT_FALSE(process_exists(postmaster)) << "postmaster " << postmaster << " still runs";
  }
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::symlink_status(dir))) << dir << " remains";
}

// One real server per test, stopped in TearDown (and by its destructor on any other path).
class PgServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<pg::ThrowawayServer>(pg::ThrowawayServer::start(scratch_.options()));
  }
  void TearDown() override {
    if (!server_) return;  // SetUp failed, and said why
    const std::string dir = server_->dir();
    const std::string data_dir = server_->data_dir();
    const pid_t pid = server_->postmaster_pid();
    server_.reset();
    expect_server_gone(dir, data_dir, pid);
  }
  pg::ThrowawayServer& server() { return *server_; }

  PgScratch scratch_;
  std::unique_ptr<pg::ThrowawayServer> server_;
};

}  // namespace shmlab::test
