// LitmusTest: the five classic memory-ordering tests `shmlab litmus` runs between processes (SB,
// MP, LB, IRIW, 2+2W): how many threads each has, the values its final state holds, and the outcome
// it is about (litmus7's "exists" clause). The code of their threads is in litmus_body.hpp.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace shmlab::litmus {

enum class LitmusTest : std::uint8_t { kSB, kMP, kLB, kIRIW, k2Plus2W };

inline constexpr std::uint32_t kMaxThreads = 4;
inline constexpr std::size_t kMaxValues = 4;
// Every location and register of these tests holds 0, 1 or 2.
inline constexpr std::size_t kValueRange = 3;
inline constexpr std::size_t kStateCount = 81;  // kValueRange ^ kMaxValues
// A final state: the test's values in the order of its value_names; unused entries stay 0.
using State = std::array<std::uint8_t, kMaxValues>;

struct LitmusTestInfo {
  LitmusTest id;
  std::string_view name;   // "SB"
  std::string_view title;  // "store buffering"
  std::uint32_t threads;
  std::uint32_t values;                                  // entries of a final state
  std::array<std::string_view, kMaxValues> value_names;  // litmus7's "0:r0" (thread:register)
  std::array<std::string_view, kMaxThreads> code;        // each thread, as litmus7 prints it
  State marked;                                          // the outcome of interest
  std::string_view shows;                                // what seeing the marked outcome means
};

std::span<const LitmusTestInfo> all_litmus_tests();
const LitmusTestInfo& litmus_info(LitmusTest test);
// Case-insensitive: "sb", "2+2w".
std::optional<LitmusTest> parse_litmus_test(std::string_view name);

// Base-3 index of a state in a histogram, and back.
std::size_t state_index(const State& s);
State state_at(std::size_t index);
// "0:r0=0; 1:r0=1;" (litmus7's histogram line) and "0:r0=0 /\ 1:r0=0" (its condition).
std::string format_state(const LitmusTestInfo& info, const State& s);
std::string format_condition(const LitmusTestInfo& info);

}  // namespace shmlab::litmus
