#include "shmlab/litmus/verdict_table.hpp"

#include <array>

namespace shmlab::litmus {
namespace {

using enum LitmusTest;
using enum AccessOrder;
constexpr Verdict kAllowed = Verdict::kAllowed;
constexpr Verdict kForbidden = Verdict::kForbidden;

// x86-TSO relaxes one thing only: a store waits in the store buffer while later loads of other
// locations go ahead (store→load). Stores leave the buffer in order, loads are not reordered with
// loads or later stores, and a store becomes visible to all other CPUs at once (multi-copy
// atomic). A locked instruction (xchg) or mfence drains the buffer. On x86 relaxed, acquire and
// release accesses all compile to plain mov; only the seq_cst store (xchg, or mov; mfence) and
// the fence (mfence) differ.
// AArch64 may reorder any two accesses to different locations unless a barrier, a release store
// (stlr), an acquire load (ldar/ldapr) or a dependency orders them; it is other-multi-copy
// atomic (since Armv8.0 was revised in 2017), so acquire loads are enough to forbid IRIW.
constexpr std::array<VerdictEntry, 20> kTable = {{
    {kSB, kRelaxed, kAllowed, kAllowed,
     "both stores can wait in store buffers while the loads read memory"},
    {kSB, kAcquireRelease, kAllowed, kAllowed,
     "release/acquire never orders a store before a later load: x86 emits plain movs; AArch64 "
     "with ldapr (Armv8.3 RCpc) allows it (ldar, what Armv8.0 code uses, happens to forbid it)"},
    {kSB, kSeqCst, kForbidden, kForbidden,
     "the seq_cst store drains the store buffer (xchg or mfence); stlr is ordered before ldar"},
    {kSB, kFence, kForbidden, kForbidden,
     "the full fence (mfence, dmb ish) drains the store before the load"},

    {kMP, kRelaxed, kForbidden, kAllowed,
     "x86 keeps store→store and load→load order (if the compiler keeps the order, which C++ "
     "does not promise for relaxed); AArch64 may reorder both pairs"},
    {kMP, kAcquireRelease, kForbidden, kForbidden,
     "the release store of the flag publishes the data; the acquire load of the flag comes first"},
    {kMP, kSeqCst, kForbidden, kForbidden, "seq_cst is at least release/acquire"},
    {kMP, kFence, kForbidden, kForbidden, "a full fence between the stores and between the loads"},

    {kLB, kRelaxed, kForbidden, kAllowed,
     "x86 never lets a store overtake an earlier load; AArch64 may (the model allows it, hardware "
     "rarely shows it)"},
    {kLB, kAcquireRelease, kForbidden, kForbidden,
     "the acquire load is ordered before the thread's later store"},
    {kLB, kSeqCst, kForbidden, kForbidden, "seq_cst is at least release/acquire"},
    {kLB, kFence, kForbidden, kForbidden, "a full fence between the load and the store"},

    {kIRIW, kRelaxed, kForbidden, kAllowed,
     "x86 keeps load→load order and its stores are multi-copy atomic; AArch64 may reorder each "
     "reader's two loads"},
    {kIRIW, kAcquireRelease, kForbidden, kForbidden,
     "x86 as relaxed; AArch64 acquire loads keep their order and it is other-multi-copy atomic "
     "(the C++ model still allows it: POWER shows it)"},
    {kIRIW, kSeqCst, kForbidden, kForbidden, "one total order of all seq_cst accesses"},
    {kIRIW, kFence, kForbidden, kForbidden, "a full fence between each reader's loads"},

    {k2Plus2W, kRelaxed, kForbidden, kAllowed,
     "x86 stores leave the store buffer in program order; AArch64 may reorder the two stores"},
    {k2Plus2W, kAcquireRelease, kForbidden, kForbidden,
     "the release store keeps the first store before it (stlr)"},
    {k2Plus2W, kSeqCst, kForbidden, kForbidden, "one total order of all seq_cst accesses"},
    {k2Plus2W, kFence, kForbidden, kForbidden, "a full fence between the two stores"},
}};

}  // namespace

std::span<const VerdictEntry> verdict_table() { return kTable; }

const VerdictEntry& verdict_entry(LitmusTest test, AccessOrder order) {
  for (const VerdictEntry& e : kTable) {
    if (e.test == test && e.order == order) return e;
  }
  return kTable[0];  // unreachable: the table has every pair (checked by its unit test)
}

Verdict verdict(LitmusTest test, AccessOrder order, Arch arch) {
  const VerdictEntry& e = verdict_entry(test, order);
  return arch == Arch::kX86Tso ? e.x86 : e.aarch64;
}

std::string_view arch_name(Arch arch) { return arch == Arch::kX86Tso ? "x86-TSO" : "AArch64"; }

std::string_view verdict_name(Verdict v) {
  return v == Verdict::kAllowed ? "allowed" : "forbidden";
}

std::optional<Arch> this_arch() {
#if defined(__x86_64__) || defined(__i386__)
  return Arch::kX86Tso;
#elif defined(__aarch64__)
  return Arch::kAArch64;
#else
  return std::nullopt;
#endif
}

}  // namespace shmlab::litmus
