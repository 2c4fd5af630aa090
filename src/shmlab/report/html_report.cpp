#include "shmlab/report/html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "shmlab/region/backend.hpp"
#include "shmlab/report/html_escape.hpp"
#include "shmlab/report/replay_line.hpp"
#include "shmlab/report/summary.hpp"
#include "shmlab/report/trace_index.hpp"
#include "shmlab/run/delay.hpp"
#include "shmlab/scenario/registry.hpp"
#include "shmlab/sync/strategy.hpp"

namespace shmlab {
namespace {

constexpr std::string_view kStyle = R"css(
:root{--ink:#1d2330;--muted:#5d6677;--line:#d9dee7;--bg:#f6f7fb;--card:#fff;--read:#2563eb;
--write:#16a34a;--lost:#dc2626;--eraser:#d97706;--verify:#8b93a3;--win:#bfd3fb;--lock:#d9f2df}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
main{max-width:1240px;margin:0 auto;padding:24px 28px 40px}
h1{font-size:22px;margin:0 0 2px}h2{font-size:17px;margin:28px 0 10px}
.sub{color:var(--muted)}
code,.mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,monospace;font-size:12.5px}
.verdict{margin:16px 0;padding:14px 18px;border-radius:10px;font-size:17px;font-weight:600}
.verdict.bad{background:#fde8e8;color:#8f1616;border:1px solid #f5b5b5}
.verdict.good{background:#e3f6e8;color:#14532d;border:1px solid #a7dfb6}
.verdict.warn{background:#fff4dc;color:#7a4b00;border:1px solid #f1cf85}
.verdict small{display:block;font-weight:400;font-size:13.5px;margin-top:3px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:10px 14px}
.card b{display:block;font-size:24px}.card span{color:var(--muted);font-size:12.5px}
.card.bad b{color:var(--lost)}
.panel{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px}
.scroll{overflow-x:auto;border:1px solid var(--line);border-radius:8px;background:#fff}
table{border-collapse:collapse;width:100%;background:var(--card)}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:middle}
th{font-size:12.5px;color:var(--muted);font-weight:600;background:#fafbfd}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.legend{display:flex;flex-wrap:wrap;gap:8px 20px;margin:0 0 10px;color:var(--muted);font-size:13px}
.legend svg{vertical-align:middle;margin-right:5px}
.note{color:var(--muted);font-size:13px;margin:8px 0 0}
a{color:#1d4ed8;text-decoration:none}a:hover{text-decoration:underline}
.tag{display:inline-block;padding:0 7px;border-radius:9px;font-size:12px;font-weight:600}
.tag.lost{background:#fde8e8;color:#991b1b}.tag.ok{background:#e3f6e8;color:#166534}
.tag.other{background:#fff4dc;color:#7a4b00}
svg text{font-family:system-ui,"DejaVu Sans",sans-serif}
.tl .lbl{font-size:10.5px;fill:#334}.tl .lane{font-size:12.5px;font-weight:600;fill:var(--ink)}
.tl .pid{font-size:10.5px;fill:var(--muted)}.tl .tick{font-size:10.5px;fill:var(--muted)}
.tl .link{fill:none;stroke:var(--lost);stroke-width:1.6;stroke-dasharray:5 3;opacity:.75}
.tl .link:hover{opacity:1;stroke-width:3}
.tl .mark:hover{stroke:#000;stroke-width:2}
.tl :target{stroke:#000;stroke-width:3}
.tl.many .link{stroke-width:1;opacity:.3}
#links:not(:checked)~.scroll .link{display:none}
.toggle{font-size:13px;color:var(--muted);margin-left:4px}
)css";

// Steps of one worker's operation, for drawing its read→write window and lock span.
struct OpSpan {
  double read_ms = -1, write_ms = -1, lock_ms = -1, unlock_ms = -1;
};

class Svg {
 public:
  std::string& out() { return s_; }
  template <class... A>
  void add(fmt::format_string<A...> f, A&&... a) {
    fmt::format_to(std::back_inserter(s_), f, std::forward<A>(a)...);
  }

 private:
  std::string s_;
};

double nice_step(double span_ms, double px_per_ms) {
  // A tick every ~90 px, rounded to 1, 2 or 5 × 10^k ms.
  const double raw = 90.0 / std::max(px_per_ms, 1e-9);
  const double p = std::pow(10.0, std::floor(std::log10(std::max(raw, 1e-6))));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= m * p) return m * p;
  }
  return span_ms;
}

std::string ms_text(double ms) {
  if (ms >= 1000) return fmt::format("{:g} s", ms / 1000);
  return fmt::format("{:g} ms", ms);
}

// "0-50:0-30:10 ms", or "none" (no unit on a word).
std::string delay_text(const DelaySpec& d) {
  const std::string spec = format_delay_spec(d);
  return spec == "none" ? spec : spec + " ms";
}

// The subtitle's pacing: the schedule that decided the interleaving, or the delays.
std::string pacing_text(const RunResult& r) {
  if (r.schedule) return "schedule " + *r.schedule;
  return "delay " + delay_text(r.record.params.delays);
}

std::string write_words(const WriteRef& w) {
  return fmt::format("worker {}, op {}: {} → {}", w.worker, w.op, w.value_read, w.value_written);
}

std::string timeline_svg(const RunResult& r, const TraceIndex& index, std::size_t max_marks,
                         std::size_t& drawn) {
  const std::size_t workers = r.record.workers.size();
  const double lane_h = workers <= 4 ? 74 : workers <= 8 ? 56 : 42;
  const double left = 104, top = 34, right = 24;
  const std::vector<TraceStep>& steps = index.steps();
  drawn = std::min(steps.size(), max_marks);
  double last_end = drawn == 0 ? 1.0 : 0.0;  // a wait may end after steps that began later
  for (std::size_t i = 0; i < drawn; ++i) last_end = std::max(last_end, steps[i].end_ms);
  const double span = std::max(last_end, 1e-3) * 1.02;
  std::uint64_t max_ops = 1;
  for (const WorkerRecord& w : r.record.workers) max_ops = std::max(max_ops, w.ops);
  // Room for each operation's labels, within what a browser scrolls comfortably.
  const double plot_w = std::clamp(static_cast<double>(max_ops) * 34.0, 1080.0, 24000.0);
  const double px = plot_w / span;
  const double width = left + plot_w + right;
  const double height = top + lane_h * static_cast<double>(workers) + 12;
  auto x_of = [&](double ms) { return left + ms * px; };
  auto y_of = [&](std::uint32_t worker) { return top + lane_h * (worker - 1) + lane_h / 2; };

  // A timeline that fits a page scales to it (a 1024 px projector sees all of it); a longer one
  // keeps its size and scrolls.
  const bool fits_page = plot_w <= 1080.0;
  const std::string size = fits_page
                               ? std::string(R"(width="100%")")
                               : fmt::format(R"(width="{:.0f}" height="{:.0f}")", width, height);
  Svg svg;
  svg.add(R"(<svg class="tl{}" xmlns="http://www.w3.org/2000/svg" {} )"
          R"(viewBox="0 0 {:.0f} {:.0f}" role="img" aria-label="timeline of the run">)",
          r.attribution.lost.size() > 60 ? " many" : "", size, width, height);
  svg.add(
      R"(<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" )"
      R"(markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#dc2626"/>)"
      R"(</marker><pattern id="waiting" width="6" height="6" patternUnits="userSpaceOnUse" )"
      R"~(patternTransform="rotate(45)"><rect width="6" height="6" fill="#fef3c7"/>)~"
      R"(<rect width="2" height="6" fill="#f59e0b"/></pattern></defs>)");
  // Lanes.
  for (const WorkerRecord& w : r.record.workers) {
    const double y0 = top + lane_h * (w.number - 1);
    svg.add(R"(<rect x="0" y="{:.1f}" width="{:.0f}" height="{:.1f}" fill="{}"/>)", y0, width,
            lane_h, w.number % 2 != 0 ? "#f7f9fd" : "#ffffff");
    svg.add(R"(<text class="lane" x="12" y="{:.1f}">worker {}</text>)", y0 + lane_h / 2 - 1,
            w.number);
    svg.add(R"(<text class="pid" x="12" y="{:.1f}">pid {}</text>)", y0 + lane_h / 2 + 13, w.pid);
    svg.add(R"(<line x1="{:.0f}" x2="{:.0f}" y1="{:.1f}" y2="{:.1f}" stroke="#c9d0dc"/>)", left,
            left + plot_w, y0 + lane_h / 2, y0 + lane_h / 2);
  }
  // Time axis.
  const double tick = nice_step(span, px);
  for (double t = 0; t <= span; t += tick) {
    svg.add(R"(<line x1="{0:.1f}" x2="{0:.1f}" y1="{1:.0f}" y2="{2:.0f}" stroke="#e6e9f0"/>)",
            x_of(t), top - 6, height - 8);
    svg.add(R"(<text class="tick" x="{:.1f}" y="{:.0f}" text-anchor="middle">{}</text>)", x_of(t),
            top - 12, ms_text(t));
  }
  svg.add(R"(<line x1="{0:.0f}" x2="{0:.0f}" y1="{1:.0f}" y2="{2:.0f}" stroke="#9aa3b2"/>)", left,
          top - 6, height - 8);

  // Windows (read → write) and lock spans, behind the marks.
  std::map<std::pair<std::uint32_t, std::uint32_t>, OpSpan> ops;
  for (std::size_t i = 0; i < drawn; ++i) {
    const TraceStep& s = steps[i];
    OpSpan& o = ops[{s.worker, s.event->op}];
    const double mid = (s.begin_ms + s.end_ms) / 2;
    switch (s.event->step) {
      case 'R':
        o.read_ms = mid;
        break;
      case 'W':
      case 'A':
        o.write_ms = mid;
        break;
      case 'C':
        if (TraceIndex::write_of(*s.event) != 0) o.write_ms = mid;
        break;
      case 'L':
        o.lock_ms = s.end_ms;
        break;
      case 'U':
        o.unlock_ms = s.begin_ms;
        break;
      default:
        break;
    }
  }
  for (const auto& [key, o] : ops) {
    const double y = y_of(key.first);
    if (o.lock_ms >= 0 && o.unlock_ms >= o.lock_ms) {
      svg.add(R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" rx="3" )"
              R"(fill="#d9f2df"/>)",
              x_of(o.lock_ms), y - lane_h / 2 + 5, std::max(1.0, (o.unlock_ms - o.lock_ms) * px),
              lane_h - 10);
    }
    if (o.read_ms >= 0 && o.write_ms >= o.read_ms) {
      svg.add(R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="8" rx="4" fill="#bfd3fb">)"
              R"(<title>worker {}, op {}: read→write {:.2f} ms</title></rect>)",
              x_of(o.read_ms), y - 4, std::max(1.0, (o.write_ms - o.read_ms) * px), key.first,
              key.second + 1, o.write_ms - o.read_ms);
    }
  }

  // A scenario's lock waits, from request to grant (or to the stop: never granted), as a striped
  // bar with what was waited for.
  if (r.record.params.scenario != Scenario::kCounter) {
    for (std::size_t i = 0; i < drawn; ++i) {
      const TraceStep& s = steps[i];
      const TraceEvent& e = *s.event;
      const bool never = never_granted(e);
      if (e.step != 'L' || (!never && e.t_end_ns - e.t_begin_ns < kNotableWaitNs)) continue;
      const double y = y_of(s.worker);
      const std::string lock = lock_name(e, r.record.params);
      svg.add(R"(<rect class="wait" data-worker="{}" data-lock="{}" data-never-granted="{}" )"
              R"~(x="{:.1f}" y="{:.1f}" width="{:.1f}" height="12" rx="2" fill="url(#waiting)" )~"
              R"(stroke="{}"><title>worker {}, op {}: {}</title></rect>)",
              s.worker, html_escape(lock), never ? 1 : 0, x_of(s.begin_ms), y - lane_h / 2 + 6,
              std::max(1.0, (s.end_ms - s.begin_ms) * px), never ? "#dc2626" : "#d97706", s.worker,
              e.op + 1, html_escape(step_text(e, r.record.params)));
      if ((s.end_ms - s.begin_ms) * px > 90) {
        svg.add(R"(<text class="lbl" x="{:.1f}" y="{:.1f}" fill="{}">waits for {}{}</text>)",
                x_of(s.begin_ms) + 4, y - lane_h / 2 + 28, never ? "#b91c1c" : "#92400e",
                html_escape(lock), never ? ": never granted" : "");
      }
    }
  }

  // Where each write mark sits, for the links.
  std::unordered_map<std::uint64_t, std::pair<double, double>> at;
  for (std::size_t i = 0; i < drawn; ++i) {
    const TraceStep& s = steps[i];
    if (const std::uint64_t id = TraceIndex::write_of(*s.event))
      at[id] = {x_of((s.begin_ms + s.end_ms) / 2), y_of(s.worker)};
  }
  // Links from each lost write to its eraser, under the marks.
  for (const LostUpdate& l : r.attribution.lost) {
    const auto a = at.find(l.lost.id);
    const auto b = at.find(l.erased_by.id);
    if (a == at.end() || b == at.end()) continue;
    const auto [x1, y1] = a->second;
    const auto [x2, y2] = b->second;
    // Leaves the lost mark towards the eraser's lane and enters the eraser from its left, clear
    // of both value labels.
    const double dir = y2 > y1 ? 1 : -1;
    const double sy = y1 + dir * 7;
    const double ex = x2 - 8;
    const double lift = y1 == y2 ? -lane_h * 0.42 : 0;
    svg.add(R"(<path class="link" data-link-lost="{}" data-link-eraser="{}" )"
            R"(d="M{:.1f} {:.1f}C{:.1f} {:.1f} {:.1f} {:.1f} {:.1f} {:.1f}" )"
            R"~(marker-end="url(#arrow)"><title>{} was erased by {}</title></path>)~",
            l.lost.id, l.erased_by.id, x1, y1 == y2 ? y1 - 7 : sy, x1, y1 == y2 ? y1 + lift : y2,
            std::min(ex - 6, x1 + (ex - x1) * 0.5), y2 + lift, ex, y2,
            html_escape(write_words(l.lost)), html_escape(write_words(l.erased_by)));
  }

  // Marks, with value labels where they fit (reads above the lane line, writes below).
  std::vector<double> last_above(workers + 1, -1e9), last_below(workers + 1, -1e9);
  for (std::size_t i = 0; i < drawn; ++i) {
    const TraceStep& s = steps[i];
    const TraceEvent& e = *s.event;
    if (never_granted(e)) continue;  // its wait bar says it all
    const double x = x_of((s.begin_ms + s.end_ms) / 2);
    const double y = y_of(s.worker);
    std::string title = fmt::format("worker {}, op {} at {:.3f} ms: {}", s.worker, e.op + 1,
                                    s.begin_ms, step_text(e, r.record.params));
    const std::string data =
        fmt::format(R"(data-step="{}" data-worker="{}" data-op="{}")", e.step, s.worker, e.op + 1);
    auto label = [&](std::vector<double>& last, double ly, std::int64_t value, const char* color) {
      const std::string text = std::to_string(value);
      const double half = 3.3 * static_cast<double>(text.size()) + 1;
      if (x - half < last[s.worker] + 3) return;
      last[s.worker] = x + half;
      svg.add(R"(<text class="lbl" x="{:.1f}" y="{:.1f}" text-anchor="middle" fill="{}">{}</text>)",
              x, ly, color, text);
    };
    switch (e.step) {
      case 'R':
        svg.add(R"(<circle class="mark" {} data-value="{}" cx="{:.1f}" cy="{:.1f}" r="5" )"
                R"(fill="#fff" stroke="#2563eb" stroke-width="2"><title>{}</title></circle>)",
                data, e.before, x, y, html_escape(title));
        label(last_above, y - 10, e.before, "#1e40af");
        break;
      case 'C':
        if ((e.flags & TraceEvent::kFailed) != 0) {
          svg.add(R"(<rect class="mark" {} x="{:.1f}" y="{:.1f}" width="3" height="14" )"
                  R"(fill="#c026d3"><title>{}</title></rect>)",
                  data, x - 1.5, y - 7, html_escape(title));
          break;
        }
        [[fallthrough]];
      case 'W':
      case 'A': {
        const LostUpdate* l = index.lost(TraceIndex::write_of(e));
        const auto& erased = index.erased_by(TraceIndex::write_of(e));
        std::string fill = "#16a34a";
        std::string extra;
        if (l != nullptr) {
          fill = "#dc2626";
          extra = R"( data-lost="1")";
          title += fmt::format(" — LOST: erased by {}", write_words(l->erased_by));
        } else if (!erased.empty()) {
          fill = "#d97706";
          extra = R"( data-eraser="1")";
          for (const LostUpdate* x2 : erased)
            title += fmt::format(" — erased {}", write_words(x2->lost));
        }
        const std::uint64_t id = TraceIndex::write_of(e);
        svg.add(R"(<rect class="mark"{} {}{} data-value="{}" x="{:.1f}" y="{:.1f}" )"
                R"(width="11" height="11" rx="2" fill="{}"><title>{}</title></rect>)",
                id != 0 ? fmt::format(R"( id="w{}")", id) : "", data, extra, e.after, x - 5.5,
                y - 5.5, fill, html_escape(title));
        if (l != nullptr) {
          svg.add(R"(<path d="M{:.1f} {:.1f}l5 5m0 -5l-5 5" stroke="#fff" stroke-width="1.6" )"
                  R"(pointer-events="none"/>)",
                  x - 2.5, y - 2.5);
        }
        label(last_below, y + 19, e.after, l != nullptr ? "#b91c1c" : "#166534");
        break;
      }
      case 'V': {
        const bool over = (e.flags & TraceEvent::kOverwritten) != 0;
        const bool changed = (e.flags & TraceEvent::kChanged) != 0;
        svg.add(R"(<path class="mark" {} data-value="{}" d="M{:.1f} {:.1f}l4 4l-4 4l-4 -4z" )"
                R"(fill="{}"><title>{}</title></path>)",
                data, e.after, x, y - 4,
                over      ? "#c026d3"
                : changed ? "#a3a9b6"
                          : "#c9ced8",
                html_escape(title));
        break;
      }
      default: {
        const bool bad = (e.flags & (TraceEvent::kFailed | TraceEvent::kRecovered)) != 0;
        svg.add(R"(<rect class="mark" {} x="{:.1f}" y="{:.1f}" width="3" height="14" )"
                R"(fill="{}"><title>{}</title></rect>)",
                data, x - 1.5, y - 7, bad ? "#c026d3" : "#64748b", html_escape(title));
        break;
      }
    }
  }
  svg.add("</svg>");
  return std::move(svg.out());
}

// Only what this strategy's timeline can show: a lock span where there is a lock, and the
// read → write bar called a race window only where nothing guards it.
std::string legend(Strategy strategy, bool shows_waits) {
  const Family family = strategy_info(strategy).family;
  const bool locked = family == Family::kLocked || family == Family::kTransaction;
  std::string out = R"(<div class="legend">
<span><svg width="14" height="14"><circle cx="7" cy="7" r="5" fill="#fff" stroke="#2563eb" stroke-width="2"/></svg>READ, with the value seen</span>
<span><svg width="14" height="14"><rect x="1.5" y="1.5" width="11" height="11" rx="2" fill="#16a34a"/></svg>WRITE that survived, with the value written</span>
<span><svg width="14" height="14"><rect x="1.5" y="1.5" width="11" height="11" rx="2" fill="#dc2626"/><path d="M4.5 4.5l5 5m0 -5l-5 5" stroke="#fff" stroke-width="1.6"/></svg>lost WRITE (its increment vanished)</span>
<span><svg width="14" height="14"><rect x="1.5" y="1.5" width="11" height="11" rx="2" fill="#d97706"/></svg>WRITE that erased a lost one</span>
<span><svg width="30" height="14"><path d="M2 7H26" stroke="#dc2626" stroke-width="1.6" stroke-dasharray="5 3"/><path d="M22 3l6 4l-6 4z" fill="#dc2626"/></svg>from a lost write to the write that erased it</span>
<span><svg width="14" height="14"><path d="M7 2l5 5l-5 5l-5 -5z" fill="#c026d3"/></svg>VERIFY: my write was overwritten (grey: changed / unchanged)</span>
)";
  out += fmt::format(
      R"(<span><svg width="30" height="14"><rect x="1" y="3" width="28" height="8" rx="4" fill="#bfd3fb"/></svg>{}</span>)",
      family == Family::kPlain ? "race window: read → write of one increment"
      : locked                 ? "read → write of one increment, inside the lock"
                               : "read → write of one increment");
  if (locked) {
    out += fmt::format(
        R"(<span><svg width="30" height="14"><rect x="1" y="1" width="28" height="12" rx="3" fill="#d9f2df"/></svg>{}</span>)",
        family == Family::kTransaction ? "transaction open (BEGIN → COMMIT)" : "lock held");
  }
  if (locked && shows_waits) {
    out +=
        R"(<span><svg width="30" height="14"><rect x="1" y="1" width="28" height="12" rx="2" fill="#fde68a" stroke="#d97706"/></svg>waiting for a lock, from request to grant (red edge: never granted))"
        R"(</span>)";
  }
  return out + "</div>";
}

}  // namespace

// Inventory and bank: the subtitle, the verdict on the scenario's invariant, and the opening of
// the cards with the scenario's own numbers (the caller adds the common ones and closes them).
std::string scenario_head(const RunResult& r, const TraceIndex& index) {
  const RunParams& p = r.record.params;
  const ScenarioParams& sp = p.scenario_params;
  const ScenarioOutcome& o = r.scenario;
  const bool bank = p.scenario == Scenario::kBank;
  const char* op = bank ? "transfer" : "purchase";
  const char* ops = bank ? "transfers" : "purchases";
  std::string out = fmt::format("<div class=\"sub\">{} × {} · {} · {} · seed {}</div>\n",
                                count_of(p.workers, "worker process", "worker processes"),
                                count_of(p.increments, op, ops),
                                bank ? fmt::format("bank: {} accounts of {}, transfers of {}",
                                                   sp.accounts, sp.balance, sp.amount)
                                     : fmt::format("inventory: stock {}", sp.stock),
                                html_escape(pacing_text(r)), p.seed);
  std::string broke;
  if (bank) {
    const std::int64_t created = o.total_final - o.total_initial;
    broke = created > 0   ? fmt::format("money created: {} out of nothing", created)
            : created < 0 ? fmt::format("money destroyed: {} vanished", -created)
                          : fmt::format("{} transfer update(s) lost", o.transfers_lost);
  } else {
    broke = fmt::format("oversold: {} unit(s) sold that never left the stock", o.oversold);
  }
  if (r.outcome == Outcome::kCorrect) {
    out += fmt::format(
        "<div class=\"verdict good\">Correct: {} {} completed, {} declined; the invariant "
        "held<small>{}</small></div>\n",
        o.completed, ops, o.declined,
        bank ? "Money conserved: every account at its initial balance plus its transfers."
             : "Every unit sold left the stock exactly once.");
  } else if (r.outcome == Outcome::kLost) {
    out += fmt::format(
        "<div class=\"verdict bad\">Race: {}<small>Each lost write is listed below with the "
        "write that erased it; in the timeline a red square is a lost write.</small></div>\n",
        html_escape(broke));
  } else {
    out += fmt::format(
        "<div class=\"verdict warn\">The run did not complete normally: {} {} completed{}"
        "<small>{}</small></div>\n",
        o.completed, ops, o.invariant_held ? "" : "; " + html_escape(broke),
        html_escape(r.record.watchdog_report.empty()
                        ? "A worker crashed, failed or was stopped; see Workers."
                        : r.record.watchdog_report));
  }
  out += "<div class=\"cards\">";
  auto card = [&out](const auto& value, std::string_view what, bool bad = false) {
    out += fmt::format("<div class=\"card{}\"><b>{}</b><span>{}</span></div>", bad ? " bad" : "",
                       value, what);
  };
  if (bank) {
    card(o.total_initial, "total money before");
    card(o.total_final, "total money after", o.total_final != o.total_initial);
    card(fmt::format("{} / {}", o.completed, o.declined), "transfers / declined");
  } else {
    card(fmt::format("{} → {}", o.stock_initial, o.stock_final), "stock");
    card(fmt::format("{} / {}", o.completed, o.declined), "sold / declined");
    card(o.oversold, "oversold", o.oversold > 0);
  }
  std::uint64_t waits = 0;
  for (const TraceStep& s : index.steps()) waits += never_granted(*s.event) ? 1 : 0;
  card(waits, "lock waits never granted", waits != 0);
  return out;
}

std::string html_report(const RunResult& r, const HtmlReportOptions& o) {
  const TraceIndex index(r);
  const RunRecord& rec = r.record;
  const RunParams& p = rec.params;
  const std::string strategy(strategy_name(p.strategy));
  const std::string backend(backend_name(p.backend));
  std::string h;
  auto add = [&h]<class... A>(fmt::format_string<A...> f, A&&... a) {
    fmt::format_to(std::back_inserter(h), f, std::forward<A>(a)...);
  };

  const std::string title = r.lost_updates > 0 ? fmt::format("{} lost updates", r.lost_updates)
                            : r.correct        ? std::string("correct")
                                               : std::string("see the verdict");
  add("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<title>shmlab run: {} workers × {} increments, {} — {}</title><style>{}</style></head>"
      "<body><main>\n",
      p.workers, p.increments, html_escape(strategy), html_escape(title), kStyle);
  add("<h1>shmlab run <span class=\"sub\">· {} on {}</span></h1>", html_escape(strategy),
      html_escape(backend));
  if (p.scenario != Scenario::kCounter) {
    add("{}", scenario_head(r, index));
  } else {
    add("<div class=\"sub\">{} × {} of one shared counter{} · {} · seed {}</div>\n",
        count_of(p.workers, "worker process", "worker processes"),
        count_of(p.increments, "increment", "increments"),
        p.scenario_params.initial == 0
            ? std::string()
            : fmt::format(" starting at {} (--initial)", p.scenario_params.initial),
        html_escape(pacing_text(r)), p.seed);
  }

  // Verdict. The counter's expected value counts --initial; its increments do not.
  const std::int64_t increments = r.expected - p.scenario_params.initial;
  if (p.scenario != Scenario::kCounter) {
    // scenario_head() said it, with the scenario's cards.
  } else if (r.lost_updates > 0) {
    add("<div class=\"verdict bad\">Race: {} of {} increments were lost — expected {}, the counter "
        "ended at {}<small>Each lost increment is listed below with the write that erased it; in "
        "the timeline a red square is a lost write and its arrow points at the eraser.</small>"
        "</div>\n",
        r.lost_updates, increments, r.expected, r.final_value);
  } else if (r.outcome == Outcome::kCorrect) {
    add("<div class=\"verdict good\">Correct: all {} increments counted, the counter ended at {}"
        "<small>{}</small></div>\n",
        increments, r.final_value,
        p.strategy == Strategy::kNone
            ? "No race this time — the outcome is non-deterministic: run again or use --schedule."
            : "The strategy kept every read-modify-write whole.");
  } else {
    add("<div class=\"verdict warn\">The run did not complete normally: {} increments completed, "
        "the counter ended at {}<small>{}</small></div>\n",
        r.completed_ops, r.final_value,
        html_escape(rec.watchdog_report.empty()
                        ? "A worker crashed, failed or was stopped; see Workers."
                        : rec.watchdog_report));
  }

  // Cards.
  std::uint64_t writes = index.count('W') + index.count('A');
  if (p.scenario == Scenario::kCounter) add("<div class=\"cards\">");
  if (p.scenario == Scenario::kCounter) {
    add("<div class=\"card\"><b>{}</b><span>expected</span></div>", r.expected);
    add("<div class=\"card\"><b>{}</b><span>final counter</span></div>", r.final_value);
    add("<div class=\"card{}\"><b>{}</b><span>lost updates</span></div>",
        r.lost_updates > 0 ? " bad" : "", r.lost_updates);
    add("<div class=\"card\"><b>{}</b><span>VERIFY: overwritten / changed</span></div>",
        fmt::format("{} / {}", r.verify_overwritten, r.verify_changed));
  }
  add("<div class=\"card\"><b>{:.1f} ms</b><span>elapsed, spawn to cleanup</span></div>",
      static_cast<double>(rec.elapsed_ns) / 1e6);
  add("<div class=\"card\"><b>{}</b><span>steps traced ({} writes)</span></div>",
      index.steps().size(), writes);
  add("</div>\n");

  // Timeline.
  std::size_t drawn = 0;
  const std::string svg = timeline_svg(r, index, o.max_marks, drawn);
  add("<h2>Timeline</h2>{}<input type=\"checkbox\" id=\"links\" checked><label class=\"toggle\" "
      "for=\"links\">arrows from lost writes to their erasers (hover one to follow it)</label>"
      "<div class=\"scroll\">{}</div>",
      legend(p.strategy, p.scenario != Scenario::kCounter), svg);
  add("<p class=\"note\">One lane per worker process; time runs right from the moment the workers "
      "were released. Hover a mark for its step, values and write identity.");
  if (drawn < index.steps().size()) {
    add(" Only the first {} of {} steps are drawn.", drawn, index.steps().size());
  }
  if (index.dropped() != 0) {
    add(" <b>{} early steps were dropped</b> by full trace rings; the newest are shown.",
        index.dropped());
  }
  add("</p>\n");

  // Lost updates.
  add("<h2>Lost updates ({})</h2>", r.attribution.lost.size());
  if (!r.attributed) {
    add("<p class=\"note\">Writes were not logged for attribution (more than {} in all).</p>",
        kMaxLoggedWrites);
  } else if (r.attribution.lost.empty()) {
    add("<p class=\"note\">None: every write is on the final chain of increments.</p>");
  } else {
    add("<table><tr><th class=\"n\">#</th><th>lost write</th><th>erased by</th><th>what "
        "happened</th></tr>");
    std::size_t n = 0;
    for (const LostUpdate& l : r.attribution.lost) {
      if (n++ == o.max_lost_rows) break;
      add("<tr><td class=\"n\">{}</td><td><a href=\"#w{}\">{}</a></td><td><a href=\"#w{}\">{}</a>"
          "</td><td>{}</td></tr>",
          n, l.lost.id, html_escape(write_words(l.lost)), l.erased_by.id,
          html_escape(write_words(l.erased_by)), html_escape(lost_update_sentence(l)));
    }
    add("</table>");
    if (r.attribution.lost.size() > o.max_lost_rows) {
      add("<p class=\"note\">… and {} more (see <code>--json</code>).</p>",
          r.attribution.lost.size() - o.max_lost_rows);
    }
  }

  // Workers.
  std::vector<std::uint64_t> lost_of(rec.workers.size() + 1), erased_of(rec.workers.size() + 1);
  for (const LostUpdate& l : r.attribution.lost) {
    if (l.lost.worker < lost_of.size()) ++lost_of[l.lost.worker];
    if (l.erased_by.worker < erased_of.size()) ++erased_of[l.erased_by.worker];
  }
  add("\n<h2>Workers</h2><table><tr><th>worker</th><th class=\"n\">pid</th><th>status</th>"
      "<th class=\"n\">ops</th><th class=\"n\">kept</th><th class=\"n\">lost</th>"
      "<th class=\"n\">erased others'</th><th class=\"n\">VERIFY overwritten / changed</th>"
      "<th class=\"n\">lock wait</th><th class=\"n\">retries</th><th>kept vs lost</th></tr>");
  for (const WorkerRecord& w : rec.workers) {
    const std::uint64_t lost = lost_of[w.number];
    const std::uint64_t kept = w.ops > lost ? w.ops - lost : 0;
    const double total = static_cast<double>(std::max<std::uint64_t>(kept + lost, 1));
    const double kw = 160.0 * static_cast<double>(kept) / total;
    const std::string status(worker_end_name(w.end));
    add("<tr><td>worker {}</td><td class=\"n\">{}</td><td><span class=\"tag {}\">{}</span></td>"
        "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
        "<td class=\"n\">{}</td><td class=\"n\">{} / {}</td><td class=\"n\">{:.2f} ms</td>"
        "<td class=\"n\">{}</td><td><svg width=\"160\" height=\"12\" role=\"img\" "
        "aria-label=\"{} kept, {} lost\"><rect width=\"160\" height=\"12\" rx=\"3\" "
        "fill=\"#eef0f4\"/><rect width=\"{:.1f}\" height=\"12\" rx=\"3\" fill=\"#16a34a\"/>"
        "<rect x=\"{:.1f}\" width=\"{:.1f}\" height=\"12\" rx=\"3\" fill=\"#dc2626\"/></svg></td>"
        "</tr>",
        w.number, w.pid, status == "ok" ? "ok" : "other", html_escape(status), w.ops, kept, lost,
        erased_of[w.number], w.verify_overwritten, w.verify_changed,
        static_cast<double>(w.lock_wait_ns) / 1e6, w.retries, kept, lost, kw, kw, 160.0 - kw);
    if (!w.error.empty()) add("<tr><td></td><td colspan=\"10\">{}</td></tr>", html_escape(w.error));
  }
  add("</table>\n");

  // Configuration.
  add("<h2>Configuration</h2><table>");
  auto row = [&](std::string_view k, const std::string& v) {
    add("<tr><th style=\"width:220px\">{}</th><td class=\"mono\">{}</td></tr>", k, html_escape(v));
  };
  row("scenario", std::string(scenario_of(p.scenario).name()));
  row("workers × increments", fmt::format("{} × {}", p.workers, p.increments));
  if (p.scenario == Scenario::kCounter)
    row("initial value (--initial)", std::to_string(p.scenario_params.initial));
  row("strategy", strategy);
  row("backend", backend);
  row("delay (before read : window : before verify)", delay_text(p.delays));
  row("seed", std::to_string(p.seed));
  row("schedule", r.schedule ? *r.schedule : "none (the OS scheduler decides)");
  row("attribution", r.attributed ? (r.attribution.consistent ? "exact" : "inconsistent")
                                  : "not recorded (too many writes to log)");
  row("run objects", rec.control_name);
  if (r.schedule) {
    row("repeat the schedule", schedule_command(rec, *r.schedule));
  } else {
    row("replay this interleaving",
        r.observed.captured() ? replay_command(r) : "not captured: " + r.observed.reason);
    row("repeat the delays", fmt::format("{} --delay {} --seed {}", run_command_prefix(rec),
                                         format_delay_spec(p.delays), p.seed));
  }
  add("</table>\n<p class=\"note\">Generated by shmlab {}. This file is self-contained: no "
      "script, font or network access.</p></main></body></html>\n",
      html_escape(o.version));
  return h;
}

}  // namespace shmlab
