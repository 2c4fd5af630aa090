#include "shmlab/region/record.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace shmlab {
namespace {

TEST(RecordCodec, RoundTripsEveryField) {
  const CounterRecord sut{42, 3, 1732690000123, 77};
  const RecordSlot slot = encode_record(sut);
  const auto decoded = decode_record(slot);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, sut);
}

TEST(RecordCodec, SlotIsSeedJsonPaddedToFixedSize) {
  const RecordSlot slot = encode_record({0, 0, 5, 0});
  const std::string text(slot.begin(), slot.end());
  EXPECT_EQ(text.size(), kRecordSlotSize);
  EXPECT_EQ(text.rfind(R"({"counter":0,"lastWriter":0,"timestamp":5,)", 0), 0u) << text;
  EXPECT_EQ(text.back(), '\n');
}

TEST(RecordCodec, ExtremeValuesFitTheSlot) {
  const CounterRecord sut{INT64_MIN, UINT32_MAX, INT64_MIN, UINT64_MAX};
  EXPECT_EQ(decode_record(encode_record(sut)), sut);
}

TEST(RecordCodec, TornMixOfTwoRecordsIsRejected) {
  // What a reader sees when a pwrite of the second record was half-copied over the first.
  const RecordSlot a = encode_record({9, 1, 1732690000000, 10});
  const RecordSlot b = encode_record({10, 2, 1732690000999, 11});
  RecordSlot torn = a;
  std::memcpy(torn.data(), b.data(), 20);
  EXPECT_FALSE(decode_record(torn).has_value());
}

TEST(RecordCodec, ChangedValueFailsTheCheck) {
  RecordSlot slot = encode_record({12, 1, 1000, 3});
  std::string text(slot.begin(), slot.end());
  text.replace(text.find("12"), 2, "13");
  std::memcpy(slot.data(), text.data(), slot.size());
  EXPECT_FALSE(decode_record(slot).has_value());
}

TEST(RecordCodec, EmptyGarbageAndWrongSizeAreRejected) {
  RecordSlot zeros{};
  EXPECT_FALSE(decode_record(zeros).has_value());
  RecordSlot spaces;
  spaces.fill(' ');
  spaces.back() = '\n';
  EXPECT_FALSE(decode_record(spaces).has_value());
  const RecordSlot good = encode_record({1, 1, 1, 1});
  EXPECT_FALSE(decode_record(std::span(good.data(), good.size() - 1)).has_value());
  std::string wrong_type(R"({"counter":"x","lastWriter":1,"timestamp":1,"writeId":1,"check":1})");
  wrong_type.resize(kRecordSlotSize - 1, ' ');
  wrong_type.push_back('\n');
  EXPECT_FALSE(decode_record(std::span(wrong_type.data(), wrong_type.size())).has_value());
}

}  // namespace
}  // namespace shmlab
