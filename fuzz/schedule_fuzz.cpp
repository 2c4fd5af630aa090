// libFuzzer target: --schedule. Any text parses or throws UsageError; parsed tokens format to text
// that parses back to the same tokens.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "shmlab/schedule/schedule.hpp"
#include "shmlab/usage_error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const shmlab::ScheduleSpec spec = shmlab::parse_schedule_spec(text);
    if (!spec.random_seed &&
        shmlab::parse_schedule(shmlab::format_schedule(spec.tokens)) != spec.tokens) {
      std::abort();
    }
  } catch (const shmlab::UsageError&) {
  }
  return 0;
}
