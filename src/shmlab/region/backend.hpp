// Names of the backends (and of postgres' isolation levels), as the CLI and the result JSON spell
// them.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "shmlab/control/params.hpp"

namespace shmlab {

std::string_view backend_name(Backend backend);
std::optional<Backend> parse_backend(std::string_view name);
std::span<const Backend> all_backends();

// postgres `transaction` levels, as --isolation spells them: "read-committed"…
std::string_view isolation_name(Isolation isolation);
std::optional<Isolation> parse_isolation(std::string_view name);
// As SQL spells it: "READ COMMITTED"…
std::string_view isolation_sql(Isolation isolation);

}  // namespace shmlab
