#include "shmlab/control/header_check.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <vector>

#include "shmlab/control/control_block.hpp"
#include "support/control_bytes.hpp"

namespace shmlab {
namespace {

using Bytes = test::ControlBytes;
Bytes real_block() { return test::real_control_bytes(); }

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
      {"trace layout", [](Bytes& b) { b.header().trace_offset += 64; }},
      {"trace layout", [](Bytes& b) { b.header().trace_offset = 8; }},
      {"trace layout", [](Bytes& b) { b.header().trace_stride = 64; }},
      {"trace layout", [](Bytes& b) { b.header().trace_stride = ~0ULL & ~63ULL; }},
      {"trace layout", [](Bytes& b) { b.header().trace_offset = b.header().total_size; }},
      // A range the distribution cannot draw from (undefined behaviour in a worker), or too long.
      {"delay range 30000-10 us",
       [](Bytes& b) {
         b.header().params.delays.window = {30'000, 10};
       }},
      {"delay range", [](Bytes& b) { b.header().params.delays.before_verify.hi_us = ~0u; }},
      {"bad crash spec",
       [](Bytes& b) {
         b.header().params.crash = {1, CrashPoint::kLocked, b.header().params.increments + 1};
       }},
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
