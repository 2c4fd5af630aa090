// The lease record of the regions that have one (mmap, shm, sqlite): a grant excludes others until
// it expires, tokens grow, a release by a holder whose grant was taken over fails, and a fenced
// write is refused once a newer grant exists (docs/lease.md). Times are given, not measured.
#include <gtest/gtest.h>

#include <string>

#include "shmlab/region/backend.hpp"
#include "shmlab/region/region.hpp"
#include "shmlab/sys/clock.hpp"
#include "support/test_region.hpp"

namespace shmlab {
namespace {

class LeaseRecord_test : public testing::TestWithParam<Backend> {
 protected:
  LeaseRecord_test()
      : region_(test::region_params(GetParam(), 2, 3,
                                    "lease" + std::to_string(static_cast<int>(GetParam())),
                                    Strategy::kLease)),
        sut_(attach_region(region_.params)),
        other_(attach_region(region_.params)) {}

  test::TestRegion region_;
  std::unique_ptr<Region> sut_;
  std::unique_ptr<Region> other_;  // another worker's view
  // CLOCK_MONOTONIC ms after the region's creation, as the workers give it.
  const std::int64_t now_ = sys::monotonic_ns() / 1'000'000;
};

TEST_P(LeaseRecord_test, AGrantExcludesOthersUntilItExpires) {
  const auto first = sut_->take_lease(1, now_, 200);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->token, 1u);
  EXPECT_EQ(first->expired_holder, 0u);
  EXPECT_FALSE(other_->take_lease(2, now_ + 199, 200).has_value());
  const auto second = other_->take_lease(2, now_ + 200, 200);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->token, 2u);
  EXPECT_EQ(second->expired_holder, 1u);  // taken over from worker 1, whose grant expired
}

TEST_P(LeaseRecord_test, ReleasingAGrantTakenOverFails) {
  ASSERT_TRUE(sut_->take_lease(1, now_, 200).has_value());
  ASSERT_TRUE(other_->take_lease(2, now_ + 300, 200).has_value());
  EXPECT_FALSE(sut_->release_lease(1, 1));
  EXPECT_TRUE(other_->release_lease(2, 2));
  const auto next = sut_->take_lease(1, now_ + 301, 200);  // free at once: released, not expired
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->token, 3u);
  EXPECT_EQ(next->expired_holder, 0u);
}

TEST_P(LeaseRecord_test, AFencedWriteIsRefusedOnceANewerGrantExists) {
  ASSERT_TRUE(sut_->take_lease(1, now_, 200).has_value());
  const FencedWrite ok = sut_->exchange_cell_fenced(0, {1, 1, 0, 1}, 1);
  EXPECT_TRUE(ok.written);
  ASSERT_TRUE(other_->take_lease(2, now_ + 300, 200).has_value());
  // Refused before worker 2 wrote anything: the storage has seen grant 2.
  const FencedWrite late = sut_->exchange_cell_fenced(0, {2, 1, 0, 2}, 1);
  EXPECT_FALSE(late.written);
  EXPECT_EQ(late.newest_token, 2u);
  EXPECT_EQ(sut_->read().counter, 1);
  const FencedWrite current = other_->exchange_cell_fenced(0, {2, 2, 0, 4}, 2);
  EXPECT_TRUE(current.written);
  ASSERT_TRUE(current.replaced.has_value());
  EXPECT_EQ(*current.replaced, 1u);  // it replaced worker 1's write, id 1
  EXPECT_EQ(other_->read().counter, 2);
}

std::string backend_label(const testing::TestParamInfo<Backend>& p) {
  return std::string(backend_name(p.param));
}

INSTANTIATE_TEST_SUITE_P(EveryBackendWithALease, LeaseRecord_test,
                         testing::Values(Backend::kMmap, Backend::kShm, Backend::kSqlite),
                         backend_label);

}  // namespace
}  // namespace shmlab
