// What the CLI does before CLI11 parses: `shmlab help [CMD]` becomes `shmlab [CMD] --help`, and an
// unknown command or option is named with the closest known one ("did you mean --workers?"),
// where CLI11 alone would say "A subcommand is required" or "arguments were not expected".
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shmlab::cli {

// The known word nearest to `word` by edit distance, when near enough to be a typo.
std::optional<std::string> closest_word(std::string_view word,
                                        const std::vector<std::string>& known);

// The arguments with `help [CMD]` rewritten; throws UsageError naming an unknown command or
// option (with a suggestion) before CLI11 sees it.
std::vector<std::string> check_words(const CLI::App& app, std::vector<std::string> args);

}  // namespace shmlab::cli
