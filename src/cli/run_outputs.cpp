#include "cli/run_outputs.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shmlab/report/chrome_trace.hpp"
#include "shmlab/report/html_report.hpp"
#include "shmlab/report/timeline.hpp"
#include "shmlab/sys/clock.hpp"
#include "shmlab/sys/syscall.hpp"
#include "shmlab/usage_error.hpp"

#ifndef SHMLAB_VERSION
#define SHMLAB_VERSION "0.0.0"
#endif

namespace shmlab::cli {
namespace {

sys::UniqueFd open_output(std::string_view option, const std::string& path) {
  if (path.empty()) return {};
  return sys::UniqueFd(sys::check(fmt::format("{} {}", option, sys::call_name("open", path)), [&] {
    return ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  }));
}

void write_all(std::string_view option, const std::string& path, int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = sys::check(fmt::format("{} {}", option, sys::call_name("write", path)),
                                 [&] { return ::write(fd, text.data(), text.size()); });
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

RunOutputs::RunOutputs(OutputOptions options) : o_(std::move(options)) {
  if (!o_.trace_path.empty() && o_.trace_path == o_.report_path)
    throw UsageError("--trace and --report name the same file: " + o_.trace_path);
  trace_ = open_output("--trace", o_.trace_path);
  report_ = open_output("--report", o_.report_path);
}

void RunOutputs::print_timeline(const RunResult& result, const Log& log) const {
  if (!o_.timeline) return;
  log.raw(render_timeline(result, {.color = log.color(), .ascii = log.ascii()}));
}

void RunOutputs::write_files(const RunResult& result, const Log& log) const {
  std::uint64_t dropped = 0;
  for (const WorkerRecord& w : result.record.workers) dropped += w.trace_dropped;
  if (dropped != 0 && (trace_ || report_ || o_.timeline)) {
    log.warning("Trace rings overflowed: the {} oldest steps were dropped, the views show the rest",
                dropped);
  }
  if (trace_) {
    write_all("--trace", o_.trace_path, trace_.get(), chrome_trace_json(result).dump() + "\n");
    log.info("Trace written to {} (open it in https://ui.perfetto.dev or chrome://tracing)",
             o_.trace_path);
  }
  if (report_) {
    write_all("--report", o_.report_path, report_.get(),
              html_report(result, {.version = SHMLAB_VERSION}));
    log.info("Report written to {}", o_.report_path);
  }
}

std::string progress_text(std::uint64_t done, std::uint64_t total, double elapsed_s) {
  const double rate = elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0;
  std::string text =
      fmt::format("{} of {} ({}%), {}/s", grouped(done), count_of(total, "operation", "operations"),
                  total == 0 ? 100 : done * 100 / total, grouped(static_cast<std::uint64_t>(rate)));
  if (rate > 0 && done < total) {
    const auto left = static_cast<std::uint64_t>(static_cast<double>(total - done) / rate + 0.5);
    text += left >= 60  ? fmt::format(", about {} min {} s left", left / 60, left % 60)
            : left >= 1 ? fmt::format(", about {} s left", left)
                        : std::string(", under 1 s left");
  }
  return text;
}

ProgressLine::ProgressLine(int fd, std::uint64_t total_ops)
    : fd_(fd), total_(total_ops), active_(::isatty(fd) == 1), start_ns_(sys::monotonic_ns()) {}

void ProgressLine::update(std::uint64_t done) {
  if (!active_) return;
  const std::int64_t now = sys::monotonic_ns();
  if (static_cast<double>(now - start_ns_) < kAfterS * 1e9 || now - last_ns_ < 500'000'000) return;
  last_ns_ = now;
  std::string text = progress_text(done, total_, static_cast<double>(now - start_ns_) / 1e9);
  const std::size_t columns = text.size();
  // Spaces over the rest of a longer earlier line: no escape sequence, fine on TERM=dumb too.
  if (columns < shown_) text += std::string(shown_ - columns, ' ');
  shown_ = columns;
  text = "\r" + text;
  [[maybe_unused]] const ssize_t n = ::write(fd_, text.data(), text.size());
}

void ProgressLine::clear() {
  if (shown_ == 0) return;
  const std::string blank = "\r" + std::string(shown_, ' ') + "\r";
  [[maybe_unused]] const ssize_t n = ::write(fd_, blank.data(), blank.size());
  shown_ = 0;
}

}  // namespace shmlab::cli
