#include "shmlab/litmus/litmus_html.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "shmlab/litmus/litmus_output.hpp"
#include "shmlab/report/html_escape.hpp"

namespace shmlab::litmus {
namespace {

constexpr int kLabelWidth = 260;
constexpr int kBarWidth = 420;
constexpr int kRowHeight = 24;

// Bars on a log scale: the marked outcome may be a handful in millions.
double bar_length(std::uint64_t count, std::uint64_t max) {
  if (count == 0 || max == 0) return 0;
  return std::max(2.0, kBarWidth * std::log10(1.0 + static_cast<double>(count)) /
                           std::log10(1.0 + static_cast<double>(max)));
}

std::string histogram_svg(const LitmusResult& r, std::optional<Arch> arch) {
  const LitmusTestInfo& info = litmus_info(r.test);
  const std::size_t marked = state_index(info.marked);
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < kStateCount; ++i) {
    if (r.histogram[i] != 0 || i == marked) rows.push_back(i);
  }
  const std::uint64_t max = *std::max_element(r.histogram.begin(), r.histogram.end());
  const int width = kLabelWidth + kBarWidth + 120;
  const int height = static_cast<int>(rows.size()) * kRowHeight + 30;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\" "
      "aria-label=\"histogram of {}\">\n",
      width, height, html_escape(info.name));
  const bool forbidden = arch && verdict(r.test, r.order, *arch) == Verdict::kForbidden;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const std::size_t i = rows[k];
    const int y = static_cast<int>(k) * kRowHeight + 4;
    const char* fill = i != marked ? "#7a8ca8" : forbidden ? "#d62728" : "#ff9f1c";
    svg += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-family=\"monospace\" "
        "font-size=\"12\">{}{}</text>\n",
        kLabelWidth - 8, y + 15, i == marked ? "* " : "",
        html_escape(format_state(info, state_at(i))));
    const double len = bar_length(r.histogram[i], max);
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\"/>\n",
                       kLabelWidth, y, len, kRowHeight - 6, fill);
    svg += fmt::format(
        "<text x=\"{:.1f}\" y=\"{}\" font-family=\"sans-serif\" font-size=\"12\">{}</text>\n",
        kLabelWidth + len + 6, y + 14, r.histogram[i]);
  }
  svg += fmt::format(
      "<text x=\"{}\" y=\"{}\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#555\">count "
      "(log scale); * the marked outcome</text>\n</svg>\n",
      kLabelWidth, height - 6);
  return svg;
}

}  // namespace

std::string litmus_html(std::span<const LitmusResult> results, std::optional<Arch> arch) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>shmlab litmus</title>\n<style>\n"
      "body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}\n"
      "pre{background:#f4f4f4;padding:.6em}\n.bad{color:#d62728;font-weight:bold}\n"
      "</style>\n</head>\n<body>\n<h1>shmlab litmus</h1>\n";
  out += fmt::format(
      "<p>Memory model of this machine: {}. Each test ran between processes on "
      "POSIX shared memory, every iteration on fresh locations.</p>\n",
      arch ? html_escape(arch_name(*arch)) : "unknown (no verdict)");
  for (const LitmusResult& r : results) {
    const LitmusTestInfo& info = litmus_info(r.test);
    out += fmt::format("<h2>{} ({}), order {}</h2>\n", html_escape(info.name),
                       html_escape(info.title), html_escape(access_order_name(r.order)));
    std::string code;
    for (std::uint32_t t = 0; t < info.threads; ++t)
      code += fmt::format("thread {}: {}\n", t, info.code[t]);
    out += fmt::format("<pre>{}</pre>\n", html_escape(code));
    out += fmt::format("<p{}>Marked outcome <code>{}</code>: {}.</p>\n",
                       forbidden_observed(r, arch) ? " class=\"bad\"" : "",
                       html_escape(format_condition(info)), html_escape(verdict_line(r, arch)));
    out += fmt::format("<p>Witnesses: Positive {}, Negative {}.</p>\n", r.positive(), r.negative());
    out += histogram_svg(r, arch);
  }
  out += fmt::format("<h2>Summary</h2>\n<pre>{}</pre>\n</body>\n</html>\n",
                     html_escape(litmus_summary(results, arch)));
  return out;
}

}  // namespace shmlab::litmus
