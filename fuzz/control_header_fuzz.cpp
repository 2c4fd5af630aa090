// libFuzzer target: the control block header check, then each worker's trace ring as `inspect`
// reads it. Any bytes, of any size, are judged without reading past them or crashing; what passes
// is laid out as the header says, and a ring never yields more events than it can hold.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "shmlab/control/control_block.hpp"
#include "shmlab/control/header_check.hpp"
#include "shmlab/control/trace_ring_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Shared memory is page-aligned; give the check the alignment it may rely on. The check must
  // look at no byte past `size` (it bounds itself before it reads a field).
  struct alignas(64) Line {
    std::byte bytes[64];
  };
  std::vector<Line> buf((size + 63) / 64 + 1);
  std::memcpy(buf.data(), data, size);
  const std::string why = shmlab::control_header_problem(buf.data(), size, 0);
  if (why.empty()) {
    const auto* h = reinterpret_cast<const shmlab::ControlHeader*>(buf.data());
    if (h->total_size != size || shmlab::ControlBlock::size_for(h->params) != size) std::abort();
    for (std::uint32_t i = 0; i < h->params.workers; ++i) {
      const shmlab::TraceRingView ring = shmlab::read_trace_ring(buf.data(), size, i);
      if (ring.held.size() > ring.capacity || (!ring.problem.empty() && !ring.held.empty()))
        std::abort();
    }
  }
  return 0;
}
