// Process-shared futex wait/wake on a 32-bit atomic in shared memory.
// std::atomic::wait may use private futexes, which do not cross processes; these do.
#pragma once

#include <atomic>
#include <cstdint>

namespace shmlab::sys {

// Sleeps while *word == expected, at most timeout_ns (<0: no limit). Returns false on timeout.
// Spurious wake-ups return true; callers re-check their condition.
bool futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected, std::int64_t timeout_ns);
void futex_wake_all(std::atomic<std::uint32_t>& word);
void futex_wake_one(std::atomic<std::uint32_t>& word);

}  // namespace shmlab::sys
