// The outputs of `shmlab litmus`: a litmus7-style block per run (histogram with the marked
// outcome, witnesses, condition, verdict), a summary table of several runs, and the JSON document.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>

#include "shmlab/litmus/litmus_result.hpp"
#include "shmlab/litmus/verdict_table.hpp"

namespace shmlab::litmus {

// The marked outcome is forbidden on `arch` and was observed: the test, the compiler or the
// machine is wrong. Never true without a verdict table for the architecture.
bool forbidden_observed(const LitmusResult& r, std::optional<Arch> arch);

// "allowed on x86-TSO (AArch64: allowed), observed 12 times in 1000 iterations (1.2%)".
std::string verdict_line(const LitmusResult& r, std::optional<Arch> arch);
std::string litmus_text(const LitmusResult& r, std::optional<Arch> arch);
std::string litmus_summary(std::span<const LitmusResult> results, std::optional<Arch> arch);
nlohmann::json litmus_json(std::span<const LitmusResult> results, std::optional<Arch> arch,
                           int exit_code);

}  // namespace shmlab::litmus
