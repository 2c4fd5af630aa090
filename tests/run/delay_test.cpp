#include "shmlab/run/delay.hpp"

#include <gtest/gtest.h>

#include "shmlab/usage_error.hpp"

namespace shmlab {
namespace {

TEST(DelaySpec, DefaultIsTheSeeds) {
  const DelaySpec sut = parse_delay_spec("0-50:0-30:10");
  EXPECT_EQ(sut, DelaySpec{});
  EXPECT_EQ(format_delay_spec(sut), "0-50:0-30:10");
}

TEST(DelaySpec, NoneMeansNoSleeps) {
  EXPECT_EQ(parse_delay_spec("none"), kNoDelay);
  EXPECT_EQ(format_delay_spec(kNoDelay), "none");
}

TEST(DelaySpec, FixedValuesAndFractionsParse) {
  const DelaySpec sut = parse_delay_spec("5:0.5-1.5:0");
  EXPECT_EQ(sut.before_read, (DelayRange{5000, 5000}));
  EXPECT_EQ(sut.window, (DelayRange{500, 1500}));
  EXPECT_EQ(sut.before_verify, (DelayRange{0, 0}));
}

TEST(DelaySpec, BadFormsAreUsageErrorsNamingTheOption) {
  for (const char* bad : {"", "1", "1:2", "1:2:3:4", "a:0:0", "5-1:0:0", "-1:0:0", "1::2", "1-:0:0",
                          "0:0:1e9", "nan:0:0", " 1:0:0", "0x10:0:0"}) {
    try {
      parse_delay_spec(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("--delay"), std::string::npos) << e.what();
    }
  }
}

TEST(DelaySampler, SameSeedAndWorkerDrawTheSameDelays) {
  DelaySampler a(42, 1);
  DelaySampler b(42, 1);
  DelaySampler other(42, 2);
  const DelayRange r{0, 50'000};
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const auto x = a.sample_ns(r);
    EXPECT_EQ(x, b.sample_ns(r));
    EXPECT_GE(x, 0);
    EXPECT_LE(x, 50'000'000);
    differs |= x != other.sample_ns(r);
  }
  EXPECT_TRUE(differs);
}

// A range with lo > hi never comes from parse_delay_spec, but a worker reads its ranges from shared
// memory: drawing from one must not be undefined behaviour (the distribution's precondition).
TEST(DelaySampler, InvertedRangeDrawsItsHighEnd) {
  DelaySampler sut(7, 0);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(sut.sample_ns(DelayRange{50'000, 10}), 10'000);
}

}  // namespace
}  // namespace shmlab
