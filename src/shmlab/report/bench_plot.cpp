#include "shmlab/report/bench_plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include "shmlab/region/backend.hpp"
#include "shmlab/report/bench_output.hpp"
#include "shmlab/report/html_escape.hpp"
#include "shmlab/sync/bare_primitive.hpp"
#include "shmlab/sync/strategy.hpp"

namespace shmlab {
namespace {

constexpr double kWidth = 1000;
constexpr double kMinHeight = 580;
constexpr double kLegendLine = 19;
constexpr double kLeft = 90;
constexpr double kRight = 340;  // room for the legend
constexpr double kTop = 56;
constexpr double kBottom = 64;

// Colour-blind-safe-ish palette (Tableau 10).
constexpr std::array<const char*, 10> kColours = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2",
                                                  "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                                                  "#9c755f", "#bab0ac"};

struct Series {
  std::string label;
  std::string colour;
  bool dashed = false;
  Backend backend = Backend::kFile;               // its marker's shape
  std::vector<std::pair<double, double>> points;  // workers, ops/s
};

// The marker of one point: circle (shm), square (file), triangle (mmap), diamond (sqlite).
std::string marker(Backend b, double x, double y, double r, const std::string& fill,
                   const std::string& stroke) {
  const std::string paint =
      fmt::format("fill=\"{}\" stroke=\"{}\" stroke-width=\"1.5\"", fill, stroke);
  switch (b) {
    case Backend::kFile:
      return fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" {}>",
                         x - r, y - r, 2 * r, 2 * r, paint);
    case Backend::kMmap:
      return fmt::format("<polygon points=\"{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}\" {}>", x,
                         y - r * 1.2, x - r * 1.1, y + r * 0.8, x + r * 1.1, y + r * 0.8, paint);
    case Backend::kSqlite:
      return fmt::format(
          "<polygon points=\"{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}\" {}>", x,
          y - r * 1.3, x + r * 1.3, y, x, y + r * 1.3, x - r * 1.3, y, paint);
    case Backend::kShm:
    case Backend::kPostgres:
      break;
  }
  return fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{:.1f}\" {}>", x, y, r, paint);
}

std::string close_tag(Backend b) {
  switch (b) {
    case Backend::kFile:
      return "</rect>";
    case Backend::kMmap:
    case Backend::kSqlite:
      return "</polygon>";
    case Backend::kShm:
    case Backend::kPostgres:
      break;
  }
  return "</circle>";
}

// Decades read best as "1k", "10M": no decimals.
std::string decade_label(double d) {
  static constexpr std::array<const char*, 4> kSuffix = {"", "k", "M", "G"};
  const int e = static_cast<int>(d);
  if (e < 0) return fmt::format("{:g}", std::pow(10.0, d));
  const int group = std::min(e / 3, 3);
  return fmt::format("{:g}{}", std::pow(10.0, e - 3 * group), kSuffix[group]);
}

std::vector<Series> build_series(const BenchResult& r) {
  std::vector<Series> out;
  std::map<std::pair<int, int>, std::size_t> strategy_index;  // (strategy, backend) -> series
  std::map<std::pair<int, int>, std::string> bare_colour;     // (primitive, backend) -> colour
  for (const BenchResultRow& row : r.results) {
    const auto key = std::make_pair(int(row.strategy), int(row.backend));
    auto [it, fresh] = strategy_index.emplace(key, out.size());
    if (fresh) {
      Series s;
      s.label = fmt::format("{} on {}", strategy_name(row.strategy), backend_name(row.backend));
      // One colour per strategy (its bare loop shares it), one marker shape per backend.
      s.colour = kColours[static_cast<std::size_t>(row.strategy) % kColours.size()];
      s.backend = row.backend;
      out.push_back(s);
      if (row.bare) bare_colour.emplace(std::make_pair(int(*row.bare), int(row.backend)), s.colour);
    }
    out[it->second].points.emplace_back(row.workers, row.summary.ops_per_s);
  }
  std::map<std::pair<int, int>, std::size_t> peer_index;
  for (const BenchPeerRow& p : r.peers) {
    const auto key = std::make_pair(int(p.primitive), int(p.backend));
    auto [it, fresh] = peer_index.emplace(key, out.size());
    if (fresh) {
      Series s;
      s.label = fmt::format("{} {} on {}", p.library_peer ? "peer" : "bare",
                            bare::primitive_name(p.primitive), backend_name(p.backend));
      const auto c = bare_colour.find(key);
      s.colour = p.library_peer ? "#222222" : (c != bare_colour.end() ? c->second : "#888888");
      s.dashed = true;
      s.backend = p.backend;
      out.push_back(s);
    }
    out[it->second].points.emplace_back(p.workers, p.summary.ops_per_s);
  }
  for (Series& s : out) std::sort(s.points.begin(), s.points.end());
  return out;
}

}  // namespace

