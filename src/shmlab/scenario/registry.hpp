// The registry of scenarios: one line per scenario module (registry.cpp). Every layer that needs
// to know a scenario asks here, never by name.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "shmlab/scenario/scenario.hpp"

namespace shmlab {

const ScenarioDef& scenario_of(Scenario id);
std::optional<Scenario> parse_scenario(std::string_view name);
std::span<const ScenarioDef* const> all_scenarios();

// Each module's definition (its own file).
const ScenarioDef& counter_scenario();
const ScenarioDef& inventory_scenario();
const ScenarioDef& bank_scenario();

// The name of a scenario's cell i (its CellSpec's).
std::string cell_name(const RunParams& p, std::uint32_t cell);

}  // namespace shmlab
