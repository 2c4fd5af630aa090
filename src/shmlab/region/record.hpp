// CounterRecord: the seed's shared record {"counter","lastWriter","timestamp"}, plus the identity
// of the write that produced it, so that every lost update can be attributed exactly.
// The file codec lays it out as a fixed-size JSON slot that carries its own check value: a slot
// read while another process was writing it (a torn read) is detected, never parsed as data.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace shmlab {

struct CounterRecord {
  std::int64_t counter = 0;
  std::uint32_t last_writer = 0;  // 1-based worker number; 0: the coordinator's initial record
  std::int64_t timestamp_ms = 0;  // wall clock of the write
  std::uint64_t write_id = 0;     // see write_id() in control_block.hpp; 0: initial record
  bool operator==(const CounterRecord&) const = default;
};

// The fixed size of a record slot in the file backend: every read and write is one
// pread/pwrite of exactly this many bytes at offset 0.
inline constexpr std::size_t kRecordSlotSize = 160;
using RecordSlot = std::array<char, kRecordSlotSize>;

// Encodes as JSON padded with spaces to the slot size, ending in '\n'.
RecordSlot encode_record(const CounterRecord& record);
// Decodes a slot; nullopt when it is torn or garbled (bad JSON, missing field, check mismatch).
std::optional<CounterRecord> decode_record(std::span<const char> slot);

}  // namespace shmlab
