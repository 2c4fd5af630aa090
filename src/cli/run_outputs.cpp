#include "cli/run_outputs.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include "shmlab/report/chrome_trace.hpp"
#include "shmlab/report/html_report.hpp"
#include "shmlab/report/timeline.hpp"
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
  log.raw(render_timeline(result, {.color = log.color()}));
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

}  // namespace shmlab::cli
