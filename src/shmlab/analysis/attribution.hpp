// Exact lost-update attribution from the data. Each write carries its own id into the record and
// logs the id of the record it read (based_on), so the writes form a tree rooted at the initial
// record. The final record's lineage (final → based_on → … → initial) is the chain of increments
// that survived; every completed write off that chain is a lost update — which ones, and how many,
// never depends on a clock. A lost write is credited as erased by the chain write that replaced
// it in the record: the first chain write after it in the cell's write order. That order is exact
// where each write said what it replaced (an exchange returns the record it replaced); where it
// could not (file: pwrite), stamps before and after each write order them, and two writes whose
// intervals overlap are said to be of unknown order (EraserEvidence::kAmbiguous), never guessed.
// Method, example and limits: docs/attribution.md.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "shmlab/control/control_block.hpp"

namespace shmlab {

struct WriteRef {
  std::uint32_t worker = 0;  // 1-based
  std::uint64_t op = 0;      // 1-based
  std::uint64_t id = 0;
  std::uint64_t based_on = 0;  // id of the write whose record it read (0: the initial record)
  std::uint32_t based_on_worker = 0;  // that write's worker (0: the initial record)
  std::int64_t value_read = 0;
  std::int64_t value_written = 0;
};

// How the eraser of a lost write is known (docs/attribution.md).
enum class EraserEvidence {
  kExchange,   // the writes said what they replaced (mmap/shm exchange, sqlite UPDATE, a swap)
  kStamps,     // stamps before and after each write prove the order (file)
  kAmbiguous,  // the lost write and erased_by overlapped: erased_by, or a later chain write
};
std::string_view evidence_name(EraserEvidence e);

struct LostUpdate {
  WriteRef lost;           // the write whose increment vanished
  WriteRef erased_by;      // the surviving write that replaced its branch
  std::uint32_t cell = 0;  // the cell whose lineage lost it
  EraserEvidence evidence = EraserEvidence::kExchange;
};

struct Attribution {
  std::vector<LostUpdate> lost;    // in the order the lost writes were made
  std::uint64_t chain_length = 0;  // writes on the final lineage
  bool consistent = true;          // false: the lineage broke (a write id not in any log)
};

// `logs[w]` is worker w's write log (entry op = its op-th write, t_write_ns == 0: not written),
// `increments` the N of write ids, `final_id` the id in the final record.
Attribution attribute(std::span<const std::vector<WriteEntry>> logs, std::uint64_t increments,
                      std::uint64_t final_id);

// Per cell, for scenarios of several cells or several writes per operation: `logs[w]` holds
// `per_op` entries per operation, each naming its cell; cell c's lineage ends at final_ids[c].
// A lost write is a write missing from its own cell's final lineage.
Attribution attribute_cells(std::span<const std::vector<WriteEntry>> logs, std::uint64_t increments,
                            std::uint32_t per_op, std::span<const std::uint64_t> final_ids);

}  // namespace shmlab
