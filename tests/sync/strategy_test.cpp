#include "shmlab/sync/strategy.hpp"

#include <gtest/gtest.h>

#include "shmlab/region/backend.hpp"

namespace shmlab {
namespace {

TEST(StrategyTable, NamesRoundTrip) {
  for (const StrategyInfo& s : all_strategies()) {
    EXPECT_EQ(parse_strategy(s.name), s.id);
    EXPECT_EQ(strategy_name(s.id), s.name);
  }
  EXPECT_FALSE(parse_strategy("Mutex").has_value());
}

TEST(StrategyTable, ImpossiblePairsAreRefused) {
  EXPECT_FALSE(fits(Strategy::kAtomic, Backend::kFile));
  EXPECT_FALSE(fits(Strategy::kCas, Backend::kFile));
  EXPECT_FALSE(fits(Strategy::kTransaction, Backend::kShm));
  EXPECT_TRUE(fits(Strategy::kTransaction, Backend::kSqlite));
  EXPECT_TRUE(fits(Strategy::kNone, Backend::kFile));
}

TEST(StrategyTable, OnlyWritesThatCarryTheirIdAreAttributable) {
  EXPECT_TRUE(attributable(Strategy::kNone));
  EXPECT_TRUE(attributable(Strategy::kMutex));
  EXPECT_TRUE(attributable(Strategy::kCas));
  EXPECT_TRUE(attributable(Strategy::kTransaction));
  EXPECT_FALSE(attributable(Strategy::kAtomic));
  EXPECT_FALSE(attributable(Strategy::kSharded));
}

TEST(StrategyTable, EveryStrategyFitsSomeBackendAndSaysWhich) {
  for (const StrategyInfo& s : all_strategies()) {
    const auto backends = backends_for(s.id);
    ASSERT_FALSE(backends.empty()) << s.name;
    const std::string msg = fitting_backends_message(s.id);
    for (Backend b : backends) EXPECT_NE(msg.find(backend_name(b)), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace shmlab
