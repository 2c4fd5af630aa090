#include "shmlab/pg/connection.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <utility>

namespace shmlab::pg {
namespace {

// Statements in messages are cut: a message names the statement, it does not reprint a script.
std::string context(std::string_view call, std::string_view sql) {
  constexpr std::size_t kMax = 80;
  return fmt::format("{}(\"{}{}\")", call, sql.substr(0, kMax), sql.size() > kMax ? "…" : "");
}

std::string trimmed(const char* message) {
  std::string m = message != nullptr ? message : "";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

// The server's NOTICEs ("table … does not exist, skipping") would go to stderr by default, in the
// middle of shmlab's output; they report nothing a caller acts on.
void ignore_notice(void*, const char*) {}

}  // namespace

std::string_view Result::value(int row, int column) const {
  return {libpq().PQgetvalue(result_.get(), row, column),
          static_cast<std::size_t>(libpq().PQgetlength(result_.get(), row, column))};
}

std::int64_t Result::int64(int row, int column) const {
  const std::string_view v = value(row, column);
  std::int64_t out = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || end != v.data() + v.size() || is_null(row, column)) {
    throw PgError("22P02", fmt::format("Result::int64({}, {})", row, column),
                  fmt::format("not an integer: \"{}\"", v));
  }
  return out;
}

std::int64_t Result::affected_rows() const {
  const std::string_view v = libpq().PQcmdTuples(result_.get());
  std::int64_t out = 0;
  std::from_chars(v.data(), v.data() + v.size(), out);
  return out;
}

std::optional<PasswordSpan> find_password(std::string_view dsn, std::size_t from) {
  constexpr std::string_view kKey = "password";
  for (std::size_t at = dsn.find(kKey, from); at != std::string_view::npos;
       at = dsn.find(kKey, at + kKey.size())) {
    const char before = at == 0 ? ' ' : dsn[at - 1];
    const bool uri_parameter = before == '?' || before == '&';  // postgresql://…?password=…
    if (before != ' ' && !uri_parameter) continue;
    std::size_t v = dsn.find_first_not_of(' ', at + kKey.size());
    if (v == std::string_view::npos || dsn[v] != '=') continue;
    v = std::min(dsn.find_first_not_of(' ', v + 1), dsn.size());
    std::size_t end = v;
    if (end < dsn.size() && dsn[end] == '\'' && !uri_parameter) {
      for (++end; end < dsn.size() && dsn[end] != '\''; ++end)
        if (dsn[end] == '\\') ++end;
      end = std::min(end + 1, dsn.size());
    } else {
      end = std::min(dsn.find_first_of(uri_parameter ? "&" : " ", end), dsn.size());
    }
    return PasswordSpan{at, v, end};
  }
  return std::nullopt;
}

namespace {

// A URI's password in its userinfo, `postgresql://user:secret@host…`: [value, end), the ':'
// before it excluded; nullopt without one. The userinfo ends at the first '@' before the path
// ('/') and the parameters ('?'): an '@' in a parameter's value is not one.
std::optional<std::pair<std::size_t, std::size_t>> uri_password(std::string_view dsn) {
  const std::size_t scheme = dsn.find("://");
  if (scheme == std::string_view::npos) return std::nullopt;
  const std::size_t authority = scheme + 3;
  const std::size_t at = dsn.find('@', authority);
  if (at == std::string_view::npos || dsn.find_first_of("/?", authority) < at) return std::nullopt;
  const std::size_t colon = dsn.find(':', authority);
  if (colon == std::string_view::npos || colon > at) return std::nullopt;
  return std::pair{colon + 1, at};
}

}  // namespace

std::string redact_password(std::string_view dsn) {
  std::string out(dsn);
  if (const auto u = uri_password(out)) out.replace(u->first, u->second - u->first, kPasswordMask);
  for (auto p = find_password(out); p; p = find_password(out, p->value + kPasswordMask.size()))
    out.replace(p->value, p->end - p->value, kPasswordMask);
  return out;
}

std::string dsn_without_password(std::string_view dsn) {
  std::string out(dsn);
  // URI: postgresql://user:secret@host/…
  if (out.find("://") != std::string::npos) {
    if (const auto u = uri_password(out)) out.erase(u->first - 1, u->second - u->first + 1);
    const std::size_t q = out.find("password=");  // ?password=… among the URI's parameters
    if (q != std::string::npos && q > 0 && (out[q - 1] == '?' || out[q - 1] == '&')) {
      const std::size_t end = out.find('&', q);
      out.erase(q - (end == std::string::npos && out[q - 1] == '&' ? 1 : 0),
                end == std::string::npos ? std::string::npos : end + 1 - q);
      if (!out.empty() && out.back() == '?') out.pop_back();
    }
    return out;
  }
  // key=value: password=secret or password='sec ret', with the space before it (or after it, at
  // the start).
  for (auto p = find_password(out); p;) {
    const std::size_t from = p->key > 0 ? p->key - 1 : 0;
    const std::size_t end = p->key == 0 && p->end < out.size() ? p->end + 1 : p->end;
    out.erase(from, end - from);
    p = find_password(out, from);
  }
  return out;
}

std::optional<std::string> password_of(std::string_view dsn) {
  const std::optional<PasswordSpan> p = find_password(dsn);
  if (!p) return std::nullopt;
  std::string_view v = dsn.substr(p->value, p->end - p->value);
  if (v.size() < 2 || v.front() != '\'') return std::string(v);
  std::string out;  // a quoted value: its quotes off, its backslash escapes undone
  for (std::size_t i = 1; i + 1 < v.size(); ++i) {
    if (v[i] == '\\' && i + 2 < v.size()) ++i;
    out += v[i];
  }
  return out;
}

Connection Connection::connect(const std::string& dsn) {
  Connection c(libpq().PQconnectdb(dsn.c_str()));
  if (!c.conn_) throw PgError(kConnectionFailure, "PQconnectdb", "out of memory");
  if (libpq().PQstatus(c.conn_.get()) != CONNECTION_OK) {
    throw PgError(
        kConnectionFailure,
        context("PQconnectdb", dsn.empty() ? "(from the environment)" : redact_password(dsn)),
        trimmed(libpq().PQerrorMessage(c.conn_.get())));
  }
  libpq().PQsetNoticeProcessor(c.conn_.get(), &ignore_notice, nullptr);
  return c;
}

bool Connection::notified() {
  if (libpq().PQconsumeInput(conn_.get()) == 0) {
    throw PgError(kConnectionFailure, "PQconsumeInput",
                  trimmed(libpq().PQerrorMessage(conn_.get())));
  }
  bool any = false;
  while (PGnotify* n = libpq().PQnotifies(conn_.get())) {
    libpq().PQfreemem(n);
    any = true;
  }
  return any;
}

Result Connection::exec(std::string_view sql) {
  const std::string s(sql);
  return check(libpq().PQexec(conn_.get(), s.c_str()), "PQexec", sql);
}

Result Connection::exec(std::string_view sql, const std::vector<std::string>& params) {
  const std::string s(sql);
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const std::string& p : params) values.push_back(p.c_str());
  if (prepare_) {
    auto it = prepared_.find(s);
    if (it == prepared_.end()) {
      const std::string name = "s" + std::to_string(prepared_.size() + 1);
      check(libpq().PQprepare(conn_.get(), name.c_str(), s.c_str(), 0, nullptr), "PQprepare", sql);
      it = prepared_.emplace(s, name).first;  // only once the server has it
    }
    return check(
        libpq().PQexecPrepared(conn_.get(), it->second.c_str(), static_cast<int>(values.size()),
                               values.data(), nullptr, nullptr, 0),
        "PQexecPrepared", sql);
  }
  return check(libpq().PQexecParams(conn_.get(), s.c_str(), static_cast<int>(values.size()),
                                    nullptr, values.data(), nullptr, nullptr, 0),
               "PQexecParams", sql);
}

Result Connection::check(PGresult* r, const char* call, std::string_view sql) {
  Result result(r);
  const ExecStatusType status = r != nullptr ? libpq().PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY)
    return result;
  const char* state = r != nullptr ? libpq().PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary =
      r != nullptr ? libpq().PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  // No SQLSTATE: libpq itself failed, most often because the connection is gone.
  const std::string message =
      trimmed(primary != nullptr ? primary : libpq().PQerrorMessage(conn_.get()));
  throw PgError(state != nullptr ? std::string_view(state) : kConnectionFailure, context(call, sql),
                message);
}

}  // namespace shmlab::pg
