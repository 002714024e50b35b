#include "actors/rules/node_table.hpp"

namespace webaccel {

const char* to_string(node_state s) {
  return s == node_state::joined ? "joined" : "lost";
}

std::optional<uint64_t>
node_table::join(const std::string& name, const std::string& address,
                 std::vector<std::string> kinds, int64_t now_ms,
                 std::optional<uint64_t>& replaced, std::string& error) {
  replaced.reset();
  if (!valid_node_name(name, error))
    return std::nullopt;
  auto [i, fresh] = nodes_.try_emplace(name);
  auto& e = i->second;
  if (!fresh) {
    if (e.state == node_state::joined)
      replaced = e.epoch;
    e.rejoins++;
  }
  e.name = name;
  e.address = address;
  e.state = node_state::joined;
  e.epoch++;
  e.kinds = std::move(kinds);
  e.joined_ms = now_ms;
  e.last_seen_ms = now_ms;
  e.lost_ms = 0;
  e.lost_reason.clear();
  return e.epoch;
}

bool node_table::seen(const std::string& name, uint64_t epoch, int64_t now_ms) {
  auto i = nodes_.find(name);
  if (i == nodes_.end() || i->second.epoch != epoch
      || i->second.state != node_state::joined)
    return false;
  i->second.last_seen_ms = now_ms;
  return true;
}

bool node_table::lost(const std::string& name, uint64_t epoch, int64_t now_ms,
                      const std::string& reason) {
  auto i = nodes_.find(name);
  if (i == nodes_.end() || i->second.epoch != epoch
      || i->second.state != node_state::joined)
    return false;
  i->second.state = node_state::lost;
  i->second.lost_ms = now_ms;
  i->second.lost_reason = reason;
  return true;
}

std::vector<std::pair<std::string, uint64_t>>
node_table::silent(int64_t now_ms, int64_t timeout_ms) const {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (auto& [name, e] : nodes_)
    if (e.state == node_state::joined && now_ms - e.last_seen_ms > timeout_ms)
      out.emplace_back(name, e.epoch);
  return out;
}

std::vector<node_entry> node_table::entries() const {
  std::vector<node_entry> out;
  for (auto& [name, e] : nodes_)
    out.push_back(e);
  return out;
}

const node_entry* node_table::find(const std::string& name) const {
  auto i = nodes_.find(name);
  return i == nodes_.end() ? nullptr : &i->second;
}

} // namespace webaccel
