// RunSchema: the schema a run's tables live in, named after the run ("shmlab_<pid>_<hex>" for run
// "shmlab-<pid>-<hex>"), so that runs sharing one server (`--dsn`) never see each other's tables.
// Created by the coordinator through its own connection and dropped, with everything in it, when
// the RunSchema is destroyed; workers name their tables through qualified().
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "shmlab/pg/connection.hpp"

namespace shmlab::pg {

// "shmlab-1234-0abc12ef" → "shmlab_1234_0abc12ef": a valid unquoted identifier, unique per run.
std::string run_schema_name(std::string_view run_id);

// Quotes an identifier for SQL ("a\"b" → "\"a\"\"b\""); unlike PQescapeIdentifier it needs no
// connection, so workers and messages build the same names.
std::string quote_identifier(std::string_view name);

class RunSchema {
 public:
  // CREATE SCHEMA for `run_id` through `connection` (kept for the drop). Throws PgError, e.g.
  // 42P06 when the schema exists already: another run's, never reused.
  static RunSchema create(Connection connection, std::string_view run_id);

  RunSchema(RunSchema&& other) noexcept
      : connection_(std::move(other.connection_)), name_(std::exchange(other.name_, {})) {}
  RunSchema& operator=(RunSchema&& other) noexcept;
  RunSchema(const RunSchema&) = delete;
  RunSchema& operator=(const RunSchema&) = delete;
  ~RunSchema() { drop(); }

  const std::string& name() const { return name_; }
  // "\"shmlab_1234_0abc12ef\".\"counter\"": a table of the run, for SQL text.
  std::string qualified(std::string_view table) const;
  Connection& connection() { return connection_; }
  // DROP SCHEMA … CASCADE (after rolling back a transaction left open). Idempotent; never throws.
  void drop() noexcept;
  // Leaves the schema in place (--keep): this object forgets it.
  void release() noexcept { name_.clear(); }

 private:
  RunSchema(Connection c, std::string name) : connection_(std::move(c)), name_(std::move(name)) {}
  Connection connection_;
  std::string name_;  // "" once dropped
};

}  // namespace shmlab::pg
