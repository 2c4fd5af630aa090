#include "shmlab/run/control_relay.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <span>
#include <system_error>

#include "shmlab/control/slot_image.hpp"
#include "shmlab/pg/run_schema.hpp"
#include "shmlab/region/pg_region.hpp"
#include "shmlab/schedule/step_gate.hpp"
#include "shmlab/sys/clock.hpp"

namespace shmlab {
namespace {

// The params row's layout: RunParams as this build stores it. Another build refuses the row.
constexpr std::int64_t kParamsVersion = 1;

// How often each side relays: a step of a scheduled run crosses in a few of these.
constexpr std::int64_t kTickNs = 1'000'000;
// Each side reads the other's rows this often even without a NOTIFY.
constexpr std::int64_t kSafetyPullNs = 100'000'000;
// A worker whose connection was lost (a partition) tries again this often, and at its end for
// this long before it gives its last state up.
constexpr std::int64_t kReconnectNs = 500'000'000;
constexpr std::int64_t kFinishNs = 10'000'000'000;

std::string up_channel(const std::string& schema) { return schema + "_up"; }
std::string down_channel(const std::string& schema) { return schema + "_down"; }

std::string table(const std::string& schema, std::string_view name) {
  return pg::quote_identifier(schema) + "." + pg::quote_identifier(name);
}

// bytea's text form ("\x0a1b…"), both ways.
std::string to_bytea(std::span<const char> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + bytes.size() * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::vector<char> from_bytea(std::string_view text) {
  const auto nibble = [](char c) {
    return c <= '9' ? c - '0' : (c >= 'a' ? c - 'a' + 10 : c - 'A' + 10);
  };
  std::vector<char> out;
  if (!text.starts_with("\\x")) return out;
  for (std::size_t i = 2; i + 1 < text.size(); i += 2)
    out.push_back(static_cast<char>(nibble(text[i]) << 4 | nibble(text[i + 1])));
  return out;
}

template <class T>
std::span<const char> bytes_of(std::span<const T> items) {
  return {reinterpret_cast<const char*>(items.data()), items.size_bytes()};
}

// bigint[]'s text form ("{1,2,3}"), both ways.
std::string to_array(const std::vector<std::int64_t>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i)
    out += (i == 0 ? "" : ",") + fmt::format("{}", values[i]);
  return out + "}";
}

std::vector<std::int64_t> from_array(std::string_view text) {
  std::vector<std::int64_t> out;
  if (text.size() < 2) return out;
  text = text.substr(1, text.size() - 2);
  while (!text.empty()) {
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{}) break;
    out.push_back(v);
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    if (!text.empty()) text.remove_prefix(1);  // ','
  }
  return out;
}

std::string num(std::uint64_t v) { return fmt::format("{}", v); }

}  // namespace

RunParams params_without_password(const RunParams& params) {
  RunParams p = params;
  const std::string_view path = params.region_path;
  const std::size_t space = path.find(' ');
  if (space == std::string_view::npos) return p;
  const std::string clean =
      std::string(path.substr(0, space + 1)) + pg::dsn_without_password(path.substr(space + 1));
  std::memset(p.region_path, 0, sizeof(p.region_path));
  std::memcpy(p.region_path, clean.data(), std::min(clean.size(), sizeof(p.region_path) - 1));
  return p;
}

RunParams read_control_params(pg::Connection& connection, const std::string& schema) {
  const pg::Result r =
      connection.exec(fmt::format("SELECT version, body FROM {}", table(schema, "control_params")));
  const std::vector<char> body = r.rows() == 1 ? from_bytea(r.value(0, 1)) : std::vector<char>{};
  if (r.rows() != 1 || r.int64(0, 0) != kParamsVersion || body.size() != sizeof(RunParams)) {
    throw std::system_error(
        EPROTO, std::generic_category(),
        fmt::format("{}: not the params of this build of shmlab (version {}, {} bytes)",
                    table(schema, "control_params"), r.rows() == 1 ? r.value(0, 0) : "none",
                    body.size()));
  }
  RunParams p;
  std::memcpy(&p, body.data(), sizeof p);
  return p;
}

