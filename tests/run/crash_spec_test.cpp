#include "shmlab/run/crash_spec.hpp"

#include <gtest/gtest.h>

#include "shmlab/usage_error.hpp"

namespace shmlab {
namespace {

TEST(CrashSpec, ParsesWorkerPointAndOperation) {
  const CrashSpec sut = parse_crash_spec("2@locked:3");
  EXPECT_EQ(sut.worker, 2u);
  EXPECT_EQ(sut.point, CrashPoint::kLocked);
  EXPECT_EQ(sut.op, 3u);
  EXPECT_EQ(format_crash_spec(sut), "2@locked:3");
}

TEST(CrashSpec, OperationDefaultsToTheFirst) { EXPECT_EQ(parse_crash_spec("1@after-read").op, 1u); }

TEST(CrashSpec, EveryPointNameRoundTrips) {
  for (CrashPoint p : all_crash_points()) {
    const std::string text = "1@" + std::string(crash_point_name(p)) + ":1";
    EXPECT_EQ(parse_crash_spec(text).point, p) << text;
    EXPECT_EQ(format_crash_spec(parse_crash_spec(text)), text);
  }
}

TEST(CrashSpec, GarbageIsUsageErrorNamingTheOption) {
  for (const char* text :
       {"", "@", "1@", "x@locked", "1@locked:", "1@locked:x", "0@locked", "1@locked:0", "-1@locked",
        "1@locked:-1", "+1@locked", "1 @locked", "1@Locked", "1@locked:1:2", "2000@locked",
        "1@locked:1000000001", "99999999999999999999@locked"}) {
    try {
      parse_crash_spec(text);
      ADD_FAILURE() << "accepted '" << text << "'";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("--crash"), std::string::npos) << e.what();
    }
  }
}

TEST(CrashSpec, PointsFollowTheStrategysSteps) {
  RunParams p;
  p.workers = 3;
  p.increments = 5;
  p.strategy = Strategy::kNone;
  EXPECT_THROW(check_crash_spec(parse_crash_spec("1@locked"), p), UsageError);
  EXPECT_NO_THROW(check_crash_spec(parse_crash_spec("1@after-write"), p));
  p.strategy = Strategy::kMutex;
  for (CrashPoint point : all_crash_points()) {
    EXPECT_NO_THROW(check_crash_spec({1, point, 1}, p)) << crash_point_name(point);
  }
  p.strategy = Strategy::kAtomic;
  EXPECT_THROW(check_crash_spec(parse_crash_spec("1@after-read"), p), UsageError);
  EXPECT_NO_THROW(check_crash_spec(parse_crash_spec("1@after-write"), p));
}

TEST(CrashSpec, WorkerAndOperationMustExistInTheRun) {
  RunParams p;
  p.workers = 3;
  p.increments = 5;
  EXPECT_THROW(check_crash_spec(parse_crash_spec("4@after-read"), p), UsageError);
  EXPECT_THROW(check_crash_spec(parse_crash_spec("3@after-read:6"), p), UsageError);
  EXPECT_NO_THROW(check_crash_spec(parse_crash_spec("3@after-read:5"), p));
}

TEST(PauseSpec, ParsesWorkerPointAndMilliseconds) {
  const PauseSpec sut = parse_pause_spec("1@after-read:600");
  EXPECT_EQ(sut.worker, 1u);
  EXPECT_EQ(sut.point, CrashPoint::kAfterRead);
  EXPECT_EQ(sut.ms, 600u);
  EXPECT_EQ(format_pause_spec(sut), "1@after-read:600");
}

TEST(PauseSpec, GarbageIsUsageErrorNamingTheOption) {
  for (const char* text : {"", "1@locked", "1@locked:", "1@locked:0", "1@locked:x", "0@locked:5",
                           "1@Locked:5", "2000@locked:5", "1@locked:3600001", "1@locked:1:2"}) {
    try {
      parse_pause_spec(text);
      ADD_FAILURE() << "accepted '" << text << "'";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("--pause"), std::string::npos) << e.what();
    }
  }
}

TEST(PauseSpec, APointTheStrategyNeverPassesIsRefused) {
  RunParams p;
  p.workers = 2;
  p.strategy = Strategy::kNone;
  EXPECT_THROW(check_pause_spec(parse_pause_spec("1@locked:10"), p), UsageError);
  EXPECT_THROW(check_pause_spec(parse_pause_spec("3@after-read:10"), p), UsageError);
  EXPECT_NO_THROW(check_pause_spec(parse_pause_spec("2@after-read:10"), p));
}

}  // namespace
}  // namespace shmlab
