// The bank's auditor (--auditor), as Jepsen's bank test has one: one more process that, while the
// workers run, reads every balance over and over under the strategy's own read discipline (the
// global lock, every account lock, a transaction, or plain reads) and counts the snapshots whose
// total is not the money the bank started with (read skew). It never blocks a worker for long and
// never joins a deadlock: per-account locks are tried, in order, and all released when one is busy.
#pragma once

#include "shmlab/control/control_block.hpp"

namespace shmlab {

// Runs in the auditor process until every worker has ended and it has taken one snapshot at least,
// or the run is aborted; the counts go to control.auditor_slot(). It counts itself in at the start
// barrier like a worker (the coordinator waits for it), so it watches from the first operation on.
// Returns the worker exit code.
int run_auditor(ControlBlock& control);

}  // namespace shmlab