CoordinatorRelay::CoordinatorRelay(const std::string& dsn, const std::string& schema,
                                   ControlBlock& control)
    : control_(control),
      schema_(schema),
      conn_(pg::Connection::connect(dsn)),
      arrived_(control.params().workers, false) {
  const RunParams clean = params_without_password(control.params());
  conn_.exec(fmt::format(
      "CREATE TABLE {0} (version bigint NOT NULL, body bytea NOT NULL);"
      "CREATE TABLE {1} (go boolean NOT NULL, abort boolean NOT NULL, granted bigint[] NOT NULL);"
      "CREATE TABLE {2} (idx integer PRIMARY KEY, arrived boolean NOT NULL DEFAULT false,"
      " slot bigint[] NOT NULL DEFAULT '{{}}', gate_wanted bigint NOT NULL DEFAULT 0,"
      " gate_seq bigint NOT NULL DEFAULT 0, error text NOT NULL DEFAULT '');"
      "CREATE TABLE {3} (id bigserial PRIMARY KEY, idx integer NOT NULL, first bigint NOT NULL,"
      " body bytea NOT NULL);"
      "CREATE TABLE {4} (id bigserial PRIMARY KEY, idx integer NOT NULL, body bytea NOT NULL)",
      table(schema, "control_params"), table(schema, "control_run"),
      table(schema, "control_workers"), table(schema, "control_writes"),
      table(schema, "control_trace")));
  conn_.exec(
      fmt::format("INSERT INTO {} VALUES ($1, $2)", table(schema, "control_params")),
      {num(kParamsVersion), to_bytea({reinterpret_cast<const char*>(&clean), sizeof clean})});
  conn_.exec(
      fmt::format("INSERT INTO {} SELECT false, false, array_fill(0::bigint, ARRAY[$1::int])",
                  table(schema, "control_run")),
      {num(control.params().workers)});
  conn_.exec(fmt::format("INSERT INTO {} (idx) SELECT generate_series(0, $1::int - 1)",
                         table(schema, "control_workers")),
             {num(control.params().workers)});
  conn_.exec("LISTEN " + pg::quote_identifier(up_channel(schema)));
  thread_ = std::thread([this] { loop(); });
}

CoordinatorRelay::~CoordinatorRelay() {
  stop_.store(true, std::memory_order_relaxed);
  if (thread_.joinable()) thread_.join();
}

std::string CoordinatorRelay::error() const {
  const std::lock_guard lock(mutex_);
  return error_;
}

int CoordinatorRelay::terminate_worker(std::uint32_t index) noexcept {
  const std::lock_guard lock(mutex_);
  try {
    const std::string name = worker_session_name(control_.params().run_id, index);
    // In the select list, not the WHERE clause: evaluated only for the rows that match (SQL does
    // not promise the order in which AND's operands are evaluated).
    const pg::Result r = conn_.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE application_name IN ($1, $2)",
        {name, name + std::string(kRelaySessionSuffix)});
    int ended = 0;
    for (int i = 0; i < r.rows(); ++i) ended += r.value(i, 0) == "t" ? 1 : 0;
    return ended;
  } catch (const std::exception&) {
    return -1;
  }
}

bool CoordinatorRelay::ended(std::uint32_t idx) const {
  return has_ended(control_.slot(idx).state.load(std::memory_order_acquire));
}

std::vector<std::uint32_t> CoordinatorRelay::workers_gone() {
  const std::lock_guard lock(mutex_);
  std::vector<std::uint32_t> out;
  for (std::uint32_t i = 0; i < arrived_.size(); ++i)
    if (arrived_[i] && !ended(i)) out.push_back(i);
  if (out.empty()) return out;
  // Every session of the run's workers: "shmlab <run id> w<K>", and its relay's with a suffix.
  const std::string stem = worker_session_stem(control_.params().run_id);
  const pg::Result r = conn_.exec(
      "SELECT DISTINCT application_name FROM pg_stat_activity"
      " WHERE left(application_name, length($1)) = $1",
      {stem});
  std::vector<bool> present(arrived_.size(), false);
  for (int i = 0; i < r.rows(); ++i) {
    const std::string_view name = r.value(i, 0).substr(stem.size());
    std::uint32_t k = 0;
    const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), k);
    const std::string_view rest(end, static_cast<std::size_t>(name.data() + name.size() - end));
    if (ec == std::errc{} && k >= 1 && k <= present.size() &&
        (rest.empty() || rest == kRelaySessionSuffix))
      present[k - 1] = true;
  }
  std::erase_if(out, [&](std::uint32_t i) { return present[i]; });
  if (out.empty()) return out;
  // A worker that ended wrote its row before it closed its sessions (it commits, then exits): its
  // row, read after the sessions were seen gone, says so.
  pull();
  std::erase_if(out, [&](std::uint32_t i) { return ended(i); });
  return out;
}

