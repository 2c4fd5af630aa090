// Where PostgreSQL's server programs (initdb, postgres) are installed. Debian keeps them out of
// PATH, in /usr/lib/postgresql/<major>/bin.
#pragma once

#include <string>
#include <system_error>

namespace shmlab::pg {

// PostgreSQL's server is not installed (ENOENT): an environment failure, exit 1 at the CLI.
class PgNotInstalled : public std::system_error {
 public:
  explicit PgNotInstalled(const std::string& what)
      : std::system_error(std::make_error_code(std::errc::no_such_file_or_directory), what) {}
};

// The directory holding initdb and postgres: `pg_config --bindir` when that directory has both
// (pg_config comes with libpq-dev and may belong to another major version than the server), else
// the newest /usr/lib/postgresql/<major>/bin that has both. Throws PgNotInstalled naming what was
// looked at and the package to install.
std::string find_server_bindir();

}  // namespace shmlab::pg
