// The CLI's option tables as plain data, read from the CLI11 app that parses the command line, and
// the documents generated from them (man pages, bash and zsh completion), so that what is
// installed cannot drift from what `--help` prints and the parser accepts.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace shmlab::cli {

struct OptionTable {
  std::vector<std::string> names;   // "-w", "--workers"; empty for a positional
  std::string positional;           // "NAME" for a positional argument
  std::string metavar;              // "UINT", "TEXT", "FILE"; empty for a flag
  std::vector<std::string> values;  // the accepted values when CLI11 checks a set (IsMember)
  std::string description;
  std::string default_value;  // as --help prints it; empty when none
};

struct CommandTable {
  std::string name;  // "run"; empty for shmlab itself
  std::string description;
  std::string footer;  // examples and exit codes, as --help prints them
  std::vector<OptionTable> options;
  std::vector<CommandTable> commands;  // the visible subcommands (hidden ones are internal)
};

// Reads the visible commands and options of `app` (hidden subcommands and options are skipped).
CommandTable read_option_tables(const CLI::App& app);

// One roff man page for `shmlab` (command.name empty) or for `shmlab NAME`; see_also lists the
// other pages' names ("shmlab-run").
std::string man_page(const CommandTable& command, const std::string& version,
                     const std::vector<std::string>& see_also);

// Completion scripts for bash (plain bash: no bash-completion functions) and zsh (#compdef).
std::string bash_completion(const CommandTable& root);
std::string zsh_completion(const CommandTable& root);

}  // namespace shmlab::cli
