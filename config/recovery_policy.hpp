// How failures are recovered: the retry backoff, how long a request may
// wait for recovery, the circuit breaker of each browser connection, and
// whether tests may inject faults. Plain data read from the config's
// "recovery" section; the recovery supervisor and connections apply it.
#pragma once

#include <cstdint>

namespace webaccel {

struct recovery_policy {
  /// Times the `retry` strategy resends before the chain moves on; the n-th
  /// retry waits backoff_base_ms * 2^n, capped at backoff_max_ms, plus up to
  /// 25 % jitter.
  uint32_t retries = 2;
  uint32_t backoff_base_ms = 1000;
  uint32_t backoff_max_ms = 15000;
  /// A recovery still under way after this long ends as failed: the
  /// requests waiting for it get the typed error.
  uint32_t max_wait_ms = 120000;
  /// A request re-dispatched this many times fails with the typed error.
  uint32_t max_redispatches = 6;
  /// A connection's circuit opens after this many failed requests in a row
  /// (0 = never) and lets one probe through after the cool-down.
  uint32_t breaker_failures = 5;
  uint32_t breaker_cooldown_ms = 10000;
  /// Tests only: pages accept fault commands over their bridge.
  bool fault_injection = false;
};

} // namespace webaccel