void CoordinatorRelay::finish() {
  stop_.store(true, std::memory_order_relaxed);
  if (thread_.joinable()) thread_.join();
  const std::lock_guard lock(mutex_);
  if (!error_.empty()) return;
  try {
    pull();
  } catch (const std::exception& e) {
    error_ = e.what();
  }
}

void CoordinatorRelay::loop() {
  std::int64_t last_pull = 0;
  while (!stop_.load(std::memory_order_relaxed)) {
    {
      const std::lock_guard lock(mutex_);
      if (!error_.empty()) return;
      try {
        push();
        const std::int64_t now = sys::monotonic_ns();
        if (conn_.notified() || now - last_pull > kSafetyPullNs) {
          last_pull = now;
          pull();
        }
      } catch (const std::exception& e) {
        error_ = e.what();  // the watchdog then sees no progress and stops the run
        return;
      }
    }
    sys::sleep_ns(kTickNs);
  }
}

void CoordinatorRelay::push() {
  const ControlHeader& h = control_.header();
  std::vector<std::int64_t> granted;
  for (const WorkerSlot& s : control_.slots())
    granted.push_back(s.gate_granted.load(std::memory_order_acquire));
  const std::vector<std::string> row = {h.start.is_open() ? "true" : "false",
                                        h.abort.load(std::memory_order_acquire) ? "true" : "false",
                                        to_array(granted), down_channel(schema_)};
  const std::string state = row[0] + row[1] + row[2];
  if (state == pushed_) return;
  conn_.exec(fmt::format("WITH u AS (UPDATE {} SET go = $1, abort = $2, granted = $3 RETURNING 1)"
                         " SELECT pg_notify($4, '') FROM u",
                         table(schema_, "control_run")),
             row);
  pushed_ = state;
}

void CoordinatorRelay::pull() {
  const std::uint32_t workers = control_.params().workers;
  // The data first, then the slots that count it.
  const pg::Result writes =
      conn_.exec(fmt::format("SELECT id, idx, first, body FROM {} WHERE id > $1 ORDER BY id",
                             table(schema_, "control_writes")),
                 {fmt::format("{}", last_write_id_)});
  for (int i = 0; i < writes.rows(); ++i) {
    last_write_id_ = writes.int64(i, 0);
    const auto idx = static_cast<std::uint32_t>(writes.int64(i, 1));
    const auto first = static_cast<std::uint64_t>(writes.int64(i, 2));
    const std::vector<char> body = from_bytea(writes.value(i, 3));
    if (idx >= workers) continue;
    const std::span<WriteEntry> log = control_.write_log(idx);
    const std::uint64_t n = body.size() / sizeof(WriteEntry);
    if (first > log.size() || n > log.size() - first) continue;
    std::memcpy(log.data() + first, body.data(), n * sizeof(WriteEntry));
  }
  const pg::Result trace =
      conn_.exec(fmt::format("SELECT id, idx, body FROM {} WHERE id > $1 ORDER BY id",
                             table(schema_, "control_trace")),
                 {fmt::format("{}", last_trace_id_)});
  for (int i = 0; i < trace.rows(); ++i) {
    last_trace_id_ = trace.int64(i, 0);
    const auto idx = static_cast<std::uint32_t>(trace.int64(i, 1));
    const std::vector<char> body = from_bytea(trace.value(i, 2));
    if (idx >= workers) continue;
    TraceRing ring = control_.trace(idx);
    for (std::size_t at = 0; at + sizeof(TraceEvent) <= body.size(); at += sizeof(TraceEvent)) {
      TraceEvent e;
      std::memcpy(&e, body.data() + at, sizeof e);
      ring.push(e);
    }
  }
  const pg::Result rows = conn_.exec(
      fmt::format("SELECT idx, arrived, slot, gate_wanted, gate_seq, error FROM {} ORDER BY idx",
                  table(schema_, "control_workers")));
  for (int i = 0; i < rows.rows(); ++i) {
    const auto idx = static_cast<std::uint32_t>(rows.int64(i, 0));
    if (idx >= workers) continue;
    WorkerSlot& slot = control_.slot(idx);
    const std::string_view error = rows.value(i, 5);
    if (!error.empty()) {
      const std::size_t n = std::min(error.size(), sizeof(slot.error) - 1);
      std::memcpy(slot.error, error.data(), n);
      slot.error[n] = '\0';
    }
    const std::vector<std::int64_t> image = from_array(rows.value(i, 2));
    if (!image.empty()) apply_slot_image(slot, image);
    if (rows.value(i, 1) == "t" && !arrived_[idx]) {
      arrived_[idx] = true;
      control_.header().start.arrive();
    }
    // A step the worker asks for: taken only as the request for the next grant (gate_seq grants
    // seen), so that a row read again after its grant is never granted twice.
    const auto wanted = static_cast<std::uint32_t>(rows.int64(i, 3));
    const auto seq = static_cast<std::uint32_t>(rows.int64(i, 4));
    if (wanted != kGateNone && seq == slot.gate_granted.load(std::memory_order_acquire) &&
        slot.gate_wanted.load(std::memory_order_acquire) == kGateNone)
      publish_step(slot, wanted);
  }
}

