// AccessOrder: which std::memory_order a litmus test's accesses use (`--order`), and the access
// policies that spell each one out for the test bodies (litmus_body.hpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace shmlab::litmus {

enum class AccessOrder : std::uint8_t {
  kRelaxed,         // relaxed loads and stores
  kAcquireRelease,  // release stores, acquire loads
  kSeqCst,          // sequentially consistent loads and stores
  kFence,           // relaxed loads and stores, a seq_cst fence between a thread's two accesses
};

std::span<const AccessOrder> all_access_orders();
std::string_view access_order_name(AccessOrder order);  // "relaxed", "acquire-release", ...
// Accepts the names above and the spellings acq_rel, acq-rel, seq-cst.
std::optional<AccessOrder> parse_access_order(std::string_view name);

// The policies. Each litmus thread stores with kStore, loads with kLoad and calls between()
// between its two accesses; the comments say what x86-64 and AArch64 compilers emit.

// Nothing orders the accesses: mov / str, ldr. The compiler may reorder them too.
struct RelaxedAccesses {
  static constexpr std::memory_order kStore = std::memory_order_relaxed;
  static constexpr std::memory_order kLoad = std::memory_order_relaxed;
  static void between() {}
};

// Release stores and acquire loads: mov / stlr, ldar (ldapr with RCpc). A release store keeps the
// accesses before it before it; an acquire load keeps the accesses after it after it; nothing
// keeps a store before a later load.
struct AcquireReleaseAccesses {
  static constexpr std::memory_order kStore = std::memory_order_release;
  static constexpr std::memory_order kLoad = std::memory_order_acquire;
  static void between() {}
};

// Sequentially consistent: xchg (or mov; mfence), mov / stlr, ldar. One total order of all of them.
struct SeqCstAccesses {
  static constexpr std::memory_order kStore = std::memory_order_seq_cst;
  static constexpr std::memory_order kLoad = std::memory_order_seq_cst;
  static void between() {}
};

// Relaxed accesses with a full fence between them: mfence / dmb ish. The fence drains the store
// buffer before the second access, whatever the two accesses are.
struct FencedAccesses {
  static constexpr std::memory_order kStore = std::memory_order_relaxed;
  static constexpr std::memory_order kLoad = std::memory_order_relaxed;
  static void between() { std::atomic_thread_fence(std::memory_order_seq_cst); }
};

}  // namespace shmlab::litmus
