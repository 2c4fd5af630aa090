// The subcommands of the shmlab CLI. Each `add_*` registers a subcommand with its options and
// returns it with the action to run when it was chosen; the action returns the exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>

#include "shmlab/control/params.hpp"

namespace shmlab::cli {

using Action = std::function<int()>;
struct Command {
  CLI::App* app;
  Action action;
};

Command add_run(CLI::App& app);
Command add_play(CLI::App& app);  // run --step, under its own name
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
// --stock, --accounts, --balance, --amount, --auditor (run and explore).
void add_scenario_options(CLI::App& sub, ScenarioParams& s);
// --dsn and --isolation (run and explore), and their checks: --dsn sets p.region_path, --isolation
// p.isolation; refused (UsageError) off postgres, --isolation also off `transaction`.
void add_postgres_options(CLI::App& sub, std::optional<std::string>& dsn,
                          std::optional<std::string>& isolation);
void check_postgres_options(RunParams& p, const std::optional<std::string>& dsn,
                            const std::optional<std::string>& isolation);
// Refuses (UsageError) a strategy that cannot express the scenario, an impossible pair, bad
// scenario parameters — before anything is created.
void check_scenario(const RunParams& p, const std::string& scenario, const std::string& strategy,
                    const std::string& backend);

}  // namespace shmlab::cli
