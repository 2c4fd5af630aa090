// Exact lost-update attribution from the data. Each write carries its own id into the record and
// logs the id of the record it read (based_on), so the writes form a tree rooted at the initial
// record. The final record's lineage (final → based_on → … → initial) is the chain of increments
// that survived; every completed write off that chain is a lost update — which ones, and how many,
// never depends on a clock. A lost write is credited as erased by the chain write that replaced
// it in the record: among the chain writes after its branch point (all built on a read that never
// saw it), the first one written after it; only this choice uses the write-log timestamps.
// Method, example and limits: docs/attribution.md.
#pragma once

#include <cstdint>
#include <span>
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

struct LostUpdate {
  WriteRef lost;           // the write whose increment vanished
  WriteRef erased_by;      // the surviving write that replaced its branch
  std::uint32_t cell = 0;  // the cell whose lineage lost it
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
