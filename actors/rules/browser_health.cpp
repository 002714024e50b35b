#include "actors/rules/browser_health.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace webaccel {

namespace {

/// Trends and rates look at the samples of the last minute...
constexpr std::chrono::seconds window{60};
/// ...and a memory trend needs half of it: a browser that just started,
/// or just loaded a model, grows fast for a few seconds.
constexpr std::chrono::seconds min_trend_span{30};
/// At most this many samples (an interval under 200 ms keeps fewer than a
/// minute's worth).
constexpr size_t max_samples = 300;

} // namespace

const char* to_string(canary_outcome x) {
  switch (x) {
    case canary_outcome::ok:
      return "ok";
    case canary_outcome::failed:
      return "failed";
    default:
      return "timed_out";
  }
}

void browser_health::add_reading(const browser_reading& r,
                                 clock_type::time_point now) {
  samples_.push_back({now, r});
  while (samples_.size() > max_samples || now - samples_.front().at > window)
    samples_.pop_front();
}

void browser_health::add_canary(canary_outcome outcome, double latency_ms) {
  canary_seen_ = true;
  last_canary_ = outcome;
  if (outcome == canary_outcome::ok) {
    canary_failures_ = 0;
    last_canary_ms_ = latency_ms;
  } else {
    canary_failures_++;
  }
}

double browser_health::memory_growth_mib_per_min() const {
  if (samples_.size() < 3
      || samples_.back().at - samples_.front().at < min_trend_span)
    return 0;
  // Least squares over (minutes, MiB).
  auto t0 = samples_.front().at;
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (auto& s : samples_) {
    double x = std::chrono::duration<double>(s.at - t0).count() / 60.0;
    double y = double(s.reading.memory_bytes) / (1 << 20);
    n++;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  auto d = n * sxx - sx * sx;
  return d == 0 ? 0 : (n * sxy - sx * sy) / d;
}

double browser_health::error_rate() const {
  if (samples_.size() < 2)
    return 0;
  auto& first = samples_.front().reading;
  auto& last = samples_.back().reading;
  auto requests = last.requests - std::min(last.requests, first.requests);
  auto failures = last.failures - std::min(last.failures, first.failures);
  if (requests < policy_.min_requests)
    return 0;
  return double(failures) / double(requests);
}

std::vector<std::pair<double, std::string>> browser_health::penalties() const {
  std::vector<std::pair<double, std::string>> out;
  if (canary_seen_ && canary_failures_ > 0) {
    auto wedged = canary_failures_ >= policy_.canary_failures;
    out.emplace_back(wedged ? 100.0 : 30.0,
                     fmt::format("canary {} ({} in a row)",
                                 to_string(last_canary_), canary_failures_));
  }
  if (samples_.empty())
    return out;
  auto& now = samples_.back().reading;
  if (now.breaker == breaker_state::open)
    out.emplace_back(50.0, "circuit breaker open");
  if (now.heartbeat_ms > policy_.slow_heartbeat_ms)
    out.emplace_back(20.0,
                     fmt::format("heartbeat {:.0f} ms (slow above {} "
                                 "ms)",
                                 now.heartbeat_ms, policy_.slow_heartbeat_ms));
  if (auto rate = error_rate(); rate > policy_.bad_error_rate)
    out.emplace_back(30.0,
                     fmt::format("{:.0f} % of requests failed", rate * 100));
  if (now.memory_limit_bytes > 0
      && double(now.memory_bytes)
           > policy_.memory_high * double(now.memory_limit_bytes))
    out.emplace_back(30.0,
                     fmt::format("memory {:.0f} MiB of {:.0f} MiB",
                                 double(now.memory_bytes) / (1 << 20),
                                 double(now.memory_limit_bytes) / (1 << 20)));
  if (auto growth = memory_growth_mib_per_min();
      growth > policy_.memory_growth_mib_per_min)
    out.emplace_back(10.0, fmt::format("memory grows {:.0f} MiB/min", growth));
  return out;
}

double browser_health::score() const {
  double score = 100;
  for (auto& [points, why] : penalties())
    score -= points;
  return std::max(0.0, score);
}

std::vector<std::string> browser_health::reasons() const {
  std::vector<std::string> out;
  for (auto& [points, why] : penalties())
    out.push_back(why);
  return out;
}

} // namespace webaccel
