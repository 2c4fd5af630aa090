// The litmus tests' names, states and conditions.
#include "shmlab/litmus/litmus_test.hpp"

#include <gtest/gtest.h>

#include "shmlab/litmus/access_order.hpp"

namespace shmlab::litmus {
namespace {

TEST(LitmusTestInfo, NamesParseCaseInsensitively) {
  EXPECT_EQ(parse_litmus_test("sb"), LitmusTest::kSB);
  EXPECT_EQ(parse_litmus_test("IRIW"), LitmusTest::kIRIW);
  EXPECT_EQ(parse_litmus_test("2+2w"), LitmusTest::k2Plus2W);
  EXPECT_EQ(parse_litmus_test("S"), std::nullopt);
  EXPECT_EQ(parse_litmus_test("SBX"), std::nullopt);
  EXPECT_EQ(parse_litmus_test(""), std::nullopt);
}

TEST(LitmusTestInfo, OrdersParseWithTheirSpellings) {
  EXPECT_EQ(parse_access_order("acq_rel"), AccessOrder::kAcquireRelease);
  EXPECT_EQ(parse_access_order("acquire-release"), AccessOrder::kAcquireRelease);
  EXPECT_EQ(parse_access_order("seq_cst"), AccessOrder::kSeqCst);
  EXPECT_EQ(parse_access_order("fence"), AccessOrder::kFence);
  EXPECT_EQ(parse_access_order("acquire"), std::nullopt);
  for (AccessOrder o : all_access_orders()) EXPECT_EQ(parse_access_order(access_order_name(o)), o);
}

TEST(LitmusTestInfo, StateIndexRoundTripsEveryState) {
  for (std::size_t i = 0; i < kStateCount; ++i) EXPECT_EQ(state_index(state_at(i)), i);
  EXPECT_EQ(state_index({2, 2, 2, 2}), kStateCount - 1);
}

TEST(LitmusTestInfo, FormatsStatesAndConditionsAsLitmus7Does) {
  const LitmusTestInfo& sb = litmus_info(LitmusTest::kSB);
  EXPECT_EQ(format_state(sb, {0, 1, 0, 0}), "0:r0=0; 1:r0=1;");
  EXPECT_EQ(format_condition(sb), "0:r0=0 /\\ 1:r0=0");
  EXPECT_EQ(format_condition(litmus_info(LitmusTest::kIRIW)),
            "2:r0=1 /\\ 2:r1=0 /\\ 3:r0=1 /\\ 3:r1=0");
}

TEST(LitmusTestInfo, EachTestHasItsThreadsAndValues) {
  for (const LitmusTestInfo& t : all_litmus_tests()) {
    EXPECT_EQ(&litmus_info(t.id), &t);
    EXPECT_LE(t.threads, kMaxThreads);
    EXPECT_LE(t.values, kMaxValues);
    for (std::uint32_t i = 0; i < t.threads; ++i) EXPECT_FALSE(t.code[i].empty()) << t.name;
  }
  EXPECT_EQ(litmus_info(LitmusTest::kIRIW).threads, 4u);
}

}  // namespace
}  // namespace shmlab::litmus
