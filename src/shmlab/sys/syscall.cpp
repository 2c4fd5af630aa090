#include "shmlab/sys/syscall.hpp"

#include <fmt/format.h>

namespace shmlab::sys {

void throw_errno(std::string_view call, int err) {
  throw std::system_error(err, std::generic_category(), std::string(call));
}

std::string call_name(std::string_view call, std::string_view arg) {
  return fmt::format("{}(\"{}\")", call, arg);
}

void throw_errno(const char* call, std::string_view arg, int err) {
  throw_errno(call_name(call, arg), err);
}

}  // namespace shmlab::sys
