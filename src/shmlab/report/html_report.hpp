// `run --report FILE`: one self-contained HTML page about a run (inline CSS and SVG; no script,
// font or network access): configuration, verdict, per-worker figures, an SVG timeline with a
// lane per worker and a mark per step (reads and writes labelled with their values, each lost
// write linked by an arrow to the write that erased it), the list of lost updates, a legend.
#pragma once

#include <string>

#include "shmlab/analysis/result.hpp"

namespace shmlab {

struct HtmlReportOptions {
  std::size_t max_marks = 30'000;   // steps drawn; a longer run's timeline shows its start
  std::size_t max_lost_rows = 500;  // rows of the lost-updates table
  std::string version = "";         // shmlab's version, for the footer
};

std::string html_report(const RunResult& result, const HtmlReportOptions& options = {});

}  // namespace shmlab
