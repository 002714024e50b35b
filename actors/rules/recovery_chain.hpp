// The recovery strategies as pure functions: each failure category's chain
// (DESIGN.md), the retry backoff, and where each strategy moves a model
// (another browser, platform, precision or variant). The recovery
// supervisor applies them; tests check them without actors.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "config/recovery_policy.hpp"
#include "messages/capabilities.hpp"
#include "messages/error.hpp"
#include "messages/model.hpp"
#include "messages/recovery.hpp"

namespace webaccel {

enum class recovery_strategy : uint8_t {
  /// The same placement again, after a backoff.
  retry,
  /// Kill the browser (if it still runs) and place on a new one of its kind.
  restart_browser,
  /// The next browser kind the model's family allows.
  another_browser,
  /// The variant of the next lower precision (fp32 > fp16 > q8 > q4).
  lower_precision,
  /// The next platform of the request's priority list.
  another_platform,
  /// The next smaller variant by bytes.
  smaller_variant,
};

/// The strategy's name in stats and errors, e.g. "another_platform".
const char* to_string(recovery_strategy x);

/// The strategies for `category`, in order; empty for an error no strategy
/// can fix.
const std::vector<recovery_strategy>& strategy_chain(errc category);

/// Delay before the retry that follows `earlier` ones: base * 2^earlier
/// capped at the maximum, plus `jitter` (0..1) * 25 % of it.
std::chrono::milliseconds retry_delay(const recovery_policy& policy,
                                      uint32_t earlier, double jitter);

/// What a strategy may choose from.
struct recovery_options {
  /// The model's variants.
  std::vector<model_variant> variants;
  /// The request's platforms in order.
  std::vector<std::string> priority_list;
  /// Browser kinds the family (or the request's browser) allows, in order.
  std::vector<std::string> kinds;
  /// What browsers of each kind probed, where known.
  std::map<std::string, browser_capabilities> probed;
  /// Placements already tried in this recovery (the failed one included).
  std::vector<placement_target> tried;
};

/// Where `strategy` moves a model that failed at `current`, or why it does
/// not apply (a sentence).
std::variant<placement_target, std::string>
next_target(recovery_strategy strategy, const placement_target& current,
            const recovery_options& options);

/// The rank of a precision: fp32 0, fp16 1, q8 2, q4 3 (unknown: 4).
int precision_rank(const std::string& precision);

} // namespace webaccel
