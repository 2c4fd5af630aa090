// shmlab: a lab for shared memory between processes. Parses the command line with CLI11 and
// dispatches; bad usage (CLI11's errors and shmlab::UsageError) exits 2, environment failures 1.
#include <fmt/format.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <system_error>
#include <vector>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/typos.hpp"
#include "cli/version.hpp"
#include "shmlab/sys/signals.hpp"
#include "shmlab/usage_error.hpp"

namespace {

// A closed pipe (`shmlab run | head -1`) ends a command like an interrupt: quietly, 128 + SIGPIPE,
// after its cleanup. Any other failed write of the output (a full disk) is an environment failure.
int output_failed(int err) {
  if (err == EPIPE) return 128 + SIGPIPE;
  fmt::print(stderr, "shmlab: write(stdout): {}\n", std::strerror(err != 0 ? err : EIO));
  return shmlab::cli::kExitEnvironment;
}

// The command's result is only delivered once stdout is flushed: check that it was.
int flushed(int code) {
  std::cout.flush();
  const bool failed = std::fflush(stdout) != 0 || std::ferror(stdout) != 0 || !std::cout;
  if (!failed) return code;
  return output_failed(errno);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace shmlab::cli;
  shmlab::sys::reset_inherited_signals();
  CLI::App app{"shmlab: shared memory between processes — races, fixes and their costs"};
  app.name("shmlab");  // in usage lines, as the user types it (not ./build/shmlab)
  app.set_version_flag("--version", version_line());
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  shmlab run                          the seed demo: 3 workers x 5 increments, lost "
      "updates\n"
      "  shmlab run --strategy mutex         the same work under a robust process-shared mutex\n"
      "  shmlab run -w 8 -n 10000 --delay none --json\n"
      "  shmlab play -w 2 -n 1               you are the scheduler: press a worker's number\n"
      "  shmlab explore -w 2 -n 3               every interleaving of 2 x 3, on real processes\n"
      "  shmlab bench --strategies none,mutex --backends file  ops/s beside the bare primitive\n"
      "Run 'shmlab COMMAND --help' (or 'shmlab help COMMAND') for a command's options.");
  const std::vector<Command> commands = {
      add_run(app),    add_play(app),          add_explore(app), add_inspect(app),
      add_clean(app),  add_worker(app),        add_bench(app),   add_bench_worker(app),
      add_litmus(app), add_litmus_worker(app), add_generate(app)};
  try {
    std::vector<std::string> args = check_words(app, {argv + 1, argv + argc});
    std::reverse(args.begin(), args.end());  // CLI11 takes them last first
    app.parse(args);
    for (const Command& c : commands) {
      if (c.app->parsed()) return flushed(c.action());
    }
    return kExitUsage;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "shmlab: {}\nRun with --help for the options and examples.\n", e.what());
    return kExitUsage;
  } catch (const shmlab::UsageError& e) {
    fmt::print(stderr, "shmlab: {}\n", e.what());
    return kExitUsage;
  } catch (const std::system_error& e) {
    if (e.code() == std::errc::broken_pipe) return output_failed(EPIPE);
    fmt::print(stderr, "shmlab: {}\n", e.what());
    return kExitEnvironment;
  } catch (const std::exception& e) {
    fmt::print(stderr, "shmlab: internal error: {}\n", e.what());
    return kExitEnvironment;
  }
}
