// The files and views `shmlab run` produces besides its log: --trace FILE (Chrome trace JSON),
// --report FILE (HTML) and --timeline (terminal). Files are opened — created or truncated, as any
// output — before the run starts, so an unwritable path costs nothing (exit 1 naming it).
#pragma once

#include <string>

#include "shmlab/analysis/result.hpp"
#include "shmlab/sys/log.hpp"
#include "shmlab/sys/unique_fd.hpp"

namespace shmlab::cli {

struct OutputOptions {
  std::string trace_path;   // empty: no --trace
  std::string report_path;  // empty: no --report
  bool timeline = false;
};

class RunOutputs {
 public:
  // Throws UsageError when both options name one file, std::system_error when one can't be opened.
  explicit RunOutputs(OutputOptions options);
  // The timeline, on the log's descriptor (even with --quiet: it was asked for).
  void print_timeline(const RunResult& result, const Log& log) const;
  // Writes the files; throws std::system_error naming the option and the path on failure.
  void write_files(const RunResult& result, const Log& log) const;

 private:
  OutputOptions o_;
  sys::UniqueFd trace_;
  sys::UniqueFd report_;
};

}  // namespace shmlab::cli
