#include "shmlab/scenario/registry.hpp"

#include <array>

namespace shmlab {
namespace {

// One line per scenario, in the order of the Scenario enum.
const std::array<const ScenarioDef*, 3>& registry() {
  static const std::array<const ScenarioDef*, 3> all = {
      &counter_scenario(),
      &inventory_scenario(),
      &bank_scenario(),
  };
  return all;
}

}  // namespace

const ScenarioDef& scenario_of(Scenario id) { return *registry()[static_cast<std::size_t>(id)]; }

std::optional<Scenario> parse_scenario(std::string_view name) {
  for (const ScenarioDef* s : registry()) {
    if (s->name() == name) return s->id();
  }
  return std::nullopt;
}

std::span<const ScenarioDef* const> all_scenarios() { return registry(); }

std::string cell_name(const RunParams& p, std::uint32_t cell) {
  const std::vector<CellSpec> cells = scenario_of(p.scenario).cells(p);
  return cell < cells.size() ? cells[cell].name : std::to_string(cell);
}

}  // namespace shmlab
