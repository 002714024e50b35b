// Where a model runs, and the recovery supervisor's counters. (What a
// failure report and a recovery step carry is in interfaces.hpp: they hold
// actor handles.)
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/capabilities.hpp"
#include "messages/inference.hpp"
#include "messages/model.hpp"

namespace webaccel {

/// Where a model runs: browser kind, platform and variant.
struct placement_target {
  std::string kind;
  std::string platform;
  std::string precision;
  bool mixed_precision = false;

  bool operator==(const placement_target& other) const {
    return kind == other.kind && platform == other.platform
           && precision == other.precision
           && mixed_precision == other.mixed_precision;
  }

  /// "chromium/wasm/fp32" (with "-mixed" for a mixed variant).
  std::string to_string() const {
    return kind + "/" + platform + "/" + precision
           + (mixed_precision ? "-mixed" : "");
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, placement_target& x) {
  return f(caf::meta::type_name("placement_target"), x.kind, x.platform,
           x.precision, x.mixed_precision);
}

/// How many times a strategy was used, and how it went.
struct strategy_outcomes {
  /// The model ran again after it.
  uint64_t succeeded = 0;
  /// It placed the model, but it failed again, or it could not place it.
  uint64_t failed = 0;
  /// It did not apply (no other browser, no lower precision, ...).
  uint64_t skipped = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, strategy_outcomes& x) {
  return f(caf::meta::type_name("strategy_outcomes"), x.succeeded, x.failed,
           x.skipped);
}

/// Times from a failure to the first answer after it, in milliseconds.
struct recovery_times {
  uint64_t count = 0;
  double p50_ms = 0;
  double p95_ms = 0;
  double max_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, recovery_times& x) {
  return f(caf::meta::type_name("recovery_times"), x.count, x.p50_ms, x.p95_ms,
           x.max_ms);
}

/// The recovery supervisor's counters.
struct recovery_stats {
  /// Failures that opened a recovery.
  uint64_t cases = 0;
  /// Strategies tried (each retry counts).
  uint64_t attempts = 0;
  /// Recoveries that ended with the model running again...
  uint64_t recovered = 0;
  /// ...that ran out of strategies (the requests got the typed error)...
  uint64_t exhausted = 0;
  /// ...and that their model abandoned (it was shut down).
  uint64_t abandoned = 0;
  /// Failures seen, by category (a case's later failures count too).
  std::map<std::string, uint64_t> failures;
  /// By strategy name.
  std::map<std::string, strategy_outcomes> strategies;
  /// Time to recover, by the category that opened the case.
  std::map<std::string, recovery_times> time_to_recover;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, recovery_stats& x) {
  return f(caf::meta::type_name("recovery_stats"), x.cases, x.attempts,
           x.recovered, x.exhausted, x.abandoned, x.failures, x.strategies,
           x.time_to_recover);
}

} // namespace webaccel
