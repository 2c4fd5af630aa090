// Names of the backends, as the CLI and the result JSON spell them.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "shmlab/control/params.hpp"

namespace shmlab {

std::string_view backend_name(Backend backend);
std::optional<Backend> parse_backend(std::string_view name);
std::span<const Backend> all_backends();

}  // namespace shmlab
