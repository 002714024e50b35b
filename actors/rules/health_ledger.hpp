// The health monitor's book of browsers: for each one it has seen, its
// browser_health, its canaries per platform (when each is due, whether one
// is under way, what the last ones said) and whether it was sent to be
// recycled. Pure state on the monitor's clock; the actor asks it what to do
// next and tells it what happened.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "actors/rules/browser_health.hpp"
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

  explicit health_ledger(health_policy policy) : policy_(policy) {
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
  /// `p50_ms`/`p99_ms` are its page round trips so far.
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

  std::vector<std::string> reasons(uint64_t id) const;

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
    explicit entry(health_policy p) : health(p) {
      // nop
    }
    browser_health health;
    browser_health_report last;
    std::vector<canary_slot> canaries;
    bool recycling = false;
    canary_outcome last_outcome = canary_outcome::ok;
  };

  canary_slot* find_canary(const canary_job& job);

  health_policy policy_;
  std::map<uint64_t, entry> browsers_;
  uint64_t recycled_ = 0;
  uint64_t canaries_ = 0;
  uint64_t canary_failures_ = 0;
};

} // namespace webaccel
