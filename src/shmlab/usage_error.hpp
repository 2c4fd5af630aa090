// UsageError: the one error type for bad usage (an option's value, an impossible pair). Only the
// CLI turns it into exit 2; every other layer just throws it with a message naming the option.
#pragma once

#include <stdexcept>

namespace shmlab {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace shmlab
