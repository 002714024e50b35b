#include "tools/serve/dashboard_feed.hpp"

#include <map>

#include "config/logging.hpp"
#include "config/thread_barrier.hpp"

namespace webaccel {

namespace {

using json = nlohmann::json;

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

void add_browsers(json& out, const std::string& node,
                  const std::vector<kind_stats>& kinds,
                  const std::map<std::pair<std::string, int32_t>,
                                 const browser_health_report*>& by_pid) {
  for (auto& k : kinds)
    for (auto& c : k.connections) {
      json b{{"node", node},
             {"kind", k.kind},
             {"pid", c.pid},
             {"state", c.state},
             {"score", c.health_score},
             {"breaker", to_string(c.breaker)},
             {"requests", c.requests},
             {"in_flight", c.in_flight},
             {"models", c.loaded_models},
             {"memory_bytes", c.process_bytes},
             {"heartbeat_ms", c.heartbeat_ms},
             {"age_s", c.age_ms / 1000}};
      if (auto i = by_pid.find({node, c.pid}); i != by_pid.end()) {
        auto& h = *i->second;
        b["reasons"] = h.reasons;
        b["error_rate"] = h.error_rate;
        b["latency_p50_ms"] = h.latency_p50_ms;
        b["latency_p99_ms"] = h.latency_p99_ms;
        b["memory_growth_mib_per_min"] = h.memory_growth_mib_per_min;
      }
      out.push_back(std::move(b));
    }
}

/// The pool's browsers and its nodes', with what the health monitors say
/// of each (by node and process id: two machines may share a pid).
json browsers_of(const pool_stats& pool, const health_report& health) {
  std::map<std::pair<std::string, int32_t>, const browser_health_report*>
    by_pid;
  for (auto& b : health.browsers)
    by_pid[{b.node, b.pid}] = &b;
  json out = json::array();
  add_browsers(out, "local", pool.kinds, by_pid);
  for (auto& n : pool.nodes)
    add_browsers(out, n.name, n.kinds, by_pid);
  return out;
}

json nodes_of(const pool_stats& pool) {
  json out = json::array();
  for (auto& n : pool.nodes) {
    size_t browsers = 0;
    for (auto& k : n.kinds)
      browsers += k.connections.size();
    out.push_back({{"name", n.name},
                   {"address", n.address},
                   {"state", n.state},
                   {"epoch", n.epoch},
                   {"rejoins", n.rejoins},
                   {"browsers", browsers},
                   {"lost_reason", n.lost_reason}});
  }
  return out;
}

} // namespace

json dashboard_snapshot(const std::vector<served_figures>& models,
                        const std::vector<index_entry>& index,
                        const pool_stats& pool, const health_report& health,
                        const dashboard_events& events, int64_t now_ms) {
  std::map<std::string, const index_entry*> state_of;
  for (auto& e : index)
    state_of[e.name] = &e;
  json model_rows = json::array();
  uint64_t requests = 0, failures = 0, pending = 0;
  for (auto& m : models) {
    auto i = state_of.find(m.name);
    requests += m.success + m.failure;
    failures += m.failure;
    pending += m.pending;
    model_rows.push_back(
      {{"name", m.name},
       {"state",
        i == state_of.end() ? "UNLOADED" : to_string(i->second->state)},
       {"success", m.success},
       {"failure", m.failure},
       {"pending", m.pending},
       {"mean_ms", m.success > 0 ? m.success_ms / m.success : 0.0},
       {"queue_ms", m.success > 0 ? m.queue_ms / m.success : 0.0},
       {"compute_ms", m.success > 0 ? m.compute_ms / m.success : 0.0}});
  }
  json platforms = json::array();
  for (auto& p : health.platforms)
    platforms.push_back({{"platform", p.platform},
                         {"requests", p.requests},
                         {"failures", p.failures},
                         {"latency_p50_ms", p.latency_p50_ms},
                         {"latency_p99_ms", p.latency_p99_ms}});
  json recent = json::array();
  for (auto& e : events.recent())
    recent.push_back({{"at_ms", e.at_ms}, {"kind", e.kind}, {"text", e.text}});
  return {{"at_ms", now_ms},
          {"totals",
           {{"requests", requests},
            {"failures", failures},
            {"pending", pending},
            {"recycled", health.recycled},
            {"recoveries", pool.recovery.cases}}},
          {"models", model_rows},
          {"browsers", browsers_of(pool, health)},
          {"nodes", nodes_of(pool)},
          {"platforms", platforms},
          {"events", recent}};
}

dashboard_feed::dashboard_feed(runtime& rt, model_table& models,
                               std::chrono::milliseconds interval)
  : rt_(rt), models_(models), interval_(interval) {
  thread_ = std::thread{[this] { loop(); }};
}

dashboard_feed::~dashboard_feed() {
  stop();
}

void dashboard_feed::stop() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
  sockets_.clear();
}

void dashboard_feed::subscribe(std::weak_ptr<api_socket> socket) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    sockets_.push_back(std::move(socket));
    fresh_ = true;
  }
  wake_.notify_all();
}

void dashboard_feed::loop() {
  auto next = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock{mtx_};
  while (!stopping_) {
    wake_.wait_until(lock, next, [this] { return stopping_ || fresh_; });
    if (stopping_)
      break;
    fresh_ = false;
    next = std::chrono::steady_clock::now() + interval_;
    // Counters are followed even while nobody watches, so that the events
    // a dashboard opened later shows are real changes.
    lock.unlock();
    run_in_barrier(thread_kind::dashboard_feed, "a dashboard snapshot",
                   [this] { publish(); });
    lock.lock();
  }
}

void dashboard_feed::publish() {
  std::string text;
  try {
    auto pool = rt_.stats();
    auto health = rt_.health();
    auto now = wall_ms();
    events_.update(pool, now);
    text = dashboard_snapshot(models_.figures(), models_.index(), pool, health,
                              events_, now)
             .dump();
  } catch (const std::exception& e) {
    // Shutting down, or an actor restarting: the next interval tries again.
    logger()->debug("dashboard: no snapshot: {}", e.what());
    return;
  }
  std::lock_guard<std::mutex> guard{mtx_};
  std::vector<std::weak_ptr<api_socket>> open;
  for (auto& weak : sockets_)
    if (auto s = weak.lock(); s && s->send(text))
      open.push_back(weak);
  sockets_ = std::move(open);
}

} // namespace webaccel
