// The verdict table: for each litmus test and access order, whether the memory model of an
// architecture allows the test's marked outcome for the code compilers emit (x86-TSO, the model of
// x86-64; AArch64 shown for reference). Data in one place, each entry with why it holds.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "shmlab/litmus/access_order.hpp"
#include "shmlab/litmus/litmus_test.hpp"

namespace shmlab::litmus {

enum class Arch : std::uint8_t { kX86Tso, kAArch64 };
enum class Verdict : std::uint8_t { kAllowed, kForbidden };

struct VerdictEntry {
  LitmusTest test;
  AccessOrder order;
  Verdict x86;
  Verdict aarch64;
  std::string_view why;  // one line on why the entries hold
};

std::span<const VerdictEntry> verdict_table();
const VerdictEntry& verdict_entry(LitmusTest test, AccessOrder order);
Verdict verdict(LitmusTest test, AccessOrder order, Arch arch);
std::string_view arch_name(Arch arch);     // "x86-TSO", "AArch64"
std::string_view verdict_name(Verdict v);  // "allowed", "forbidden"
// The architecture shmlab was compiled for; nullopt where the table has no column for it.
std::optional<Arch> this_arch();

}  // namespace shmlab::litmus
