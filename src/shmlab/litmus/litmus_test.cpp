#include "shmlab/litmus/litmus_test.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace shmlab::litmus {
namespace {

// x and y start at 0 in every iteration; registers are written once.
constexpr std::array<LitmusTestInfo, 5> kTests = {{
    {LitmusTest::kSB,
     "SB",
     "store buffering",
     2,
     2,
     {"0:r0", "1:r0", "", ""},
     {"x=1; r0=y", "y=1; r0=x", "", ""},
     {0, 0, 0, 0},
     "each load ran before the other thread's store became visible: stores wait in a store "
     "buffer while later loads go ahead"},
    {LitmusTest::kMP,
     "MP",
     "message passing",
     2,
     2,
     {"1:r0", "1:r1", "", ""},
     {"x=1; y=1", "r0=y; r1=x", "", ""},
     {1, 0, 0, 0},
     "the flag y was seen but not the data x written before it"},
    {LitmusTest::kLB,
     "LB",
     "load buffering",
     2,
     2,
     {"0:r0", "1:r0", "", ""},
     {"r0=x; y=1", "r0=y; x=1", "", ""},
     {1, 1, 0, 0},
     "each load saw a store that came after the other load in program order"},
    {LitmusTest::kIRIW,
     "IRIW",
     "independent reads of independent writes",
     4,
     4,
     {"2:r0", "2:r1", "3:r0", "3:r1"},
     {"x=1", "y=1", "r0=x; r1=y", "r0=y; r1=x"},
     {1, 0, 1, 0},
     "two readers saw two independent writes in opposite orders"},
    {LitmusTest::k2Plus2W,
     "2+2W",
     "two plus two writes",
     2,
     2,
     {"x", "y", "", ""},
     {"x=1; y=2", "y=1; x=2", "", ""},
     {1, 1, 0, 0},
     "each thread's first store landed after the other thread's second store"},
}};

}  // namespace

std::span<const LitmusTestInfo> all_litmus_tests() { return kTests; }

const LitmusTestInfo& litmus_info(LitmusTest test) {
  return kTests[static_cast<std::size_t>(test)];
}

std::optional<LitmusTest> parse_litmus_test(std::string_view name) {
  for (const LitmusTestInfo& t : kTests) {
    if (std::equal(name.begin(), name.end(), t.name.begin(), t.name.end(), [](char a, char b) {
          return std::toupper(static_cast<unsigned char>(a)) == b;
        })) {
      return t.id;
    }
  }
  return std::nullopt;
}

std::size_t state_index(const State& s) {
  std::size_t index = 0;
  for (std::size_t i = kMaxValues; i-- > 0;) index = index * kValueRange + s[i];
  return index;
}

State state_at(std::size_t index) {
  State s{};
  for (std::size_t i = 0; i < kMaxValues; ++i) {
    s[i] = static_cast<std::uint8_t>(index % kValueRange);
    index /= kValueRange;
  }
  return s;
}

std::string format_state(const LitmusTestInfo& info, const State& s) {
  std::string out;
  for (std::uint32_t i = 0; i < info.values; ++i) {
    out += fmt::format("{}{}={};", i == 0 ? "" : " ", info.value_names[i], s[i]);
  }
  return out;
}

std::string format_condition(const LitmusTestInfo& info) {
  std::string out;
  for (std::uint32_t i = 0; i < info.values; ++i) {
    out += fmt::format("{}{}={}", i == 0 ? "" : " /\\ ", info.value_names[i], info.marked[i]);
  }
  return out;
}

}  // namespace shmlab::litmus
