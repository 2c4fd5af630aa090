// align_up: the offsets and sizes of the blocks laid out in shared memory (control, bench and
// litmus blocks) round up to a cache line or a page.
#pragma once

#include <cstddef>

namespace shmlab::sys {

// The smallest multiple of `a` (> 0) that is >= n.
constexpr std::size_t align_up(std::size_t n, std::size_t a) { return (n + a - 1) / a * a; }

}  // namespace shmlab::sys