std::string bench_svg(const BenchResult& r) {
  const std::vector<Series> series = build_series(r);
  double xmin = 1;
  double xmax = 1;
  double ymin = 0;
  double ymax = 0;
  bool first = true;
  for (const Series& s : series) {
    for (const auto& [x, y] : s.points) {
      if (!(y > 0)) continue;
      if (first) {
        xmin = xmax = x;
        ymin = ymax = y;
        first = false;
      }
      xmin = std::min(xmin, x);
      xmax = std::max(xmax, x);
      ymin = std::min(ymin, y);
      ymax = std::max(ymax, y);
    }
  }
  if (first) ymin = ymax = 1;
  const double lo_dec = std::floor(std::log10(ymin));
  const double hi_dec = std::max(lo_dec + 1, std::ceil(std::log10(ymax)));
  const double lx0 = std::log2(xmin);
  const double lx1 = std::log2(xmax);
  // The legend may need more height than the plot.
  const double height =
      std::max(kMinHeight, kTop + kLegendLine * static_cast<double>(series.size()) + 20);
  const double plot_w = kWidth - kLeft - kRight;
  const double plot_h = kMinHeight - kTop - kBottom;
  const double pad = plot_w * 0.04;  // keeps the end points off the frame
  auto px = [&](double x) {
    if (lx1 <= lx0) return kLeft + plot_w / 2;
    return kLeft + pad + (std::log2(x) - lx0) / (lx1 - lx0) * (plot_w - 2 * pad);
  };
  auto py = [&](double y) {
    return kTop + plot_h - (std::log10(y) - lo_dec) / (hi_dec - lo_dec) * plot_h;
  };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} "
      "{1}\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"13\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      kWidth, height);
  svg += fmt::format(
      "<text x=\"{}\" y=\"26\" font-size=\"17\" font-weight=\"bold\">shmlab bench: operations per "
      "second by worker processes</text>\n",
      kLeft);
  svg += fmt::format(
      "<text x=\"{}\" y=\"44\" fill=\"#555\">median of {} repetition(s) of {} s, {} CPU(s); log "
      "scales; dashed: bare loops and peers; ■ file ▲ mmap ● shm ◆ sqlite</text>\n",
      kLeft, r.settings.repeat, r.settings.duration_s, r.settings.cpus);
  // Decade grid and labels on the y axis; minor lines at 2x and 5x.
  for (double d = lo_dec; d <= hi_dec + 1e-9; d += 1) {
    const double y = py(std::pow(10.0, d));
    svg += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#ccc\"/>\n"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n",
        kLeft, y, kLeft + plot_w, y, kLeft - 8, y + 4, decade_label(d));
    if (d < hi_dec) {
      for (double m : {2.0, 5.0}) {
        const double ym = py(m * std::pow(10.0, d));
        svg += fmt::format(
            "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#eee\"/>\n",
            kLeft, ym, kLeft + plot_w, ym);
      }
    }
  }
  // Worker counts on the x axis.
  for (std::uint32_t w : r.settings.workers) {
    const double x = px(w);
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#eee\"/>\n"
        "<text x=\"{0:.1f}\" y=\"{3:.1f}\" text-anchor=\"middle\">{4}</text>\n",
        x, kTop, kTop + plot_h, kTop + plot_h + 18, w);
  }
  svg += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#333\"/>\n", kLeft,
      kTop, plot_w, plot_h);
  svg += fmt::format(
      "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">worker processes</text>\n",
      kLeft + plot_w / 2, kMinHeight - 18);
  svg += fmt::format(
      "<text transform=\"translate(22 {:.1f}) rotate(-90)\" text-anchor=\"middle\">operations per "
      "second (all workers)</text>\n",
      kTop + plot_h / 2);
  // The lines, then the legend.
  for (const Series& s : series) {
    std::string pts;
    for (const auto& [x, y] : s.points) {
      if (y > 0) pts += fmt::format("{:.1f},{:.1f} ", px(x), py(y));
    }
    svg +=
        fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{}/>\n",
                    pts, s.colour, s.dashed ? " stroke-dasharray=\"6 4\"" : "");
    for (const auto& [x, y] : s.points) {
      if (!(y > 0)) continue;
      svg += marker(s.backend, px(x), py(y), s.dashed ? 2.5 : 3.5, s.dashed ? "white" : s.colour,
                    s.colour) +
             fmt::format("<title>{}: {} workers, {} ops/s</title>", html_escape(s.label), x,
                         human_rate(y)) +
             close_tag(s.backend) + "\n";
    }
  }
  double ly = kTop + 6;
  const double lx = kWidth - kRight + 18;
  for (const Series& s : series) {
    svg += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
        "stroke-width=\"2\"{}/>\n<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n",
        lx, ly, lx + 28, ly, s.colour, s.dashed ? " stroke-dasharray=\"6 4\"" : "", lx + 36, ly + 4,
        html_escape(s.label));
    svg += marker(s.backend, lx + 14, ly, s.dashed ? 2.5 : 3.5, s.dashed ? "white" : s.colour,
                  s.colour) +
           close_tag(s.backend) + "\n";
    ly += kLegendLine;
  }
  svg += "</svg>\n";
  return svg;
}

std::string bench_html(const BenchResult& r) {
  return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>shmlab bench</title></head>"
         "<body style=\"margin:16px\">\n" +
         bench_svg(r) + "</body></html>\n";
}

}  // namespace shmlab