WorkerRelay::WorkerRelay(pg::Connection connection, std::string dsn, const std::string& schema,
                         ControlBlock& control, std::uint32_t index)
    : control_(control),
      index_(index),
      // A reconnect during a partition gives up quickly and tries again.
      dsn_(std::move(dsn) + " connect_timeout=1"),
      schema_(schema),
      session_name_(worker_session_name(control.params().run_id, index) +
                    std::string(kRelaySessionSuffix)),
      conn_(std::move(connection)) {
  open_session();
  thread_ = std::thread([this] { loop(); });
}

void WorkerRelay::open_session() {
  conn_.exec("SELECT set_config('application_name', $1, false)", {session_name_});
  conn_.exec("LISTEN " + pg::quote_identifier(down_channel(schema_)));
}

WorkerRelay::~WorkerRelay() {
  stop_.store(true, std::memory_order_relaxed);
  if (thread_.joinable()) thread_.join();
}

bool WorkerRelay::ensure_connected() {
  if (connected_) return true;
  const std::int64_t now = sys::monotonic_ns();
  if (now < next_connect_ns_) return false;
  next_connect_ns_ = now + kReconnectNs;
  try {
    conn_ = pg::Connection::connect(dsn_);
    open_session();
  } catch (const pg::PgError&) {
    return false;
  }
  connected_ = true;
  pushed_.clear();  // the row again, whatever reached the server before
  return true;
}

void WorkerRelay::loop() {
  while (!stop_.load(std::memory_order_relaxed)) {
    {
      const std::lock_guard lock(mutex_);
      try {
        if (ensure_connected()) {
          push(false);
          const std::int64_t now = sys::monotonic_ns();
          if (conn_.notified() || now - last_pull_ns_ > kSafetyPullNs) {
            last_pull_ns_ = now;
            pull();
          }
        }
      } catch (const pg::PgError&) {
        connected_ = false;  // lost (a partition) or refused: connect again, publish again
      }
    }
    sys::sleep_ns(kTickNs);
  }
}

void WorkerRelay::flush() noexcept {
  const std::lock_guard lock(mutex_);
  try {
    if (ensure_connected()) push(true);
  } catch (const pg::PgError&) {
    connected_ = false;
  }
}

void WorkerRelay::finish() noexcept {
  stop_.store(true, std::memory_order_relaxed);
  if (thread_.joinable()) thread_.join();
  const std::int64_t deadline = sys::monotonic_ns() + kFinishNs;
  while (sys::monotonic_ns() < deadline) {
    try {
      if (ensure_connected()) {
        push(true);
        return;
      }
    } catch (const pg::PgError& e) {
      // The schema is gone: the coordinator has read our end already and finished the run (a
      // coordinator that is not our parent does not wait for our exit).
      if (e.sqlstate() == "42P01" || e.sqlstate() == "3F000") return;
      connected_ = false;
    }
    sys::sleep_ns(kTickNs * 10);
  }
}

