#include "actors/rules/pool_rules.hpp"

#include <algorithm>

namespace webaccel {

std::chrono::milliseconds restart_delay(const restart_policy& policy,
                                        uint32_t consecutive, double jitter) {
  uint64_t delay = policy.backoff_base_ms;
  for (uint32_t i = 0; i < consecutive && delay < policy.backoff_max_ms; ++i)
    delay *= 2;
  delay = std::min<uint64_t>(delay, policy.backoff_max_ms);
  jitter = std::clamp(jitter, 0.0, 1.0);
  return std::chrono::milliseconds{
    delay + static_cast<uint64_t>(delay * 0.25 * jitter)};
}

void restart_intensity::forget_before(pool_clock::time_point cutoff) {
  while (!restarts_.empty() && restarts_.front() < cutoff)
    restarts_.pop_front();
}

bool restart_intensity::record(pool_clock::time_point now) {
  forget_before(now - std::chrono::milliseconds{policy_.window_ms});
  restarts_.push_back(now);
  return restarts_.size() <= policy_.max_restarts;
}

size_t restart_intensity::recent(pool_clock::time_point now) {
  forget_before(now - std::chrono::milliseconds{policy_.window_ms});
  return restarts_.size();
}

const char* to_string(retire_reason reason) {
  switch (reason) {
    case retire_reason::keep:
      return "keep";
    case retire_reason::idle:
      return "idle";
    case retire_reason::requests:
      return "requests";
    case retire_reason::lifetime:
      return "lifetime";
    case retire_reason::memory:
      return "memory";
    case retire_reason::health:
      return "health";
  }
  return "?";
}

retire_reason should_retire(const browser_usage& health,
                            const pool_policy& policy, uint32_t memory_limit_mb,
                            bool above_minimum, std::string& why) {
  auto mib = [](uint64_t bytes) {
    return std::to_string(bytes >> 20) + " MiB";
  };
  if (memory_limit_mb != 0
      && health.memory_bytes > (uint64_t{memory_limit_mb} << 20)) {
    why = "uses " + mib(health.memory_bytes) + ", over its limit of "
          + std::to_string(memory_limit_mb) + " MiB";
    return retire_reason::memory;
  }
  if (policy.recycle_after_requests != 0
      && health.requests >= policy.recycle_after_requests) {
    why = "served " + std::to_string(health.requests) + " requests (limit "
          + std::to_string(policy.recycle_after_requests) + ")";
    return retire_reason::requests;
  }
  if (policy.max_lifetime_ms != 0
      && health.age >= std::chrono::milliseconds{policy.max_lifetime_ms}) {
    why = "is " + std::to_string(health.age.count()) + " ms old (limit "
          + std::to_string(policy.max_lifetime_ms) + " ms)";
    return retire_reason::lifetime;
  }
  if (above_minimum && policy.idle_timeout_ms != 0 && health.in_flight == 0
      && health.idle >= std::chrono::milliseconds{policy.idle_timeout_ms}) {
    why = "was idle for " + std::to_string(health.idle.count()) + " ms";
    return retire_reason::idle;
  }
  return retire_reason::keep;
}

namespace {

browser_choice choose_among(const std::vector<browser_candidate>& ready,
                            uint64_t model_bytes, uint64_t memory_limit_bytes,
                            bool can_grow) {
  auto fits = [&](const browser_candidate& c) {
    return memory_limit_bytes == 0
           || c.memory_bytes + model_bytes <= memory_limit_bytes;
  };
  auto least_loaded = [&](auto keep) -> const browser_candidate* {
    const browser_candidate* best = nullptr;
    for (auto& c : ready)
      if (keep(c) && (best == nullptr || c.load < best->load))
        best = &c;
    return best;
  };
  if (auto c = least_loaded([](auto& x) { return x.has_model; }))
    return {browser_choice::use, browser_choice::warm, c->id,
            "warm: it has the model loaded"};
  if (auto c = least_loaded([&](auto& x) { return x.load == 0 && fits(x); }))
    return {browser_choice::use, browser_choice::idle, c->id, "idle"};
  if (can_grow)
    return {browser_choice::grow, browser_choice::fresh, 0, "a new browser"};
  if (auto c = least_loaded(fits))
    return {browser_choice::use, browser_choice::least_loaded, c->id,
            "least loaded within its memory budget"};
  if (auto c = least_loaded([](auto&) { return true; }))
    return {browser_choice::use, browser_choice::past_budget, c->id,
            "least loaded; every browser is past its memory budget"};
  return {browser_choice::wait, browser_choice::none, 0,
          "no browser is ready yet"};
}

} // namespace

browser_choice choose_browser(const std::vector<browser_candidate>& ready,
                              uint64_t model_bytes, uint64_t memory_limit_bytes,
                              bool can_grow) {
  std::vector<browser_candidate> healthy;
  std::copy_if(ready.begin(), ready.end(), std::back_inserter(healthy),
               [](auto& c) { return c.healthy; });
  if (healthy.size() == ready.size())
    return choose_among(ready, model_bytes, memory_limit_bytes, can_grow);
  auto choice = choose_among(healthy, model_bytes, memory_limit_bytes,
                             can_grow);
  if (choice.action != browser_choice::wait)
    return choice;
  choice = choose_among(ready, model_bytes, memory_limit_bytes, false);
  choice.why += " (its health is poor, but no other browser can take it)";
  return choice;
}

} // namespace webaccel
