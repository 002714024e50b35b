// The recovery supervisor: model instances (failed requests) and the router
// (failed loads) report each failure with its category; it walks that
// category's strategy chain (actors/recovery_chain), places the model where
// the next strategy says, and answers with that placement. The instance
// sends its waiting requests there and reports whether they ran; a failure
// there continues the same chain. When the chain is exhausted it answers
// with a typed error naming the category and every attempt. It counts
// everything for stats().
#pragma once

#include <map>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/placement_attempt.hpp"
#include "actors/rules/placement.hpp"
#include "config/recovery_policy.hpp"
#include "messages/interfaces.hpp"
#include "transport/store/metrics_sink.hpp"

namespace webaccel {

struct recovery_supervisor_config {
  recovery_policy policy;
  /// The model registry by name (for the variants a strategy may pick).
  std::map<std::string, model_entry> models;
  browser_preference_table browser_preferences = default_browser_preferences();
  /// Browser kinds this runtime may launch.
  std::vector<std::string> browsers;
  timeout_policy timeouts;
  /// Where every attempt is recorded (none if null).
  std::shared_ptr<metrics_sink> metrics;
  /// Seeds the retry jitter.
  uint64_t seed = 0;
};

/// Spawns the recovery supervisor; it asks `pool` for browsers.
recovery_supervisor_actor
spawn_recovery_supervisor(caf::actor_system& sys,
                          recovery_supervisor_config cfg,
                          pool_supervisor_actor pool);

} // namespace webaccel
