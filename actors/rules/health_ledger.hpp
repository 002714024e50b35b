// The health monitor's book of browsers: for each one it has seen, its
// browser_health, its circuit breaker, its canaries per platform (when each
// is due, whether one is under way, what the last ones said) and whether it
// was sent to be recycled. Pure state on the monitor's clock; the actor asks it
// what to do next and tells it what happened.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "actors/rules/browser_health.hpp"
#include "actors/rules/circuit_breaker.hpp"
#include "messages/health_report.hpp"
#include "messages/pool_stats.hpp"

namespace webaccel {

/// A canary to start: the browser and the platform.
struct canary_job {
  uint64_t browser = 0;
  std::string platform;
};

/// Why a browser should be recycled, and as which error category its
/// requests in flight fail (an errc: timeout for a wedged page).
struct recycle_order {
  uint64_t browser = 0;
  uint8_t category = 0;
  std::string why;
};

class health_ledger {
public:
  using clock_type = browser_health::clock_type;

  /// `breaker_failures` failed requests in a row open a browser's circuit
  /// (0 = never); after `breaker_cooldown` one probe may go.
  health_ledger(health_policy policy, uint32_t breaker_failures,
                std::chrono::milliseconds breaker_cooldown)
    : policy_(policy),
      breaker_failures_(breaker_failures),
      breaker_cooldown_(breaker_cooldown) {
    // nop
  }

  /// The browsers that live now: forgets every other one.
  void keep_only(const std::vector<uint64_t>& ids);

  /// Whether the ledger knows this browser (it learned its platforms).
  bool knows(uint64_t id) const {
    return browsers_.count(id) != 0;
  }

  /// A browser seen for the first time, with the platforms its page can run
  /// (its canaries run on each).
  void add_browser(uint64_t id, const std::vector<std::string>& platforms,
                   clock_type::time_point now);

  /// A sample of its stats. `memory_limit_bytes` 0 = no limit;
  /// `p50_ms`/`p99_ms` are its page round trips so far. Its circuit breaker
  /// sees the requests answered and failed since the last sample.
  void add_sample(uint64_t id, const connection_stats& stats,
                  uint64_t memory_limit_bytes, double p50_ms, double p99_ms,
                  clock_type::time_point now);

  /// The canaries due at `now`, each marked as under way.
  std::vector<canary_job> due_canaries(clock_type::time_point now);

  /// How a canary ended (`error` says why it failed); the next one on that
  /// platform is due canary_every_ms later.
  void canary_done(const canary_job& job, canary_outcome outcome,
                   double latency_ms, const std::string& error,
                   clock_type::time_point now);

  /// The browser's canary could not run at all (it is gone or retiring):
  /// try again at the next interval, without judging it.
  void canary_skipped(const canary_job& job, clock_type::time_point now);

  /// A browser that is sick and not yet sent to be recycled: the order, and
  /// it counts as recycling from now on. Empty `why` if there is none.
  recycle_order take_recycle(uint64_t id);

  /// 100 for a browser it does not know.
  double score(uint64_t id) const;

  /// The state its connection is to enforce (closed if unknown).
  breaker_state breaker(uint64_t id) const;

  std::vector<std::string> reasons(uint64_t id) const;

  /// The reasons in one line ("; " between them).
  std::string reasons_text(uint64_t id) const;

  std::vector<browser_health_report> reports() const;

  uint64_t recycled() const {
    return recycled_;
  }

  uint64_t canaries() const {
    return canaries_;
  }

  uint64_t canary_failures() const {
    return canary_failures_;
  }

private:
  struct canary_slot {
    canary_figures figures;
    clock_type::time_point due;
    bool running = false;
  };

  struct entry {
    entry(health_policy p, uint32_t failures, std::chrono::milliseconds cool)
      : health(p), breaker(failures, cool) {
      // nop
    }
    browser_health health;
    circuit_breaker breaker;
    /// The connection's counters at the last sample.
    uint64_t answered = 0;
    uint32_t failures_in_a_row = 0;
    browser_health_report last;
    std::vector<canary_slot> canaries;
    bool recycling = false;
    canary_outcome last_outcome = canary_outcome::ok;
  };

  canary_slot* find_canary(const canary_job& job);

  static void feed_breaker(entry& e, const connection_stats& stats,
                           clock_type::time_point now);

  health_policy policy_;
  uint32_t breaker_failures_;
  std::chrono::milliseconds breaker_cooldown_;
  std::map<uint64_t, entry> browsers_;
  uint64_t recycled_ = 0;
  uint64_t canaries_ = 0;
  uint64_t canary_failures_ = 0;
};

} // namespace webaccel
