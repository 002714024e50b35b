// The browser pool's decisions as pure functions of time and counters:
// restart backoff, restart intensity (MaxR in MaxT), and when a healthy
// browser should be retired (idle, served enough, too old, too big), and
// which browser of a kind takes a model. The
// browser supervisor applies them; tests check them without actors.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "config/pool_policy.hpp"

namespace webaccel {

using pool_clock = std::chrono::steady_clock;

/// Delay before the restart that follows `consecutive` earlier ones:
/// base * 2^consecutive capped at max, plus `jitter` (0..1) * 25 % of it.
std::chrono::milliseconds restart_delay(const restart_policy& policy,
                                        uint32_t consecutive, double jitter);

/// Counts restarts in a sliding window (Erlang's MaxR in MaxT).
class restart_intensity {
public:
  explicit restart_intensity(restart_policy policy) : policy_(policy) {
    // nop
  }

  /// Records a restart at `now`; false if it is one too many, which means
  /// the supervisor must give up and escalate.
  bool record(pool_clock::time_point now);

  /// Restarts within the window ending at `now`.
  size_t recent(pool_clock::time_point now);

private:
  void forget_before(pool_clock::time_point cutoff);

  restart_policy policy_;
  std::deque<pool_clock::time_point> restarts_;
};

/// What the pool knows about one healthy browser.
struct browser_usage {
  uint64_t requests = 0;
  uint32_t in_flight = 0;
  std::chrono::milliseconds age{0};
  std::chrono::milliseconds idle{0};
  /// Process group PSS plus what the page reports; 0 = unknown.
  uint64_t memory_bytes = 0;
};

/// Why a browser retires (health: the health monitor found it sick).
enum class retire_reason { keep, idle, requests, lifetime, memory, health };

const char* to_string(retire_reason reason);

/// Whether to retire a browser, and why (in words, into `why`). Idle
/// browsers are closed only while the kind has more than its minimum.
retire_reason should_retire(const browser_usage& health,
                            const pool_policy& policy, uint32_t memory_limit_mb,
                            bool above_minimum, std::string& why);

/// A ready browser as the supervisor sees it when it places a model.
struct browser_candidate {
  uint64_t id = 0;
  /// Model instances on it (plus those handed out since the last check).
  uint32_t load = 0;
  /// Its memory at the last check (0 = not measured yet).
  uint64_t memory_bytes = 0;
  /// The page already has the model loaded.
  bool has_model = false;
  /// The health monitor's score is good enough to prefer it (see
  /// choose_browser).
  bool healthy = true;
};

/// Where a model goes: a browser that runs (`id`), a new one, or none yet.
struct browser_choice {
  enum { use, grow, wait } action = wait;
  /// Why: it has the model, it is idle, a new one, the least loaded one
  /// within its budget, the least loaded one of those past it.
  enum { none, warm, idle, fresh, least_loaded, past_budget } basis = none;
  uint64_t id = 0;
  /// In words, for logs: "warm", "idle", "new", "least loaded", ...
  std::string why;
};

/// Picks a browser for a model of `model_bytes`: one that has it loaded
/// (warm), else an idle one within the memory budget, else a new one if
/// `can_grow`, else the least loaded within the budget, else (every one is
/// past its budget) the least loaded. `memory_limit_bytes` 0 = no budget.
/// Healthy browsers come first: an unhealthy one is chosen only where no
/// healthy one (nor a new one) can take the model.
browser_choice choose_browser(const std::vector<browser_candidate>& ready,
                              uint64_t model_bytes, uint64_t memory_limit_bytes,
                              bool can_grow);

} // namespace webaccel
