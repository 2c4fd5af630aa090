#include "shmlab/sys/log.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <optional>
#include <string>

namespace shmlab {
namespace {

// Sets an environment variable for one test, restoring it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = ::getenv(name)) old_ = old;
    if (value == nullptr) {
      ::unsetenv(name);
    } else {
      ::setenv(name, value, 1);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(Log, AsciiSpellsEverySymbolShmlabPrints) {
  EXPECT_EQ(to_ascii("ℹ ✓ ⚠ ✗ ⚡ │ → » … × —"), "i + ! x !! | -> >> ... x -");
  EXPECT_EQ(to_ascii("plain text"), "plain text");
  EXPECT_EQ(to_ascii("café"), "caf?");  // an unknown character is one '?', not one per byte
}

TEST(Log, NonUtf8LocaleAsksForAscii) {
  const ScopedEnv all("LC_ALL", nullptr);
  const ScopedEnv ctype("LC_CTYPE", nullptr);
  {
    const ScopedEnv lang("LANG", "C");
    EXPECT_FALSE(locale_is_utf8());
  }
  {
    const ScopedEnv lang("LANG", "en_US.UTF-8");
    EXPECT_TRUE(locale_is_utf8());
    const ScopedEnv c("LC_ALL", "C");  // LC_ALL wins over LANG
    EXPECT_FALSE(locale_is_utf8());
  }
}

TEST(Log, CountsAgreeAndAreGroupedByThousands) {
  EXPECT_EQ(count_of(1, "worker", "workers"), "1 worker");
  EXPECT_EQ(count_of(0, "worker", "workers"), "0 workers");
  EXPECT_EQ(count_of(279940, "step line", "step lines"), "279,940 step lines");
  EXPECT_EQ(grouped(1000000000), "1,000,000,000");
  EXPECT_EQ(grouped(999), "999");
}

}  // namespace
}  // namespace shmlab