void WorkerRelay::push(bool owner) {
  const WorkerSlot& slot = control_.slot(index_);
  // The slot first: the entries and events published next are at least those it counts.
  const std::vector<std::int64_t> image = slot_image(slot, owner);
  std::string error;
  if (image[0] == static_cast<std::int64_t>(WorkerState::kFailed))
    error.assign(slot.error, strnlen(slot.error, sizeof(slot.error)));
  const std::uint32_t wanted = slot.gate_wanted.load(std::memory_order_acquire);
  push_writes(owner);
  push_trace();
  const std::vector<std::string> row = {
      num(index_),        control_.header().start.arrived() != 0 ? "true" : "false",
      to_array(image),    num(wanted),
      num(grants_),       error,
      up_channel(schema_)};
  const std::string state = row[1] + row[2] + row[3] + row[4] + row[5];
  if (state == pushed_) return;
  conn_.exec(fmt::format("WITH u AS (UPDATE {} SET arrived = $2, slot = $3, gate_wanted = $4,"
                         " gate_seq = $5, error = $6 WHERE idx = $1 RETURNING 1)"
                         " SELECT pg_notify($7, '') FROM u",
                         table(schema_, "control_workers")),
             row);
  pushed_ = state;
}

void WorkerRelay::push_writes(bool owner) {
  const std::span<WriteEntry> log = control_.write_log(index_);
  if (log.empty()) return;
  const RunParams& p = control_.params();
  const std::uint64_t per_op = writes_per_op(p);
  // Acquire: the entries of every operation it counts are complete.
  const std::uint64_t ops = control_.slot(index_).ops.load(std::memory_order_acquire);
  // The finished operations not yet published; on the owner's thread also the one in progress (a
  // worker about to stop or crash leaves its intent), again when it changed.
  const std::uint64_t end_op = owner ? std::min(ops + 1, p.increments) : ops;
  if (end_op <= final_ops_) return;
  const std::uint64_t first = final_ops_ * per_op;
  const std::span<const WriteEntry> range = log.subspan(first, (end_op - final_ops_) * per_op);
  const std::span<const char> bytes = bytes_of(range);
  if (first != sent_first_ ||
      !std::equal(bytes.begin(), bytes.end(), sent_bytes_.begin(), sent_bytes_.end())) {
    conn_.exec(fmt::format("INSERT INTO {} (idx, first, body) VALUES ($1, $2, $3)",
                           table(schema_, "control_writes")),
               {num(index_), num(first), to_bytea(bytes)});
  }
  final_ops_ = std::min(ops, end_op);
  sent_first_ = final_ops_ * per_op;
  sent_bytes_.assign(
      bytes.begin() + static_cast<std::ptrdiff_t>((sent_first_ - first) * sizeof(WriteEntry)),
      bytes.end());
}

void WorkerRelay::push_trace() {
  const TraceRing ring = control_.trace(index_);
  const std::uint64_t n = ring.appended();
  if (n == trace_sent_) return;
  const std::vector<TraceEvent> events = ring.since(trace_sent_);
  conn_.exec(
      fmt::format("INSERT INTO {} (idx, body) VALUES ($1, $2)", table(schema_, "control_trace")),
      {num(index_), to_bytea(bytes_of(std::span<const TraceEvent>(events)))});
  trace_sent_ = n;
}

void WorkerRelay::pull() {
  const pg::Result r = conn_.exec(
      fmt::format("SELECT go, abort, granted[$1] FROM {}", table(schema_, "control_run")),
      {num(index_ + 1)});
  if (r.rows() != 1) return;
  ControlHeader& h = control_.header();
  if (r.value(0, 1) == "t" && h.abort.load(std::memory_order_relaxed) == 0) {
    h.abort.store(1, std::memory_order_release);
    release_gates(control_);
    h.start.open();
  }
  if (r.value(0, 0) == "t" && !h.start.is_open()) h.start.open();
  const std::int64_t granted = r.int64(0, 2);
  for (; grants_ < granted; ++grants_) grant_step(control_.slot(index_));
}

}  // namespace shmlab
