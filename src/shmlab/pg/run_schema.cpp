#include "shmlab/pg/run_schema.hpp"

#include <utility>

namespace shmlab::pg {

std::string run_schema_name(std::string_view run_id) {
  std::string out;
  out.reserve(run_id.size());
  for (const char c : run_id) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    out += plain ? c : (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : '_';
  }
  return out;
}

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (const char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

RunSchema RunSchema::create(Connection connection, std::string_view run_id) {
  std::string name = run_schema_name(run_id);
  connection.exec("CREATE SCHEMA " + quote_identifier(name));
  return RunSchema(std::move(connection), std::move(name));
}

RunSchema& RunSchema::operator=(RunSchema&& other) noexcept {
  if (this != &other) {
    drop();
    connection_ = std::move(other.connection_);
    name_ = std::exchange(other.name_, {});
  }
  return *this;
}

std::string RunSchema::qualified(std::string_view table) const {
  return quote_identifier(name_) + "." + quote_identifier(table);
}

void RunSchema::drop() noexcept {
  if (name_.empty() || !connection_.connected()) return;
  try {
    if (connection_.transaction_status() != PQTRANS_IDLE) connection_.exec("ROLLBACK");
    connection_.exec("DROP SCHEMA IF EXISTS " + quote_identifier(name_) + " CASCADE");
  } catch (...) {
    // Cleanup never throws; a schema left behind carries the run's name for a manual DROP.
  }
  name_.clear();
}

}  // namespace shmlab::pg
