// The command line that replays a run the OS scheduled (analysis/observed_schedule.hpp): the
// options that decide its outcome, in a form a shell accepts, for the log, JSON, HTML and trace.
#pragma once

#include <string>
#include <string_view>

#include "shmlab/analysis/result.hpp"
#include "shmlab/pg/connection.hpp"

namespace shmlab {

// Schedules longer than this are given in JSON only, not printed in the log.
inline constexpr std::size_t kMaxPrintedTokens = 400;

// "shmlab run -w 3 -n 5 --backend file --strategy none --schedule \"2R 1R …\"" for a captured
// schedule; empty when r.observed has none.
std::string replay_command(const RunResult& r);

// "shmlab run -w 3 -n 5 [--initial N | --scenario … its options] --backend B --strategy S
// [postgres: --dsn '…' | --hosts N [--partition …]; --isolation L] [--lease …] [--pause …]": the
// options that decide what the run `r` does, before the ones that decide its order. A --dsn is
// given without its password (libpq then reads PGPASSWORD or ~/.pgpass).
std::string run_command_prefix(const RunRecord& r);

// The same command for the run `r` with the schedule `schedule` ("1R 2R 1W 2W").
std::string schedule_command(const RunRecord& r, const std::string& schedule);

// pg/connection.hpp's, which the replay line's --dsn goes through.
using pg::dsn_without_password;

// The line that ends a run without --schedule: "Replay this interleaving: …", or why there is none.
std::string replay_line(const RunResult& r);

}  // namespace shmlab
