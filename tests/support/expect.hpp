// Assertions shared by the tests that run the real binary: its stdout is the result JSON, and a
// run leaves nothing behind in /dev/shm or its temp dir.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

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

// `shmlab COMMAND --help` exits 0 naming each of `items`, and the top-level help lists COMMAND;
// returns the top-level help for the caller's own checks (hidden internal commands).
inline std::string expect_help_lists(const std::string& command,
                                     std::initializer_list<const char*> items) {
  TempDir tmp;
  const Outcome o = run_shmlab({command, "--help"}, tmp, 20);
  EXPECT_EQ(o.exit_code, 0);
  for (const char* item : items) EXPECT_NE(o.out.find(item), std::string::npos) << item;
  const Outcome top = run_shmlab({"--help"}, tmp, 20);
  EXPECT_NE(top.out.find("\n  " + command + " "), std::string::npos) << top.out;
  return top.out;
}

}  // namespace shmlab::test
