// explore (SPEC §2): runs interleavings of a scenario on real processes — every one when there are
// at most `limit`, otherwise a search — and reports the histogram of final values and the extreme
// ones, each with a witness schedule replayed on real processes before it is reported.
// How: docs/schedules.md. The step model (step_model.hpp) counts and searches; processes decide.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "shmlab/run/coordinator.hpp"

namespace shmlab {

enum class ExploreGoal { kBoth, kMin, kMax };

struct ExploreOptions {
  CoordinatorOptions run;  // workers, increments, strategy, backend, binary, temp dir
  // Run every interleaving when there are at most this many. None: when they fit in about
  // limit_budget_s at the rate measured on the first of them (docs/explore.md).
  std::optional<std::uint64_t> limit;
  double limit_budget_s = 60;
  ExploreGoal goal = ExploreGoal::kBoth;   // which extreme a sampling search works for
  std::uint64_t samples = 100;             // search: random interleavings run for the histogram
  std::uint64_t seed = 1;                  // of those samples and of a sampling search
  std::size_t max_model_states = 500'000;  // above it the model is sampled, not solved
  std::uint64_t model_draws = 200'000;     // a sampling search's draws on the model
  // Every interleaving on new worker processes (the mode before the pool, issue 16); otherwise
  // one pool of processes runs them all (explore/worker_pool.hpp). Witnesses are replayed on new
  // processes either way.
  bool fresh_processes = false;
  // --reduce: one interleaving per class of interleavings that differ only in the order of steps
  // that do not conflict (partial-order reduction); the histogram then counts classes.
  bool reduce = false;
  // Called now and then: what is running, how far, out of how many.
  std::function<void(std::string_view what, std::uint64_t done, std::uint64_t total)> progress;
};

struct Witness {
  std::int64_t final_value = 0;  // what the search found (or the run that found it)
  std::string schedule;
  std::int64_t replayed = 0;  // the final value of its replay on real processes
  bool confirmed = false;     // replayed == final_value
};

struct ExploreResult {
  std::int64_t expected = 0;
  std::optional<std::uint64_t> total;  // interleavings in all, when the model could count them
  // --reduce, when every class ran: how many classes (the histogram counts classes, not schedules)
  std::optional<std::uint64_t> classes;
  std::uint64_t interleavings = 0;  // run on real processes for the histogram
  bool exhaustive = false;
  std::string method;           // how min and max were found
  bool extremes_exact = false;  // min and max are proven (exhaustive, or solved on the model)
  std::map<std::int64_t, std::uint64_t> histogram;  // completed interleavings, by outcome
  // Interleavings that deadlocked (account-locks): their own bucket, not an outcome measure.
  std::uint64_t deadlocks = 0;
  // The shortest schedule that deadlocks, replayed: `confirmed` when the real run deadlocked.
  std::optional<Witness> shortest_deadlock;
  std::optional<Witness> min;
  std::optional<Witness> max;
  std::optional<Witness> shortest_losing;  // none: no interleaving loses an update (if exact)
  // real final != the model's, or (server transactions) real retries != the model's aborts;
  // should stay 0
  std::uint64_t model_mismatches = 0;
  // postgres transactions of the server (StepModel::server_transactions()): of the histogram's
  // interleavings, those in which the server aborted a transaction (40001, rolled back and
  // retried), and the retries in all, as the real workers counted them.
  bool server_transactions = false;
  std::uint64_t aborted_interleavings = 0;
  std::uint64_t retries = 0;
  std::uint64_t replays = 0;      // witness replays, not in `interleavings`
  bool pooled = false;            // the interleavings ran on a pool of processes
  std::uint64_t pool_starts = 0;  // pools started (more than 1: a worker died or stuck)
  // Interleavings the pool gave up (a worker died or got stuck) and that were run again on new
  // processes, and why the first one was given up.
  std::uint64_t pool_reruns = 0;
  std::string pool_failure;
  std::int64_t elapsed_ns = 0;
  // Of it, running the histogram's interleavings (pool start-up included, witness replays and
  // model solving not): interleavings / this is explore's rate.
  std::int64_t histogram_ns = 0;
  // The limit that decided exhaustive or search: as given, or the measured rate x the budget (0:
  // not measured, the model could not count them or there were far too many).
  std::uint64_t limit = 0;
  bool limit_measured = false;
  // Time spent on the first interleavings of an exhaustive run given up for a search, because at
  // the measured rate they would not all have fit in the budget.
  std::int64_t abandoned_ns = 0;
};

// A real run of the exploration did not complete (a worker crashed, the watchdog fired, the
// workers refused a schedule the model produced).
class ExploreFault : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// SIGINT/SIGTERM reached a run; everything of it was cleaned up.
struct ExploreInterrupted {
  int signal = 0;
};

// What run_real and the model give for an interleaving that deadlocked: it has no outcome
// measure, and is counted in ExploreResult::deadlocks.
inline constexpr std::int64_t kDeadlockOutcome = std::numeric_limits<std::int64_t>::min();

ExploreResult explore(const ExploreOptions& options);

}  // namespace shmlab
