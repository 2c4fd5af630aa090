// libFuzzer target: the file backend's record slot. Any 160 bytes decode to a record or to
// nothing (never a crash); a decoded slot re-encodes to a slot that decodes the same; and any
// record (taken from the input's first 28 bytes) survives encode → decode exactly.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "shmlab/region/record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace shmlab;
  RecordSlot slot;
  slot.fill(' ');
  std::memcpy(slot.data(), data, size < slot.size() ? size : slot.size());
  if (size < slot.size()) slot.back() = '\n';  // short inputs: still a candidate slot
  if (const auto r = decode_record(slot)) {
    if (decode_record(encode_record(*r)) != r) std::abort();
  }
  if (size >= 28) {
    CounterRecord r;
    std::memcpy(&r.counter, data, 8);
    std::memcpy(&r.last_writer, data + 8, 4);
    std::memcpy(&r.timestamp_ms, data + 12, 8);
    std::memcpy(&r.write_id, data + 20, 8);
    if (decode_record(encode_record(r)) != r) std::abort();
  }
  return 0;
}
