// Bad usage: exit 2, a message naming the option, and nothing created.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/bad_usage.hpp"
#include "support/expect.hpp"
#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

class BadOptions : public ::testing::TestWithParam<BadArgs> {};

TEST_P(BadOptions, ExitTwoNamingTheOptionAndCreateNothing) { expect_bad_usage("run", GetParam()); }

INSTANTIATE_TEST_SUITE_P(
    RunCli, BadOptions,
    ::testing::Values(
        BadArgs{{"-w", "0"}, "--workers"}, BadArgs{{"-w", "1025"}, "--workers"},
        BadArgs{{"-w", "abc"}, "--workers"}, BadArgs{{"-w", ""}, "--workers"},
        BadArgs{{"-w", "-3"}, "--workers"}, BadArgs{{"-w", "2.5"}, "--workers"},
        BadArgs{{"-n", "0"}, "--increments"}, BadArgs{{"-n", "1000000001"}, "--increments"},
        BadArgs{{"-n", "99999999999999999999999"}, "--increments"},
        BadArgs{{"--backend", "disk"}, "--backend"}, BadArgs{{"--strategy", "lock"}, "--strategy"},
        BadArgs{{"--scenario", "dice"}, "--scenario"}, BadArgs{{"--delay", "5-1:0:0"}, "--delay"},
        BadArgs{{"--delay", "x"}, "--delay"}, BadArgs{{"--delay", ""}, "--delay"},
        BadArgs{{"--timeout", "0"}, "--timeout"}, BadArgs{{"--seed", "-1"}, "--seed"},
        BadArgs{{"--strategy", "atomic", "--backend", "file"}, "mmap, shm, sqlite"},
        BadArgs{{"--strategy", "transaction"}, "sqlite"}, BadArgs{{"--bogus"}, "--bogus"},
        // Garbage, empty, huge, negative, not-a-number values of every option.
        BadArgs{{"--timeout", "-1"}, "--timeout"}, BadArgs{{"--timeout", "abc"}, "--timeout"},
        BadArgs{{"--timeout", ""}, "--timeout"}, BadArgs{{"--timeout", "1e99"}, "--timeout"},
        BadArgs{{"--timeout", "nan"}, "--timeout"}, BadArgs{{"--timeout", "inf"}, "--timeout"},
        BadArgs{{"--seed", ""}, "--seed"}, BadArgs{{"--seed", "99999999999999999999999"}, "--seed"},
        BadArgs{{"--seed", "0x10"}, "--seed"}, BadArgs{{"-n", "-1"}, "--increments"},
        BadArgs{{"-n", ""}, "--increments"}, BadArgs{{"-w", "99999999999999999999"}, "--workers"},
        BadArgs{{"--delay", "-5:0:0"}, "--delay"}, BadArgs{{"--delay", "1e308:0:0"}, "--delay"},
        BadArgs{{"--delay", "nan:0:0"}, "--delay"}, BadArgs{{"--delay", "1:2"}, "--delay"},
        BadArgs{{"--delay", "::"}, "--delay"}, BadArgs{{"--backend", ""}, "--backend"},
        BadArgs{{"--strategy", ""}, "--strategy"}, BadArgs{{"--scenario", ""}, "--scenario"},
        BadArgs{{"--crash", ""}, "--crash"}, BadArgs{{"--crash", "1@x"}, "--crash"},
        BadArgs{{"--crash", "-1@locked:-1"}, "--crash"},
        BadArgs{{"--crash", "1@after-read:99999999999999999999"}, "--crash"}),
    bad_args_name);

TEST(RunCli, UnwritableTempDirIsAnEnvironmentFailure) {
  // run_shmlab points TMPDIR at the TempDir; remove it so the run meets a missing directory.
  TempDir other;
  std::filesystem::remove_all(other.path());
  const Outcome o = run_shmlab({"run", "-w", "1", "-n", "1", "--delay", "none"}, other, 20);
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_NE(o.err.find(other.path()), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("No such file or directory"), std::string::npos) << o.err;
  EXPECT_TRUE(shm_leftovers(o.pid).empty());
  std::filesystem::create_directory(other.path());  // for TempDir's own cleanup
}

TEST(Cli, HelpListsRunOptionsWithExamples) {
  const std::string top =
      expect_help_lists("run", {"--workers", "--increments", "--backend", "--strategy", "--delay",
                                "--seed", "--json", "--keep", "--timeout", "Examples"});
  EXPECT_EQ(top.find("\n  worker"), std::string::npos) << "the internal worker command is hidden";
}

TEST(Cli, VersionPrints) {
  TempDir tmp;
  const Outcome o = run_shmlab({"--version"}, tmp, 20);
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_NE(o.out.find("shmlab "), std::string::npos);
}

}  // namespace
}  // namespace shmlab::test
