// The verdict table against what is known about the two memory models (x86-TSO: Sewell et al.,
// CACM 2010; AArch64: the Arm ARM's model), not against itself.
#include "shmlab/litmus/verdict_table.hpp"

#include <gtest/gtest.h>

#include <set>

namespace shmlab::litmus {
namespace {

TEST(VerdictTable, HasEveryTestAndOrderExactlyOnce) {
  std::set<std::pair<LitmusTest, AccessOrder>> seen;
  for (const VerdictEntry& e : verdict_table()) {
    EXPECT_TRUE(seen.insert({e.test, e.order}).second) << litmus_info(e.test).name;
    EXPECT_FALSE(e.why.empty());
  }
  EXPECT_EQ(seen.size(), all_litmus_tests().size() * all_access_orders().size());
}

TEST(VerdictTable, X86AllowsOnlyStoreBufferingWithoutAFullBarrier) {
  for (const VerdictEntry& e : verdict_table()) {
    const bool store_buffering =
        e.test == LitmusTest::kSB &&
        (e.order == AccessOrder::kRelaxed || e.order == AccessOrder::kAcquireRelease);
    EXPECT_EQ(e.x86 == Verdict::kAllowed, store_buffering)
        << litmus_info(e.test).name << " " << access_order_name(e.order);
  }
}

TEST(VerdictTable, SeqCstAndFencesForbidEveryMarkedOutcomeOnBoth) {
  for (const VerdictEntry& e : verdict_table()) {
    if (e.order != AccessOrder::kSeqCst && e.order != AccessOrder::kFence) continue;
    EXPECT_EQ(e.x86, Verdict::kForbidden) << litmus_info(e.test).name;
    EXPECT_EQ(e.aarch64, Verdict::kForbidden) << litmus_info(e.test).name;
  }
}

TEST(VerdictTable, AArch64AllowsEveryRelaxedOutcome) {
  // The weaker model: what x86 allows it allows too, and with relaxed accesses every marked
  // outcome of these five tests.
  for (const VerdictEntry& e : verdict_table()) {
    if (e.x86 == Verdict::kAllowed || e.order == AccessOrder::kRelaxed) {
      EXPECT_EQ(e.aarch64, Verdict::kAllowed) << litmus_info(e.test).name;
    }
  }
}

TEST(VerdictTable, ThisMachinesArchitectureIsKnown) {
#if defined(__x86_64__)
  EXPECT_EQ(this_arch(), Arch::kX86Tso);
#elif defined(__aarch64__)
  EXPECT_EQ(this_arch(), Arch::kAArch64);
#endif
  EXPECT_EQ(arch_name(Arch::kX86Tso), "x86-TSO");
}

}  // namespace
}  // namespace shmlab::litmus
