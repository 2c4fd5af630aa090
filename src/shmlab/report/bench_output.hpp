// The outputs of `shmlab bench`: the terminal table, the JSON document (`results` and `peers`,
// same units) and the CSV file. Numbers in JSON and CSV are raw (ops/s, ns); the table rounds.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "shmlab/analysis/bench_result.hpp"

namespace shmlab {

// The table lists this many failed measurements, then a count of the rest.
inline constexpr std::size_t kBenchFailuresShown = 20;

std::string bench_table(const BenchResult& result);
nlohmann::json bench_json(const BenchResult& result);
std::string bench_csv(const BenchResult& result);

// "12.3M", "456k", "789" — for the table and the chart.
std::string human_rate(double per_s);
// "23.4 ns", "1.25 µs", "3.10 ms".
std::string human_ns(double ns);

}  // namespace shmlab
