#include "shmlab/region/record.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace shmlab {
namespace {

// FNV-1a over the record's fields: cheap, and a torn mix of two records fails it.
std::uint32_t check_value(const CounterRecord& r) {
  std::uint32_t h = 2166136261u;
  auto mix = [&h](std::uint64_t v) {
    for (int i = 0; i < 8; ++i) {
      h ^= static_cast<std::uint32_t>((v >> (8 * i)) & 0xff);
      h *= 16777619u;
    }
  };
  mix(static_cast<std::uint64_t>(r.counter));
  mix(r.last_writer);
  mix(static_cast<std::uint64_t>(r.timestamp_ms));
  mix(r.write_id);
  return h;
}

}  // namespace

RecordSlot encode_record(const CounterRecord& r) {
  RecordSlot slot;
  slot.fill(' ');
  const auto res =
      fmt::format_to_n(slot.begin(), slot.size() - 1,
                       R"({{"counter":{},"lastWriter":{},"timestamp":{},"writeId":{},"check":{}}})",
                       r.counter, r.last_writer, r.timestamp_ms, r.write_id, check_value(r));
  // Every field is bounded (64-bit integers), so the JSON always fits the slot.
  static_assert(kRecordSlotSize >= 11 + 20 + 14 + 10 + 13 + 20 + 11 + 20 + 9 + 10 + 1 + 1);
  (void)res;
  slot.back() = '\n';
  return slot;
}

std::optional<CounterRecord> decode_record(std::span<const char> slot) {
  if (slot.size() != kRecordSlotSize || slot.back() != '\n') return std::nullopt;
  const nlohmann::json j = nlohmann::json::parse(slot.begin(), slot.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  // Integers only: nlohmann converts a float such as 1.8e23 to an integer type with undefined
  // behaviour (found by fuzz/record_codec_fuzz).
  for (const char* key : {"counter", "lastWriter", "timestamp", "writeId", "check"}) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  }
  try {
    CounterRecord r;
    r.counter = j.at("counter").get<std::int64_t>();
    r.last_writer = j.at("lastWriter").get<std::uint32_t>();
    r.timestamp_ms = j.at("timestamp").get<std::int64_t>();
    r.write_id = j.at("writeId").get<std::uint64_t>();
    if (j.at("check").get<std::uint32_t>() != check_value(r)) return std::nullopt;
    return r;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace shmlab
