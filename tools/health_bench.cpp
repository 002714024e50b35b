#include "tools/health_bench.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>

#include "actors/runtime.hpp"
#include "tools/stats.hpp"
#include "tools/steady_load.hpp"

namespace webaccel {

namespace {

using json = nlohmann::json;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

/// The one ready browser's pid (0 while none is ready).
int32_t serving_pid(runtime& rt) {
  for (auto& k : rt.stats().kinds)
    for (auto& c : k.connections)
      if (c.state == "ready" && c.pid != 0)
        return c.pid;
  return 0;
}

/// Waits until the browser with `pid` had a right canary (it is healthy
/// and known to the monitor); false after `limit`.
bool wait_until_watched(runtime& rt, int32_t pid, std::chrono::seconds limit) {
  auto until = clock_type::now() + limit;
  while (clock_type::now() < until) {
    for (auto& b : rt.health().browsers)
      if (b.pid == pid)
        for (auto& c : b.canaries)
          if (c.last_outcome == "ok")
            return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

json summary(const std::vector<double>& xs) {
  return {{"p50", percentile(xs, 50)},
          {"max", xs.empty() ? 0.0 : *std::max_element(xs.begin(), xs.end())},
          {"each", xs}};
}

} // namespace

json run_health_bench(runtime_config base, const health_bench_options& o) {
  auto say = [&](const std::string& line) {
    if (o.progress)
      o.progress(line);
  };
  auto cfg = fixed_pool_config(base, o.kind, 1, 1);
  cfg.recovery.fault_injection = true;
  if (cfg.health.interval_ms == 0)
    throw std::runtime_error("health.interval_ms is 0: the health monitor is "
                             "off, so a wedged page is never found");
  runtime rt{cfg};
  auto prefs = cfg.default_preferences;
  prefs.browser = o.kind;
  auto model = rt.get_model(model_family::text_embedding, "tiny_bert", prefs);
  for (int i = 0; i < 100; ++i)
    model.infer(bert_sentence());
  steady_load load{{model}, [] { return bert_sentence(); }, o.clients};
  std::vector<double> to_recycle;
  std::vector<double> to_replacement;
  for (size_t i = 0; i < o.wedges; ++i) {
    int32_t pid = 0;
    for (auto until = clock_type::now() + 60s;
         pid == 0 && clock_type::now() < until;)
      if ((pid = serving_pid(rt)) == 0)
        std::this_thread::sleep_for(50ms);
    if (pid == 0 || !wait_until_watched(rt, pid, 60s))
      throw std::runtime_error("no healthy browser to wedge within 60 s");
    auto recycled = rt.health().recycled;
    auto wedged_at = clock_type::now();
    if (!rt.inject_fault(pid, "wedge"))
      throw std::runtime_error("the browser to wedge is gone");
    while (rt.health().recycled == recycled) {
      if (seconds_since(wedged_at) > 120)
        throw std::runtime_error("a wedged page was not recycled in 120 s");
      std::this_thread::sleep_for(20ms);
    }
    to_recycle.push_back(seconds_since(wedged_at));
    while (serving_pid(rt) == pid || serving_pid(rt) == 0) {
      if (seconds_since(wedged_at) > 180)
        throw std::runtime_error("no browser replaced a recycled one in 180 s");
      std::this_thread::sleep_for(20ms);
    }
    to_replacement.push_back(seconds_since(wedged_at));
    say("wedge " + std::to_string(i + 1) + ": recycled after "
        + std::to_string(to_recycle.back()) + " s, a new browser serves after "
        + std::to_string(to_replacement.back()) + " s");
  }
  auto tally = load.finish(60s);
  auto health = rt.health();
  auto stats = rt.stats();
  rt.shutdown();
  auto& p = cfg.health;
  json out{{"benchmark", "health"},
           {"browser", o.kind},
           {"clients", o.clients},
           {"wedges", o.wedges},
           {"policy",
            {{"interval_ms", p.interval_ms},
             {"canary_every_ms", p.canary_every_ms},
             {"canary_timeout_ms", p.canary_timeout_ms},
             {"canary_failures", p.canary_failures}}},
           {"seconds_wedge_to_recycle", summary(to_recycle)},
           {"seconds_wedge_to_new_browser", summary(to_replacement)},
           {"recycled", health.recycled},
           {"canaries", health.canaries},
           {"canary_failures", health.canary_failures}};
  uint64_t retired = 0;
  for (auto& k : stats.kinds)
    if (auto r = k.retired.find("health"); r != k.retired.end())
      retired += r->second;
  out["retired_for_health"] = retired;
  out["requests"] = {{"sent", tally.sent},
                     {"answered", tally.answered},
                     {"failed", tally.failed},
                     {"lost", tally.outstanding()},
                     {"duplicated", tally.duplicated},
                     {"latency_ms",
                      {{"p50", percentile(tally.latency_ms, 50)},
                       {"p99", percentile(tally.latency_ms, 99)},
                       {"max", percentile(tally.latency_ms, 100)}}},
                     {"first_errors", tally.first_errors}};
  return out;
}

} // namespace webaccel
