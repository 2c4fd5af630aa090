// litmus_worker_main: one thread of a litmus test, as its own process (`shmlab litmus-worker`).
// It attaches the run's LitmusBlock by name, pins itself to its CPU if it has one, and runs the
// batches the coordinator hands it until told to stop.
#pragma once

#include <cstdint>
#include <string>

namespace shmlab::litmus {

inline constexpr int kLitmusWorkerOk = 0;
inline constexpr int kLitmusWorkerFailed = 1;  // message in the header's error slot or on stderr

int litmus_worker_main(const std::string& block_name, std::uint32_t thread);

}  // namespace shmlab::litmus
