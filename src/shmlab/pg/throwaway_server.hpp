// ThrowawayServer: a PostgreSQL server of shmlab's own for one run. start() runs initdb into a
// private 0700 directory <temp_dir>/<run id>-pg-XXXXXX and starts postgres listening on a Unix
// socket in that directory only (and, when asked, on one TCP address); the destructor stops the
// server and removes the directory, on every path, a half-started server included. When shmlab
// runs as root, initdb and postgres run as the `postgres` system user (PostgreSQL refuses root),
// which then owns the directory.
//
// Owned by the process that started it (the coordinator); move-only; never crosses processes: other
// processes connect with dsn(). If the owner dies without stopping it, the server keeps running:
// the state file in the directory (server_state.hpp) lets `shmlab clean` stop it and remove it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "shmlab/pg/user_process.hpp"

namespace shmlab::pg {

struct ThrowawayServerOptions {
  std::string temp_dir = "/tmp";  // parent of the private directory ($TMPDIR); the server's user
                                  // must be able to reach it
  std::string run_id;             // names the directory; "": a fresh "shmlab-<pid>-<8 hex>"
  std::string bindir;             // initdb and postgres; "": find_server_bindir()
  std::string tcp_address;  // also listen on TCP at this address (several: comma-separated); "":
                            // Unix socket only
  // With tcp_address: the networks ("a.b.c.d/30") TCP clients may come from, with `password`
  // (scram-sha-256) as the superuser's; pg_hba.conf then allows nothing else over TCP. Empty:
  // initdb's trust for 127.0.0.1 and ::1.
  std::vector<std::string> tcp_clients;
  std::string password;       // the superuser's, set by initdb (--pwfile); "": none
  int tcp_port = 0;           // with tcp_address; 0: a free port chosen at start
  int max_connections = 100;  // one per worker, plus the coordinator's
  std::chrono::milliseconds start_timeout{120'000};  // initdb and start-up together
  std::chrono::milliseconds stop_timeout{10'000};    // fast shutdown, then SIGKILL
};

class ThrowawayServer {
 public:
  // The database superuser initdb creates; connect as this user to the `postgres` database.
  static constexpr const char* kUser = "shmlab";
  static constexpr const char* kDatabase = "postgres";

  // Throws PgNotInstalled when PostgreSQL is missing, std::system_error naming what failed
  // otherwise (a server that did not start in time: the message ends with its log's last lines).
  // Nothing is left behind when it throws.
  static ThrowawayServer start(const ThrowawayServerOptions& options);

  ThrowawayServer() = default;
  ThrowawayServer(ThrowawayServer&& other) noexcept;
  ThrowawayServer& operator=(ThrowawayServer&& other) noexcept;
  ThrowawayServer(const ThrowawayServer&) = delete;
  ThrowawayServer& operator=(const ThrowawayServer&) = delete;
  ~ThrowawayServer() { stop(); }

  // Stops the server (fast shutdown, SIGKILL after stop_timeout) and removes the directory.
  // Idempotent; never throws.
  void stop() noexcept;

  bool running() const { return postmaster_.running(); }
  const std::string& dir() const { return dir_; }  // private directory, also the socket's
  const std::string& data_dir() const { return data_dir_; }
  const std::string& log_path() const { return log_path_; }
  pid_t postmaster_pid() const { return postmaster_.pid(); }
  int port() const { return port_; }  // the Unix socket's number (.s.PGSQL.<port>) and TCP's
  // libpq connection string through the Unix socket: "host=<dir> port=<port> user=… dbname=…".
  std::string dsn() const;
  // Through TCP, to the first address (with the password, if any); "" when the server does not
  // listen on TCP.
  std::string tcp_dsn() const;
  // What start() cost: initdb alone, and initdb + start until it accepted connections.
  std::chrono::nanoseconds initdb_time() const { return initdb_time_; }
  std::chrono::nanoseconds startup_time() const { return startup_time_; }

 private:
  std::string dir_;
  std::string data_dir_;
  std::string log_path_;
  std::string tcp_address_;  // the first of tcp_address
  std::string password_;
  int port_ = 0;
  std::chrono::milliseconds stop_timeout_{10'000};
  UserProcess postmaster_;
  std::chrono::nanoseconds initdb_time_{0};
  std::chrono::nanoseconds startup_time_{0};
};

// The last `max_lines` lines of a file, for error messages; "" when unreadable. Never throws.
std::string file_tail(const std::string& path, std::size_t max_lines);

// Quotes a value for a libpq keyword/value connection string ('…' with \ and ' escaped).
std::string conninfo_quote(const std::string& value);

}  // namespace shmlab::pg
