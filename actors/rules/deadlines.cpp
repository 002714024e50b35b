#include "actors/rules/deadlines.hpp"

#include <algorithm>

namespace webaccel {

uint32_t request_deadline_ms(const timeout_policy& policy, model_family family,
                             uint64_t input_bytes, uint32_t requested_ms) {
  if (requested_ms != 0)
    return requested_ms;
  double factor = 1.0;
  if (auto i = policy.family_multipliers.find(family);
      i != policy.family_multipliers.end())
    factor = i->second;
  if (policy.reference_input_bytes != 0)
    factor *= std::max(1.0, double(input_bytes)
                              / double(policy.reference_input_bytes));
  auto ms = double(policy.infer_ms) * factor;
  return static_cast<uint32_t>(std::min(ms, double(policy.max_infer_ms)));
}

} // namespace webaccel
