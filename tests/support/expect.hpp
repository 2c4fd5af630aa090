// Assertions shared by the tests that run the real binary: its stdout is the result JSON, and a
// run leaves nothing behind in /dev/shm or its temp dir.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/shmlab_process.hpp"

namespace shmlab::test {

inline nlohmann::json parse_result(const Outcome& o) {
  nlohmann::json j = nlohmann::json::parse(o.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "stdout is not JSON:\n" << o.out << "\nstderr:\n" << o.err;
  return j;
}

inline void expect_nothing_left(const Outcome& o, const TempDir& tmp) {
  const auto shm = shm_leftovers(o.pid);
  EXPECT_TRUE(shm.empty()) << "left in /dev/shm: " << shm.front();
  const auto files = tmp.entries();
  EXPECT_TRUE(files.empty()) << "left in TMPDIR: " << files.front();
}

}  // namespace shmlab::test
