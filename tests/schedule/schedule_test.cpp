// The schedule parser and formatter (SPEC §3): what --schedule accepts, and the position named in
// every refusal.
#include "shmlab/schedule/schedule.hpp"

#include <gtest/gtest.h>

#include <string>

#include "shmlab/usage_error.hpp"

namespace shmlab {
namespace {

std::string error_of(std::string_view text) {
  try {
    parse_schedule(text);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(Schedule, ParsesWorkersAndLetters) {
  const auto sut = parse_schedule("1R 2R 1W 2W");
  const std::vector<ScheduleToken> expected = {
      {1, Step::kRead}, {2, Step::kRead}, {1, Step::kWrite}, {2, Step::kWrite}};
  EXPECT_EQ(sut, expected);
}

TEST(Schedule, AcceptsTokensWithoutLettersLowerCaseAndExtraSpace) {
  const auto sut = parse_schedule("  1  2l\t12v,3 ");
  const std::vector<ScheduleToken> expected = {
      {1, std::nullopt}, {2, Step::kLock}, {12, Step::kVerify}, {3, std::nullopt}};
  EXPECT_EQ(sut, expected);
}

TEST(Schedule, EveryLetterOfTheSpecParses) {
  const auto sut = parse_schedule("1L 1R 1W 1U 1A 1C 1V");
  ASSERT_EQ(sut.size(), 7u);
  EXPECT_EQ(format_schedule(sut), "1L 1R 1W 1U 1A 1C 1V");
}

TEST(Schedule, FormatRoundTrips) {
  const std::string text = "3 1R 2C 1024A";
  EXPECT_EQ(format_schedule(parse_schedule(text)), text);
}

TEST(Schedule, EmptyScheduleIsRefused) {
  EXPECT_NE(error_of("").find("empty"), std::string::npos);
  EXPECT_NE(error_of(" \t ").find("empty"), std::string::npos);
}

TEST(Schedule, BadTokensAreRefusedWithTheirPosition) {
  EXPECT_NE(error_of("1R R1").find("token 2 'R1'"), std::string::npos) << error_of("1R R1");
  EXPECT_NE(error_of("1R 2R 1X").find("token 3 '1X'"), std::string::npos);
  EXPECT_NE(error_of("0R").find("token 1 '0R'"), std::string::npos);
  EXPECT_NE(error_of("1025R").find("names no worker"), std::string::npos);
  EXPECT_NE(error_of("99999999999999999999R").find("names no worker"), std::string::npos);
  EXPECT_NE(error_of("1RW").find("token 1"), std::string::npos);
  EXPECT_NE(error_of("1-").find("token 1"), std::string::npos);
}

TEST(Schedule, ErrorsShowControlBytesAsQuestionMarks) {
  const std::string e = error_of(std::string("1\x01", 2));
  EXPECT_NE(e.find("'1?'"), std::string::npos) << e;
}

TEST(Schedule, RandomSpecCarriesItsSeed) {
  const ScheduleSpec sut = parse_schedule_spec("random:42");
  EXPECT_EQ(sut.random_seed, 42u);
  EXPECT_TRUE(sut.tokens.empty());
  EXPECT_EQ(parse_schedule_spec("random:18446744073709551615").random_seed,
            18446744073709551615ull);
}

TEST(Schedule, RandomSpecNeedsDigits) {
  EXPECT_THROW(parse_schedule_spec("random:"), UsageError);
  EXPECT_THROW(parse_schedule_spec("random:x"), UsageError);
  EXPECT_THROW(parse_schedule_spec("random:-1"), UsageError);
  EXPECT_THROW(parse_schedule_spec("random:1 2"), UsageError);
  EXPECT_THROW(parse_schedule_spec("random:18446744073709551616"), UsageError);
}

TEST(Schedule, ValidateRefusesWorkerBeyondTheRun) {
  try {
    validate_schedule(parse_schedule("1R 2R 3R"), 2, Strategy::kNone);
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("token 3 '3R' names worker 3"), std::string::npos)
        << e.what();
  }
}

TEST(Schedule, ValidateRefusesALetterTheStrategyDoesNotHave) {
  EXPECT_THROW(validate_schedule(parse_schedule("1L"), 2, Strategy::kNone), UsageError);
  EXPECT_THROW(validate_schedule(parse_schedule("1R"), 2, Strategy::kAtomic), UsageError);
  EXPECT_NO_THROW(validate_schedule(parse_schedule("1L 1R 1W 1U 1V"), 2, Strategy::kMutex));
  EXPECT_NO_THROW(validate_schedule(parse_schedule("1R 1C 1V 2"), 2, Strategy::kCas));
}

}  // namespace
}  // namespace shmlab
