#include "shmlab/schedule/schedule.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

#include "shmlab/scenario/registry.hpp"
#include "shmlab/sync/strategy.hpp"
#include "shmlab/usage_error.hpp"

namespace shmlab {

std::string_view step_word(char letter) {
  switch (letter) {
    case 'L':
      return "L (lock)";
    case 'R':
      return "R (read)";
    case 'W':
      return "W (write)";
    case 'U':
      return "U (unlock)";
    case 'A':
      return "A (atomic read-modify-write)";
    case 'C':
      return "C (compare-and-swap)";
    case 'V':
      return "V (verify)";
    default:
      return "?";
  }
}
namespace {

std::optional<Step> step_of(char c) {
  switch (std::toupper(static_cast<unsigned char>(c))) {
    case 'L':
      return Step::kLock;
    case 'R':
      return Step::kRead;
    case 'W':
      return Step::kWrite;
    case 'U':
      return Step::kUnlock;
    case 'A':
      return Step::kAtomic;
    case 'C':
      return Step::kCas;
    case 'V':
      return Step::kVerify;
    default:
      return std::nullopt;
  }
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ','; }

// Printable form of a token for an error message: control bytes and long tokens are cut.
std::string shown(std::string_view token) {
  std::string out;
  for (char c : token.substr(0, 16)) {
    out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  }
  if (token.size() > 16) out += "...";
  return out;
}

ScheduleToken parse_token(std::string_view tok, std::size_t position) {
  std::size_t digits = 0;
  while (digits < tok.size() && tok[digits] >= '0' && tok[digits] <= '9') ++digits;
  const auto bad = [&](std::string_view why) {
    return UsageError(fmt::format("--schedule: token {} '{}' {}", position, shown(tok), why));
  };
  if (digits == 0) throw bad("does not start with a worker number (e.g. 1R)");
  std::uint32_t worker = 0;
  const auto [end, ec] = std::from_chars(tok.data(), tok.data() + digits, worker);
  if (ec != std::errc{} || worker < 1 || worker > kMaxWorkers)
    throw bad(fmt::format("names no worker (workers are 1..{})", kMaxWorkers));
  ScheduleToken t{worker, std::nullopt};
  if (digits == tok.size()) return t;
  if (tok.size() - digits != 1 || !(t.step = step_of(tok[digits])))
    throw bad("has an unknown step letter (letters: L R W U A C V)");
  return t;
}

}  // namespace

std::vector<ScheduleToken> parse_schedule(std::string_view text) {
  std::vector<ScheduleToken> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    if (is_space(text[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && !is_space(text[j])) ++j;
    tokens.push_back(parse_token(text.substr(i, j - i), tokens.size() + 1));
    i = j;
  }
  if (tokens.empty()) throw UsageError("--schedule: empty schedule (e.g. \"1R 2R 1W 2W\")");
  return tokens;
}

ScheduleSpec parse_schedule_spec(std::string_view text) {
  constexpr std::string_view kRandom = "random:";
  if (text.substr(0, kRandom.size()) != kRandom) return {parse_schedule(text), std::nullopt};
  const std::string_view digits = text.substr(kRandom.size());
  std::uint64_t seed = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seed);
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size())
    throw UsageError("--schedule: random:SEED needs a non-negative integer SEED (e.g. random:42)");
  return {{}, seed};
}

std::string format_token(const ScheduleToken& token) {
  std::string out = std::to_string(token.worker);
  if (token.step) out += static_cast<char>(*token.step);
  return out;
}

std::string format_schedule(const std::vector<ScheduleToken>& tokens) {
  std::string out;
  for (const ScheduleToken& t : tokens) {
    if (!out.empty()) out += ' ';
    out += format_token(t);
  }
  return out;
}

std::string_view strategy_steps(Strategy strategy) {
  switch (strategy_info(strategy).family) {
    case Family::kPlain:
    case Family::kSharded:
      return "RWV";
    case Family::kLocked:
    case Family::kTransaction:
      return "LRWUV";
    case Family::kAtomic:
      return "AV";
    case Family::kCas:
      return "RCV";
  }
  return "";
}

namespace {

void check_tokens(const std::vector<ScheduleToken>& tokens, std::uint32_t workers,
                  Strategy strategy, std::string_view steps) {
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const ScheduleToken& t = tokens[i];
    if (t.worker > workers) {
      throw UsageError(fmt::format("--schedule: token {} '{}' names worker {}, but --workers is {}",
                                   i + 1, format_token(t), t.worker, workers));
    }
    if (t.step && steps.find(static_cast<char>(*t.step)) == std::string_view::npos) {
      throw UsageError(
          fmt::format("--schedule: token {} '{}': strategy {} has no {} step (its steps: {})",
                      i + 1, format_token(t), strategy_name(strategy), static_cast<char>(*t.step),
                      fmt::join(steps, " ")));
    }
  }
}

}  // namespace

void validate_schedule(const std::vector<ScheduleToken>& tokens, std::uint32_t workers,
                       Strategy strategy) {
  check_tokens(tokens, workers, strategy, strategy_steps(strategy));
}

std::string scenario_steps(const RunParams& params) {
  const ScenarioDef& scenario = scenario_of(params.scenario);
  std::string steps(strategy_steps(params.strategy));
  // An atomic operation that decides on a read first (bank's overdraft check) reads.
  if (steps[0] == 'A' && scenario.shape(params, 0).n_reads != 0) steps.insert(0, "R");
  if (!scenario.has_verify()) steps.pop_back();  // V is last
  return steps;
}

void validate_schedule(const std::vector<ScheduleToken>& tokens, const RunParams& params) {
  check_tokens(tokens, params.workers, params.strategy, scenario_steps(params));
}

}  // namespace shmlab
