#include "cli/typos.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <numeric>

#include "shmlab/usage_error.hpp"

namespace shmlab::cli {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), 0);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string suggestion(std::string_view word, const std::vector<std::string>& known) {
  const auto near = closest_word(word, known);
  return near ? fmt::format("; did you mean '{}'?", *near) : std::string();
}

// The options of `app` as typed: "--workers", "-w".
std::vector<std::string> option_words(const CLI::App& app) {
  std::vector<std::string> out;
  for (const CLI::Option* opt : app.get_options()) {
    for (const std::string& l : opt->get_lnames()) out.push_back("--" + l);
    for (const std::string& s : opt->get_snames()) out.push_back("-" + s);
  }
  return out;
}

// Whether `arg` is written as an option: "--name", "--name=value", "-x" (not "-1", not "-").
bool looks_like_option(std::string_view arg) {
  if (arg.starts_with("--")) return arg.size() > 2;
  return arg.size() >= 2 && arg[0] == '-' && std::isalpha(static_cast<unsigned char>(arg[1]));
}

}  // namespace

std::optional<std::string> closest_word(std::string_view word,
                                        const std::vector<std::string>& known) {
  std::optional<std::string> best;
  std::size_t best_d = 0;
  for (const std::string& k : known) {
    const std::size_t d = edit_distance(word, k);
    if (!best || d < best_d) {
      best = k;
      best_d = d;
    }
  }
  // Two edits (a swap, a missing letter) is a typo; more is another word.
  if (!best || best_d > std::max<std::size_t>(2, word.size() / 3)) return std::nullopt;
  return best;
}

std::vector<std::string> check_words(const CLI::App& app, std::vector<std::string> args) {
  if (args.empty()) return args;
  const std::vector<const CLI::App*> subs =
      app.get_subcommands([](const CLI::App*) { return true; });
  std::vector<std::string> commands;  // the visible ones, to suggest
  for (const CLI::App* sub : subs) {
    if (!sub->get_group().empty()) commands.push_back(sub->get_name());
  }
  auto find_command = [&](const std::string& w) -> const CLI::App* {
    for (const CLI::App* sub : subs)
      if (sub->get_name() == w) return sub;
    return nullptr;
  };
  auto is_command = [&](const std::string& w) { return find_command(w) != nullptr; };
  if (args[0] == "help") {
    if (args.size() == 1) return {"--help"};
    if (!is_command(args[1])) {
      throw UsageError(
          fmt::format("help: unknown command '{}'{}", args[1], suggestion(args[1], commands)));
    }
    return {args[1], "--help"};
  }
  if (!looks_like_option(args[0]) && !is_command(args[0])) {
    commands.emplace_back("help");
    throw UsageError(fmt::format("unknown command '{}'{}", args[0], suggestion(args[0], commands)));
  }
  const CLI::App* scope = &app;
  std::string prefix;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") break;  // the rest are values
    if (i == 0 && is_command(a)) {
      scope = find_command(a);
      prefix = a + ": ";
      continue;
    }
    if (!looks_like_option(a)) continue;
    const std::string name = a.substr(0, a.find('='));
    std::vector<std::string> known = option_words(*scope);
    if (scope == &app) known.emplace_back("--version");
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    // Short flags may be bundled ("-qw 2"): leave those to CLI11.
    if (!name.starts_with("--") && name.size() > 2) continue;
    throw UsageError(fmt::format("{}unknown option '{}'{}", prefix, name, suggestion(name, known)));
  }
  return args;
}

}  // namespace shmlab::cli
