#include "shmlab/control/header_check.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <vector>

#include "shmlab/control/control_block.hpp"

namespace shmlab {
namespace {

// A real control block's bytes, copied into 64-aligned storage the test may corrupt.
struct alignas(64) Line {
  std::byte bytes[64];
};
struct Bytes {
  std::vector<Line> lines;
  std::size_t size = 0;
  void* data() { return lines.data(); }
  ControlHeader& header() { return *reinterpret_cast<ControlHeader*>(lines.data()); }
};

Bytes real_block() {
  RunParams p;
  p.workers = 2;
  p.increments = 3;
  std::snprintf(p.run_id, sizeof p.run_id, "shmlab-test-hc-%d", ::getpid());
  ControlBlock block = ControlBlock::create(p);
  Bytes b;
  b.size = ControlBlock::size_for(p);
  b.lines.resize((b.size + 63) / 64);
  std::memcpy(b.data(), &block.header(), b.size);
  return b;
}

TEST(HeaderCheck, RealBlockPasses) {
  Bytes b = real_block();
  EXPECT_EQ(control_header_problem(b.data(), b.size, ::getuid()), "");
}

TEST(HeaderCheck, EachCorruptionIsNamed) {
  struct Case {
    const char* says;
    void (*corrupt)(Bytes&);
  };
  const Case cases[] = {
      {"bad magic", [](Bytes& b) { b.header().magic ^= 1; }},
      {"version 9", [](Bytes& b) { b.header().version = 9; }},
      {"header size", [](Bytes& b) { b.header().header_size = 8; }},
      {"wrong size", [](Bytes& b) { b.header().total_size += 4096; }},
      {"0 workers", [](Bytes& b) { b.header().params.workers = 0; }},
      {"increments", [](Bytes& b) { b.header().params.increments = ~0ULL; }},
      {"unknown strategy", [](Bytes& b) { b.header().params.strategy = Strategy{200}; }},
      {"unterminated", [](Bytes& b) { std::memset(b.header().params.run_id, 'a', 32); }},
      {"offsets", [](Bytes& b) { b.header().write_log_offset = 8; }},
      {"owned by uid", [](Bytes& b) { b.header().owner_uid += 1; }},
  };
  for (const Case& c : cases) {
    Bytes b = real_block();
    c.corrupt(b);
    const std::string why = control_header_problem(b.data(), b.size, ::getuid());
    EXPECT_NE(why.find(c.says), std::string::npos) << c.says << " -> " << why;
  }
}

TEST(HeaderCheck, ShortInputIsTruncatedNotRead) {
  Bytes b = real_block();
  EXPECT_NE(control_header_problem(b.data(), 10, ::getuid()).find("truncated"), std::string::npos);
  EXPECT_NE(control_header_problem(b.data(), 0, ::getuid()).find("truncated"), std::string::npos);
}

}  // namespace
}  // namespace shmlab
