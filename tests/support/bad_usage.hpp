// The table-driven check of bad usage shared by the commands' option tests: `shmlab COMMAND
// args...` exits 2 with a message naming the option, prints nothing on stdout and creates nothing.
// Each test file keeps its own table of cases (a TEST_P over BadArgs, named by bad_args_name).
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <ostream>
#include <string>
#include <vector>

#include "support/expect.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {

struct BadArgs {
  std::vector<std::string> args;
  std::string mentions;  // what the error message must contain (usually the option's name)
};

inline void PrintTo(const BadArgs& b, std::ostream* os) {
  for (const std::string& a : b.args) *os << "'" << a << "' ";
  *os << "-> " << b.mentions;
}

inline void expect_bad_usage(const std::string& command, const BadArgs& bad) {
  TempDir tmp;
  std::vector<std::string> args = {command};
  args.insert(args.end(), bad.args.begin(), bad.args.end());
  const Outcome o = run_shmlab(args, tmp, 20);
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_NE(o.err.find(bad.mentions), std::string::npos) << o.err;
  EXPECT_TRUE(o.out.empty()) << o.out;
  expect_nothing_left(o, tmp);
}

// "3__w_0": the case's index, then its arguments with every non-alphanumeric character as '_'.
inline std::string bad_args_name(const ::testing::TestParamInfo<BadArgs>& info) {
  std::string name = std::to_string(info.index);
  for (const std::string& a : info.param.args) {
    for (char c : a) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  }
  return name;
}

}  // namespace shmlab::test
