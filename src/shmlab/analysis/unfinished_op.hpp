// What became of the operation a worker was in when it ended early (crashed, killed, stopped):
// its write is logged before it is made, so the log says whether it was begun, and the other
// writes and the final record say whether it landed. This is how a result names exactly which
// increments a dead worker completed.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "shmlab/run/run_record.hpp"

namespace shmlab {

enum class WriteFate {
  kNotMade,     // it died before its write (e.g. after-read): nothing of this operation remains
  kLanded,      // the write is in the data (or was, until a later write erased it)
  kRolledBack,  // a transaction's write that was never committed
  kUnknown,     // killed between logging the write and finishing it, and nothing read it since
};

struct UnfinishedOp {
  std::uint32_t worker = 0;  // 1-based
  std::uint64_t op = 0;      // 1-based: the operation it was in
  std::int64_t value_read = 0;
  std::int64_t value_written = 0;
  WriteFate fate = WriteFate::kNotMade;
  // False where the write is inferred from the total (atomic, sharded: no write log): the values
  // read and written are not known, and are printed as such, never as 0 → 0.
  bool values_known = true;
};

// One entry per worker that ended with ops < increments, when writes were logged.
std::vector<UnfinishedOp> unfinished_ops(const RunRecord& record);

std::string_view write_fate_name(WriteFate fate);

}  // namespace shmlab
