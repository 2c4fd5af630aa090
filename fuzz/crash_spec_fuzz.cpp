// libFuzzer target: --crash W@POINT[:K]. Any text either parses or throws UsageError; a parsed spec
// round-trips through its formatted form unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "shmlab/run/crash_spec.hpp"
#include "shmlab/usage_error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const shmlab::CrashSpec spec = shmlab::parse_crash_spec(text);
    const shmlab::CrashSpec again = shmlab::parse_crash_spec(shmlab::format_crash_spec(spec));
    if (again.worker != spec.worker || again.point != spec.point || again.op != spec.op)
      std::abort();
  } catch (const shmlab::UsageError&) {
  }
  return 0;
}
