#include "shmlab/pg/pg_error.hpp"

#include <fmt/format.h>

namespace shmlab::pg {
namespace {

// A SQLSTATE is five characters of [0-9A-Z]: base 36 fits an int.
int encode(std::string_view sqlstate) {
  int v = 0;
  for (const char c : sqlstate.substr(0, 5)) {
    const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'Z' ? c - 'A' + 10 : 0;
    v = v * 36 + d;
  }
  return v;
}

std::string decode(int v) {
  std::string s(5, '0');
  for (int i = 4; i >= 0; --i) {
    const int d = v % 36;
    s[static_cast<std::size_t>(i)] = static_cast<char>(d < 10 ? '0' + d : 'A' + d - 10);
    v /= 36;
  }
  return s;
}

class PgCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "postgres"; }
  std::string message(int value) const override { return "SQLSTATE " + decode(value); }
};

}  // namespace

const std::error_category& pg_category() noexcept {
  static const PgCategory category;
  return category;
}

PgError::PgError(std::string_view sqlstate, const std::string& context, const std::string& message)
    : std::system_error(encode(sqlstate), pg_category(), fmt::format("{}: {}", context, message)),
      sqlstate_(sqlstate),
      message_(message) {}

}  // namespace shmlab::pg
