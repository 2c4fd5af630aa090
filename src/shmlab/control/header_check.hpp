// The check of a control block's bytes before anything trusts them: magic, version, sizes and
// layout, the parameters' ranges, strings terminated, owner uid. Used by ControlBlock::attach,
// `shmlab clean` and the fuzzer; it reads only the bytes it is given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace shmlab {

// Returns "" when `size` bytes at `data` (aligned to 64) are a control block of user `uid`, else
// why not ("bad magic", "version 7 (this shmlab reads 1)", "truncated ...").
std::string control_header_problem(const void* data, std::size_t size, std::uint32_t uid);

}  // namespace shmlab
