#include "actors/supervisor/slots.hpp"

#include <algorithm>

namespace webaccel::supervisor {

uint32_t live_count(const slot_table& slots) {
  uint32_t n = 0;
  for (auto& [id, s] : slots)
    if (s.state != phase::draining)
      ++n;
  return n;
}

uint64_t find_slot(const slot_table& slots, const caf::actor_addr& addr) {
  for (auto& [id, s] : slots)
    if (s.conn && s.conn.address() == addr)
      return id;
  return 0;
}

slot* least_loaded(slot_table& slots) {
  slot* best = nullptr;
  for (auto& [id, s] : slots)
    if (s.state == phase::ready && (best == nullptr || s.load < best->load))
      best = &s;
  return best;
}

std::vector<browser_candidate> candidates(const slot_table& slots,
                                          const placement_hint& hint,
                                          double healthy_score) {
  std::vector<browser_candidate> out;
  for (auto& [id, s] : slots) {
    if (s.state != phase::ready || s.last.breaker == breaker_state::open
        || (hint.gone_connection != 0 && s.conn.id() == hint.gone_connection))
      continue;
    auto& keys = s.last.loaded_models;
    out.push_back(
      {id, s.load, std::max(s.last.process_bytes, s.last.page_heap_bytes),
       !hint.model_key.empty()
         && std::find(keys.begin(), keys.end(), hint.model_key) != keys.end(),
       s.last.health_score >= healthy_score});
  }
  return out;
}

uint64_t slot_in_backoff(const slot_table& slots) {
  for (auto& [id, s] : slots)
    if (s.state == phase::backoff)
      return id;
  return 0;
}

bool restart_launching(const slot_table& slots) {
  for (auto& [id, s] : slots)
    if (s.state == phase::launching && s.restarting)
      return true;
  return false;
}

kind_stats snapshot(const slot_table& slots, kind_stats counters,
                    const std::string& kind) {
  auto out = std::move(counters);
  out.kind = kind;
  out.connections.clear();
  out.restarting = 0;
  for (auto& [id, s] : slots) {
    if (s.state == phase::backoff) {
      out.restarting++;
      continue;
    }
    auto c = s.last;
    c.kind = kind;
    c.state = s.state == phase::launching  ? "launching"
              : s.state == phase::draining ? "draining"
                                           : "ready";
    out.connections.push_back(std::move(c));
  }
  return out;
}

} // namespace webaccel::supervisor
