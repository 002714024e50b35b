#include "tools/serve/dashboard_events.hpp"

namespace webaccel {

namespace {

uint64_t grew(uint64_t now, uint64_t before) {
  return now > before ? now - before : 0;
}

std::string times(uint64_t n) {
  return n == 1 ? "" : " (" + std::to_string(n) + "x)";
}

const kind_stats* find_kind(const pool_stats& s, const std::string& kind) {
  for (auto& k : s.kinds)
    if (k.kind == kind)
      return &k;
  return nullptr;
}

} // namespace

void dashboard_events::add(int64_t at_ms, const char* kind, std::string text) {
  events_.push_back({at_ms, kind, std::move(text)});
  while (events_.size() > keep_)
    events_.pop_front();
}

void dashboard_events::update(const pool_stats& now, int64_t now_ms) {
  if (first_) {
    first_ = false;
    last_ = now;
    return;
  }
  static const kind_stats none;
  for (auto& k : now.kinds) {
    auto* before = find_kind(last_, k.kind);
    auto& b = before != nullptr ? *before : none;
    if (auto n = grew(k.launches, b.launches))
      add(now_ms, "browser", k.kind + ": browser launched" + times(n));
    if (auto n = grew(k.failures, b.failures))
      add(now_ms, "browser", k.kind + ": browser failed" + times(n));
    if (auto n = grew(k.restarts, b.restarts))
      add(now_ms, "browser", k.kind + ": browser started again" + times(n));
    for (auto& [reason, count] : k.retired) {
      auto i = b.retired.find(reason);
      if (auto n = grew(count, i == b.retired.end() ? 0 : i->second))
        add(now_ms, "browser",
            k.kind + ": browser retired (" + reason + ")" + times(n));
    }
  }
  for (auto& n : now.nodes) {
    const node_stats* before = nullptr;
    for (auto& b : last_.nodes)
      if (b.name == n.name)
        before = &b;
    if (n.state == "joined" && (!before || before->epoch != n.epoch))
      add(now_ms, "node",
          "node " + n.name + " joined" + (n.rejoins > 0 ? " again" : ""));
    if (n.state == "lost" && (!before || before->state != "lost"))
      add(now_ms, "node", "node " + n.name + " lost: " + n.lost_reason);
  }
  auto& r = now.recovery;
  auto& rb = last_.recovery;
  for (auto& [category, count] : r.failures) {
    auto i = rb.failures.find(category);
    if (auto n = grew(count, i == rb.failures.end() ? 0 : i->second))
      add(now_ms, "recovery", category + " failure" + times(n));
  }
  if (auto n = grew(r.recovered, rb.recovered))
    add(now_ms, "recovery", "recovered: the model runs again" + times(n));
  if (auto n = grew(r.exhausted, rb.exhausted))
    add(now_ms, "recovery", "exhausted: the requests got the error" + times(n));
  const std::pair<const char*, uint64_t> actors[] = {
    {"router", grew(now.router_restarts, last_.router_restarts)},
    {"recovery supervisor",
     grew(now.recovery_restarts, last_.recovery_restarts)},
    {"metrics store", grew(now.metrics_restarts, last_.metrics_restarts)},
    {"health monitor", grew(now.health_restarts, last_.health_restarts)},
  };
  for (auto& [name, n] : actors)
    if (n > 0)
      add(now_ms, "runtime", std::string{name} + " started again" + times(n));
  last_ = now;
}

} // namespace webaccel
