// Schedules (SPEC §3): a space-separated list of tokens, each naming the worker that takes its next
// step and optionally the step's letter as a check ("1R 2R 1W 2W"), or `random:SEED`. Parsing and
// formatting only; the coordinator's Scheduler grants the steps, docs/schedules.md has the rules.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shmlab/control/params.hpp"

namespace shmlab {

struct ScheduleToken {
  std::uint32_t worker = 1;  // 1-based
  std::optional<Step> step;  // the letter given as a check; none: whatever the worker does next
  bool operator==(const ScheduleToken&) const = default;
};

// What --schedule holds: explicit tokens, or a seed from which the coordinator draws one.
struct ScheduleSpec {
  std::vector<ScheduleToken> tokens;
  std::optional<std::uint64_t> random_seed;  // `random:SEED`
};

// "1R 2R 1W 2W" → tokens. Workers are 1..kMaxWorkers, letters L R W U A C V (lower case too).
// Throws UsageError naming the token's position on anything else, and on an empty schedule.
std::vector<ScheduleToken> parse_schedule(std::string_view text);

// What a person choosing the steps (--step) sees of a worker at a step boundary.
struct GateView {
  char next = 0;             // the letter of its next step; 0 when finished
  std::uint32_t holder = 0;  // next is an L and worker `holder` (1-based) holds that lock: blocked
  bool finished = false;
  // next is a W: the value its operation's latest read saw (the trace's last R), when traced.
  std::optional<std::int64_t> read;
};

// --step: returns the next token, with its letter, for a worker that is neither finished nor
// blocked; nullopt when there is no answer yet (asked again on the next advance); a token of
// worker 0 to stop the run (the input ended).
using StepChooser = std::function<std::optional<ScheduleToken>(const std::vector<GateView>&)>;

// parse_schedule, or `random:SEED` (SEED digits, at most 2^64-1).
ScheduleSpec parse_schedule_spec(std::string_view text);

std::string format_token(const ScheduleToken& token);
// "R (read)" for 'R': a step letter as messages name it.
std::string_view step_word(char letter);
// Tokens joined by single spaces: what parse_schedule reads back.
std::string format_schedule(const std::vector<ScheduleToken>& tokens);

// A --schedule token not followed because its worker had died before it (docs/schedules.md).
struct SkippedToken {
  std::size_t position = 0;  // 1-based, as in the schedule's error messages
  std::string token;         // "1W"
};

// The steps an operation has under a strategy (V included), e.g. "LRWUV" for mutex.
std::string_view strategy_steps(Strategy strategy);

// Checks what can be checked before a run: every token's worker exists and its letter is a step
// of the strategy. Throws UsageError naming the token's position.
void validate_schedule(const std::vector<ScheduleToken>& tokens, std::uint32_t workers,
                       Strategy strategy);
// The same for a run's scenario: a scenario without VERIFY has no V step.
void validate_schedule(const std::vector<ScheduleToken>& tokens, const RunParams& params);
// The steps an operation of the run's scenario has (V only where the scenario verifies).
std::string scenario_steps(const RunParams& params);

}  // namespace shmlab
