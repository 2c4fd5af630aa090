// libFuzzer target: --delay SPEC. Any text either parses or throws UsageError; a parsed spec
// formats to text that parses again.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "shmlab/run/delay.hpp"
#include "shmlab/usage_error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const shmlab::DelaySpec spec = shmlab::parse_delay_spec(text);
    (void)shmlab::parse_delay_spec(shmlab::format_delay_spec(spec));
  } catch (const shmlab::UsageError&) {
  }
  return 0;
}
