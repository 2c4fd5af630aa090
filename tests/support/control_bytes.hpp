// A real control block's bytes, copied into 64-aligned storage a unit test may corrupt: what the
// header and trace-ring checks are given when they read a kept run.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <cstring>
#include <functional>
#include <vector>

#include "shmlab/control/control_block.hpp"

namespace shmlab::test {

struct alignas(64) Line {
  std::byte bytes[64];
};

struct ControlBytes {
  std::vector<Line> lines;
  std::size_t size = 0;
  void* data() { return lines.data(); }
  ControlHeader& header() { return *reinterpret_cast<ControlHeader*>(lines.data()); }
};

// Creates a control block of `workers` x `increments` (unlinked again before it returns), lets
// `fill` write into it as the workers would, and copies its bytes.
inline ControlBytes real_control_bytes(
    std::uint32_t workers = 2, std::uint64_t increments = 3,
    const std::function<void(ControlBlock&)>& fill = [](ControlBlock&) {}) {
  RunParams p;
  p.workers = workers;
  p.increments = increments;
  std::snprintf(p.run_id, sizeof p.run_id, "shmlab-test-cb-%d", ::getpid());
  ControlBlock block = ControlBlock::create(p);
  fill(block);
  ControlBytes b;
  b.size = ControlBlock::size_for(p);
  b.lines.resize((b.size + 63) / 64);
  std::memcpy(b.data(), &block.header(), b.size);
  return b;
}

}  // namespace shmlab::test
