// PgError: a PostgreSQL connection or statement failed. It carries the SQLSTATE, so that a caller
// can tell a serialization failure (40001) or a detected deadlock (40P01), which a transaction
// retries, from everything else. A std::system_error in the "postgres" category whose code is the
// SQLSTATE, so the CLI reports it as an environment failure (exit 1) like any other.
#pragma once

#include <string>
#include <string_view>
#include <system_error>

namespace shmlab::pg {

inline constexpr std::string_view kSerializationFailure = "40001";
inline constexpr std::string_view kDeadlockDetected = "40P01";
inline constexpr std::string_view kConnectionFailure = "08006";  // when libpq reports none

// The category of PgError's codes: value() encodes the five-character SQLSTATE, message() is
// "SQLSTATE 40001".
const std::error_category& pg_category() noexcept;

class PgError : public std::system_error {
 public:
  // `context` names the call and its argument (`PQexec("UPDATE …")`), `message` is the server's.
  PgError(std::string_view sqlstate, const std::string& context, const std::string& message);

  const std::string& sqlstate() const { return sqlstate_; }
  const std::string& server_message() const { return message_; }
  bool serialization_failure() const { return sqlstate_ == kSerializationFailure; }
  bool deadlock_detected() const { return sqlstate_ == kDeadlockDetected; }
  // What a transaction rolls back and tries again.
  bool retryable() const { return serialization_failure() || deadlock_detected(); }
  // Class 08: the connection is gone; the session's state with it.
  bool connection_lost() const { return sqlstate_.rfind("08", 0) == 0; }

 private:
  std::string sqlstate_;
  std::string message_;
};

}  // namespace shmlab::pg
