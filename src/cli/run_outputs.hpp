// The files and views `shmlab run` produces besides its log: --trace FILE (Chrome trace JSON),
// --report FILE (HTML) and --timeline (terminal). Files are opened — created or truncated, as any
// output — before the run starts, so an unwritable path costs nothing (exit 1 naming it).
#pragma once

#include <cstdint>
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

// One line on a terminal that a long run keeps rewriting: operations done, rate, time left. Only
// on a terminal (not a pipe, not a file), and only once the run has lasted kAfterS; cleared at the
// end so that the summary follows on a clean line.
class ProgressLine {
 public:
  static constexpr double kAfterS = 2;
  ProgressLine(int fd, std::uint64_t total_ops);
  ~ProgressLine() { clear(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;
  bool active() const { return active_; }
  void update(std::uint64_t done);
  void clear();

 private:
  int fd_;
  std::uint64_t total_;
  bool active_;
  std::int64_t start_ns_;
  std::int64_t last_ns_ = 0;
  std::size_t shown_ = 0;  // columns of the line on screen
};

// "12,000 of 400,000 operations (3%), 1,500/s, about 4 min 13 s left"
std::string progress_text(std::uint64_t done, std::uint64_t total, double elapsed_s);

}  // namespace shmlab::cli
