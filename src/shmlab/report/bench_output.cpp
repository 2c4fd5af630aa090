#include "shmlab/report/bench_output.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "shmlab/region/backend.hpp"
#include "shmlab/sync/bare_primitive.hpp"
#include "shmlab/sync/strategy.hpp"

namespace shmlab {
namespace {

nlohmann::json or_null(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// A latency; null for a row that has none (pgbench reports a mean only: latency_avg_ns).
nlohmann::json latency_json(double ns) {
  return ns > 0 ? nlohmann::json(ns) : nlohmann::json(nullptr);
}

void put_summary(nlohmann::json& j, const BenchSummary& s) {
  j["ops_per_s"] = s.ops_per_s;
  j["ops_per_s_p10"] = s.ops_per_s_p10;
  j["ops_per_s_p90"] = s.ops_per_s_p90;
  j["p50_ns"] = latency_json(s.p50_ns);
  j["p99_ns"] = latency_json(s.p99_ns);
  j["lost_updates"] = s.lost_updates;
  j["retries"] = s.retries;
  j["retries_per_op"] = s.retries_per_op;
  j["lock_wait_share"] = or_null(s.lock_wait_share);
  j["repetitions"] = s.repetitions;
  // The raw repetitions the summary is made of, for anyone who wants another statistic.
  nlohmann::json raw = nlohmann::json::array();
  for (const BenchSample& x : s.samples) {
    raw.push_back({{"ops_per_s", x.ops_per_s},
                   {"p50_ns", x.p50_ns},
                   {"p99_ns", x.p99_ns},
                   {"ops_measured", x.ops_measured},
                   {"ops_total", x.ops_total},
                   {"final", x.final_value},
                   {"lost_updates", x.lost_updates},
                   {"retries", x.retries},
                   {"lock_wait_share", x.lock_wait_share < 0 ? nlohmann::json(nullptr)
                                                             : nlohmann::json(x.lock_wait_share)},
                   {"window_s", x.window_s},
                   {"batch", x.batch},
                   {"counter_wrapped", x.counter_wrapped}});
    if (x.latency_avg_ns > 0) raw.back()["latency_avg_ns"] = x.latency_avg_ns;
  }
  j["samples"] = std::move(raw);
}

std::string opt_fmt(const std::optional<double>& v, const char* spec) {
  return v ? fmt::format(fmt::runtime(spec), *v) : std::string("-");
}

// A latency; "-" for a row that has none (pgbench reports a mean only).
std::string latency(double ns) { return ns > 0 ? human_ns(ns) : std::string("-"); }

std::string spread(const BenchSummary& s) {
  return fmt::format("{}–{}", human_rate(s.ops_per_s_p10), human_rate(s.ops_per_s_p90));
}

std::string csv_opt(const std::optional<double>& v) { return v ? fmt::format("{}", *v) : ""; }

}  // namespace

std::string human_rate(double v) {
  if (v >= 1e9) return fmt::format("{:.2f}G", v / 1e9);
  if (v >= 1e6) return fmt::format("{:.2f}M", v / 1e6);
  if (v >= 1e3) return fmt::format("{:.1f}k", v / 1e3);
  return fmt::format("{:.0f}", v);
}

std::string human_ns(double ns) {
  if (ns >= 1e6) return fmt::format("{:.2f} ms", ns / 1e6);
  if (ns >= 1e3) return fmt::format("{:.2f} µs", ns / 1e3);
  return fmt::format("{:.1f} ns", ns);
}

std::string bench_table(const BenchResult& r) {
  std::string out;
  const BenchSettings& st = r.settings;
  out += fmt::format(
      "shmlab bench: median of {} repetition(s) of {} s (after {} s warm-up), {} CPU(s){}\n",
      st.repeat, st.duration_s, st.warmup_s, st.cpus, st.pin ? ", workers pinned" : "");
  if (st.scenario != "counter") {
    out += fmt::format("scenario {}: one operation is one {} (\"lost\": {})\n", st.scenario,
                       st.scenario == "bank" ? "transfer" : "purchase attempt",
                       st.scenario == "bank" ? "|money created or destroyed| / amount"
                                             : "units sold that never left the stock");
  }
  for (const auto& [strategy, why] : st.skipped)
    out += fmt::format("skipped {}: {}\n", strategy, why);
  if (r.postgres) {
    if (r.postgres->throwaway) {
      out += fmt::format(
          "postgres: one throwaway server for the whole bench, started in {:.1f} s (initdb {:.1f} "
          "s); each measurement on a fresh table\n",
          r.postgres->startup_s, r.postgres->initdb_s);
    } else {
      out += fmt::format(
          "postgres: the server of --dsn {}; each measurement on a fresh table in a schema of its "
          "own, dropped after it\n",
          r.postgres->dsn.empty() ? std::string("'' (libpq's PG* environment)") : r.postgres->dsn);
    }
    if (!r.postgres->pgbench.empty()) {
      out += fmt::format(
          "postgres \"vs bare\": ops/s ÷ pgbench running the same statements with as many "
          "clients, same server, same run ({} -M {})\n",
          r.postgres->pgbench, r.postgres->query_mode);
    } else if (!r.postgres->pgbench_missing.empty()) {
      out += fmt::format("no pgbench rows: {}\n", r.postgres->pgbench_missing);
    }
  }
  out += "\n";
  // As wide as the longest name ("ordered-locks" of the bank): the columns stay aligned.
  std::size_t name_w = 12;
  for (const BenchResultRow& row : r.results)
    name_w = std::max(name_w, strategy_name(row.strategy).size());
  out += fmt::format("{:<{}} {:<8} {:>7} {:>9} {:>19} {:>10} {:>10} {:>10} {:>9} {:>9} {:>8}\n",
                     "strategy", name_w, "backend", "workers", "ops/s", "p10–p90", "p50", "p99",
                     "lost", "retry/op", "lockwait", "vs bare");
  for (const BenchResultRow& row : r.results) {
    const BenchSummary& s = row.summary;
    out += fmt::format(
        "{:<{}} {:<8} {:>7} {:>9} {:>19} {:>10} {:>10} {:>10} {:>9} {:>9} {:>8}\n",
        strategy_name(row.strategy), name_w, backend_name(row.backend), row.workers,
        human_rate(s.ops_per_s), spread(s), latency(s.p50_ns), latency(s.p99_ns), s.lost_updates,
        fmt::format("{:.3f}", s.retries_per_op),
        opt_fmt(s.lock_wait_share ? std::optional<double>(*s.lock_wait_share * 100) : std::nullopt,
                "{:.0f}%"),
        opt_fmt(row.ratio_to_bare, "{:.2f}"));
  }
  if (!r.peers.empty()) {
    auto name_of = [](const BenchPeerRow& p) {
      return std::string(p.library_peer ? "peer " : "bare ") +
             std::string(bare::primitive_name(p.primitive));
    };
    // As wide as the longest name ("peer boost-interprocess-mutex"): the columns stay aligned.
    std::size_t peer_w = 26;
    for (const BenchPeerRow& p : r.peers) peer_w = std::max(peer_w, name_of(p).size());
    out += "\nbare loops (no harness) and peers, same worker counts, same run:\n";
    // retry/op: pgbench's retried transactions (cas, transaction); the bare loops have none.
    out += fmt::format("{:<{}} {:<8} {:>7} {:>9} {:>19} {:>10} {:>10} {:>10} {:>9} {:>9}\n",
                       "primitive", peer_w, "backend", "workers", "ops/s", "p10–p90", "p50", "p99",
                       "lost", "retry/op", "lockwait");
    for (const BenchPeerRow& p : r.peers) {
      const BenchSummary& s = p.summary;
      out += fmt::format(
          "{:<{}} {:<8} {:>7} {:>9} {:>19} {:>10} {:>10} {:>10} {:>9} {:>9}\n", name_of(p), peer_w,
          backend_name(p.backend), p.workers, human_rate(s.ops_per_s), spread(s), latency(s.p50_ns),
          latency(s.p99_ns), s.lost_updates,
          bare::is_pgbench(p.primitive) ? fmt::format("{:.3f}", s.retries_per_op) : "-",
          opt_fmt(
              s.lock_wait_share ? std::optional<double>(*s.lock_wait_share * 100) : std::nullopt,
              "{:.0f}%"));
    }
  }
  // Bounded: a bench whose every measurement failed says so once per target and worker count.
  if (!r.failures.empty()) out += "\n";
  for (std::size_t i = 0; i < r.failures.size() && i < kBenchFailuresShown; ++i) {
    const BenchFailure& f = r.failures[i];
    out += fmt::format("failed: {}{} on {}, {} worker(s), repetition {}: {}\n",
                       f.kind == "strategy" ? "" : f.kind + " ", f.name, backend_name(f.backend),
                       f.workers, f.repetition, f.reason);
  }
  if (r.failures.size() > kBenchFailuresShown) {
    out += fmt::format("failed: {} more measurements (--json lists every one)\n",
                       r.failures.size() - kBenchFailuresShown);
  }
  return out;
}

nlohmann::json bench_json(const BenchResult& r) {
  nlohmann::json j;
  const BenchSettings& st = r.settings;
  j["settings"] = {{"workers", st.workers},   {"duration_s", st.duration_s},
                   {"warmup_s", st.warmup_s}, {"repeat", st.repeat},
                   {"pin", st.pin},           {"cpus", st.cpus}};
  j["scenario"] = st.scenario;
  j["skipped"] = nlohmann::json::array();
  for (const auto& [strategy, why] : st.skipped)
    j["skipped"].push_back({{"strategy", strategy}, {"reason", why}});
  const BenchProvenance& pv = r.provenance;
  j["machine"] = {{"cpu_model", pv.machine.cpu_model},
                  {"cpus", pv.machine.cpus},
                  {"kernel", pv.machine.kernel}};
  j["version"] = pv.version;
  j["commit"] = pv.commit;
  if (r.postgres) {
    j["postgres"] = {{"server", r.postgres->throwaway ? "throwaway" : "dsn"},
                     {"startup_s", r.postgres->startup_s},
                     {"initdb_s", r.postgres->initdb_s},
                     {"pgbench", r.postgres->pgbench.empty() ? nlohmann::json(nullptr)
                                                             : nlohmann::json(r.postgres->pgbench)},
                     {"pgbench_query_mode", r.postgres->query_mode}};
    if (!r.postgres->pgbench_missing.empty())
      j["postgres"]["pgbench_missing"] = r.postgres->pgbench_missing;
    if (!r.postgres->throwaway) j["postgres"]["dsn"] = r.postgres->dsn;
  }
  j["interrupted"] = r.interrupted;
  j["measurements"] = {{"done", r.measurements_done},
                       {"planned", r.measurements_planned},
                       {"failed", r.failures.size()}};
  j["failures"] = nlohmann::json::array();
  for (const BenchFailure& f : r.failures) {
    j["failures"].push_back({{"kind", f.kind},
                             {"name", f.name},
                             {"backend", backend_name(f.backend)},
                             {"workers", f.workers},
                             {"repetition", f.repetition},
                             {"reason", f.reason}});
  }
  j["results"] = nlohmann::json::array();
  for (const BenchResultRow& row : r.results) {
    nlohmann::json e;
    e["strategy"] = strategy_name(row.strategy);
    e["backend"] = backend_name(row.backend);
    e["workers"] = row.workers;
    put_summary(e, row.summary);
    e["bare"] =
        row.bare ? nlohmann::json(bare::primitive_name(*row.bare)) : nlohmann::json(nullptr);
    e["ratio_to_bare"] = or_null(row.ratio_to_bare);
    e["ratios_to_bare"] = row.ratios_to_bare;
    j["results"].push_back(std::move(e));
  }
  j["peers"] = nlohmann::json::array();
  for (const BenchPeerRow& p : r.peers) {
    nlohmann::json e;
    e["name"] = bare::primitive_name(p.primitive);
    e["kind"] = p.library_peer ? "peer" : "bare";
    e["backend"] = backend_name(p.backend);
    e["workers"] = p.workers;
    put_summary(e, p.summary);
    j["peers"].push_back(std::move(e));
  }
  return j;
}

std::string bench_csv(const BenchResult& r) {
  std::string out =
      "kind,name,backend,workers,ops_per_s,ops_per_s_p10,ops_per_s_p90,p50_ns,p99_ns,"
      "lost_updates,retries,retries_per_op,lock_wait_share,ratio_to_bare,repetitions\n";
  auto line = [&](std::string_view kind, std::string_view name, Backend b, std::uint32_t w,
                  const BenchSummary& s, const std::optional<double>& ratio) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", kind, name,
                       backend_name(b), w, s.ops_per_s, s.ops_per_s_p10, s.ops_per_s_p90, s.p50_ns,
                       s.p99_ns, s.lost_updates, s.retries, s.retries_per_op,
                       csv_opt(s.lock_wait_share), csv_opt(ratio), s.repetitions);
  };
  for (const BenchResultRow& row : r.results) {
    line("strategy", strategy_name(row.strategy), row.backend, row.workers, row.summary,
         row.ratio_to_bare);
  }
  for (const BenchPeerRow& p : r.peers) {
    line(p.library_peer ? "peer" : "bare", bare::primitive_name(p.primitive), p.backend, p.workers,
         p.summary, std::nullopt);
  }
  return out;
}

}  // namespace shmlab
