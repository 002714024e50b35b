#include "actors/rules/health_ledger.hpp"

#include <algorithm>

#include "messages/error.hpp"

namespace webaccel {

namespace {

using ms = std::chrono::milliseconds;

std::string joined(const std::vector<std::string>& xs) {
  std::string out;
  for (auto& x : xs)
    out += (out.empty() ? "" : "; ") + x;
  return out;
}

} // namespace

void health_ledger::keep_only(const std::vector<uint64_t>& ids) {
  for (auto i = browsers_.begin(); i != browsers_.end();) {
    if (std::find(ids.begin(), ids.end(), i->first) == ids.end())
      i = browsers_.erase(i);
    else
      ++i;
  }
}

void health_ledger::add_browser(uint64_t id,
                                const std::vector<std::string>& platforms,
                                clock_type::time_point now) {
  auto [i, added] = browsers_.emplace(id, entry{policy_, breaker_failures_,
                                                breaker_cooldown_});
  if (!added)
    return;
  auto& e = i->second;
  for (auto& p : platforms) {
    canary_slot c;
    c.figures.platform = p;
    c.due = now; // The first canary runs at once: a page may be born wedged.
    e.canaries.push_back(std::move(c));
  }
}

void health_ledger::feed_breaker(entry& e, const connection_stats& stats,
                                 clock_type::time_point now) {
  auto& b = e.breaker;
  // The failures in a row came after the last answer: an answer since the
  // last sample closes the circuit, then those failures count again.
  uint32_t new_failures = 0;
  if (stats.answered > e.answered) {
    b.on_success();
    new_failures = stats.failures_in_a_row;
  } else if (stats.failures_in_a_row > e.failures_in_a_row) {
    new_failures = stats.failures_in_a_row - e.failures_in_a_row;
  }
  // (Past the threshold more failures change nothing: stop there.)
  new_failures = std::min<uint32_t>(new_failures, 1000);
  for (uint32_t i = 0; i < new_failures; ++i)
    b.on_failure(now);
  e.answered = stats.answered;
  e.failures_in_a_row = stats.failures_in_a_row;
  // Once the cool-down passed, the connection may let a probe go.
  if (b.current() == breaker_state::open && b.cooldown_left(now).count() == 0)
    b.allow(now);
}

void health_ledger::add_sample(uint64_t id, const connection_stats& stats,
                               uint64_t memory_limit_bytes, double p50_ms,
                               double p99_ms, clock_type::time_point now) {
  auto i = browsers_.find(id);
  if (i == browsers_.end())
    return;
  auto& e = i->second;
  feed_breaker(e, stats, now);
  browser_reading r;
  r.heartbeat_ms = stats.heartbeat_ms;
  r.memory_bytes = std::max(stats.process_bytes, stats.page_heap_bytes);
  r.memory_limit_bytes = memory_limit_bytes;
  r.requests = stats.requests;
  r.failures = stats.failures;
  r.breaker = e.breaker.current();
  e.health.add_reading(r, now);
  auto& out = e.last;
  out.kind = stats.kind;
  out.pid = stats.pid;
  out.heartbeat_ms = stats.heartbeat_ms;
  out.memory_bytes = r.memory_bytes;
  out.requests = stats.requests;
  out.failures = stats.failures;
  out.latency_p50_ms = p50_ms;
  out.latency_p99_ms = p99_ms;
  out.breaker = e.breaker.current();
}

std::vector<canary_job>
health_ledger::due_canaries(clock_type::time_point now) {
  std::vector<canary_job> out;
  for (auto& [id, e] : browsers_) {
    if (e.recycling)
      continue;
    for (auto& c : e.canaries)
      if (!c.running && now >= c.due) {
        c.running = true;
        out.push_back({id, c.figures.platform});
      }
  }
  return out;
}

health_ledger::canary_slot* health_ledger::find_canary(const canary_job& job) {
  auto i = browsers_.find(job.browser);
  if (i == browsers_.end())
    return nullptr;
  for (auto& c : i->second.canaries)
    if (c.figures.platform == job.platform)
      return &c;
  return nullptr;
}

void health_ledger::canary_done(const canary_job& job, canary_outcome outcome,
                                double latency_ms, const std::string& error,
                                clock_type::time_point now) {
  auto c = find_canary(job);
  if (c == nullptr)
    return;
  c->running = false;
  // A failed canary is asked again soon: a wedged page is found in two.
  c->due = now
           + ms{outcome == canary_outcome::ok ? policy_.canary_every_ms
                                              : policy_.interval_ms};
  auto& f = c->figures;
  f.runs++;
  canaries_++;
  f.last_outcome = to_string(outcome);
  if (outcome == canary_outcome::ok) {
    f.failures_in_a_row = 0;
    f.last_ms = latency_ms;
  } else {
    f.failures++;
    f.failures_in_a_row++;
    f.last_error = error;
    canary_failures_++;
  }
  auto& e = browsers_.at(job.browser);
  e.health.add_canary(outcome, latency_ms);
  e.last_outcome = outcome;
}

void health_ledger::canary_skipped(const canary_job& job,
                                   clock_type::time_point now) {
  if (auto c = find_canary(job)) {
    c->running = false;
    c->due = now + ms{policy_.interval_ms};
  }
}

recycle_order health_ledger::take_recycle(uint64_t id) {
  auto i = browsers_.find(id);
  if (i == browsers_.end() || i->second.recycling || !i->second.health.sick())
    return {};
  auto& e = i->second;
  e.recycling = true;
  recycled_++;
  // A page that stopped answering its canaries is hung (the timeout
  // chain); anything else lost its browser like a broken connection.
  auto wedged = e.health.canary_failures_in_a_row() >= policy_.canary_failures
                && e.last_outcome == canary_outcome::timed_out;
  auto category = wedged ? errc::timeout : errc::connection;
  return {id, static_cast<uint8_t>(category),
          "score " + std::to_string(static_cast<int>(e.health.score()))
            + " below "
            + std::to_string(static_cast<int>(policy_.recycle_below)) + ": "
            + joined(e.health.reasons())};
}

double health_ledger::score(uint64_t id) const {
  auto i = browsers_.find(id);
  return i == browsers_.end() ? 100.0 : i->second.health.score();
}

breaker_state health_ledger::breaker(uint64_t id) const {
  auto i = browsers_.find(id);
  return i == browsers_.end() ? breaker_state::closed
                              : i->second.breaker.current();
}

std::vector<std::string> health_ledger::reasons(uint64_t id) const {
  auto i = browsers_.find(id);
  return i == browsers_.end() ? std::vector<std::string>{}
                              : i->second.health.reasons();
}

std::string health_ledger::reasons_text(uint64_t id) const {
  return joined(reasons(id));
}

std::vector<browser_health_report> health_ledger::reports() const {
  std::vector<browser_health_report> out;
  for (auto& [id, e] : browsers_) {
    auto r = e.last;
    r.score = e.health.score();
    r.reasons = e.health.reasons();
    r.recycling = e.recycling;
    r.memory_growth_mib_per_min = e.health.memory_growth_mib_per_min();
    r.error_rate = e.health.error_rate();
    for (auto& c : e.canaries)
      r.canaries.push_back(c.figures);
    out.push_back(std::move(r));
  }
  return out;
}

} // namespace webaccel
