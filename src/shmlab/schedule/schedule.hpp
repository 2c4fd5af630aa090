// Schedules (SPEC §3): a space-separated list of tokens, each naming the worker that takes its next
// step and optionally the step's letter as a check ("1R 2R 1W 2W"), or `random:SEED`. Parsing and
// formatting only; the coordinator's Scheduler grants the steps, docs/schedules.md has the rules.
#pragma once

#include <cstddef>
#include <cstdint>
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

// parse_schedule, or `random:SEED` (SEED digits, at most 2^64-1).
ScheduleSpec parse_schedule_spec(std::string_view text);

std::string format_token(const ScheduleToken& token);
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
