// The subcommands of the shmlab CLI. Each `add_*` registers a subcommand with its options and
// returns it with the action to run when it was chosen; the action returns the exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace shmlab::cli {

using Action = std::function<int()>;
struct Command {
  CLI::App* app;
  Action action;
};

Command add_run(CLI::App& app);
Command add_explore(CLI::App& app);
Command add_worker(CLI::App& app);
Command add_inspect(CLI::App& app);
Command add_clean(CLI::App& app);
Command add_bench(CLI::App& app);
Command add_bench_worker(CLI::App& app);
Command add_litmus(CLI::App& app);
Command add_litmus_worker(CLI::App& app);
Command add_generate(CLI::App& app);  // cli/generate_command.cpp: man pages, completion

// Shared helpers.
std::string self_exe();
std::string temp_dir();
bool use_color(int fd, bool no_color_flag);

}  // namespace shmlab::cli
