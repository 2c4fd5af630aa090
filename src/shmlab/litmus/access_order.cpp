#include "shmlab/litmus/access_order.hpp"

#include <array>

namespace shmlab::litmus {

std::span<const AccessOrder> all_access_orders() {
  static constexpr std::array kAll = {AccessOrder::kRelaxed, AccessOrder::kAcquireRelease,
                                      AccessOrder::kSeqCst, AccessOrder::kFence};
  return kAll;
}

std::string_view access_order_name(AccessOrder order) {
  switch (order) {
    case AccessOrder::kRelaxed:
      return "relaxed";
    case AccessOrder::kAcquireRelease:
      return "acquire-release";
    case AccessOrder::kSeqCst:
      return "seq_cst";
    case AccessOrder::kFence:
      return "fence";
  }
  return "?";
}

std::optional<AccessOrder> parse_access_order(std::string_view name) {
  for (AccessOrder o : all_access_orders()) {
    if (name == access_order_name(o)) return o;
  }
  if (name == "acq_rel" || name == "acq-rel") return AccessOrder::kAcquireRelease;
  if (name == "seq-cst") return AccessOrder::kSeqCst;
  return std::nullopt;
}

}  // namespace shmlab::litmus
