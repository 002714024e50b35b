// The head's book of webaccel nodes: who joined, under which epoch, who was
// lost and why, and who has gone silent. A name that joins again replaces
// its older link (a restarted node, or one whose old connection the head
// has not noticed dropping yet); a report about an older epoch is stale
// and ignored. The node_registry actor applies it with its clock's time.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/node_policy.hpp"

namespace webaccel {

enum class node_state { joined, lost };

const char* to_string(node_state s);

struct node_entry {
  std::string name;
  /// Where it connected from ("10.0.0.7:41234").
  std::string address;
  node_state state = node_state::joined;
  /// 1 for its first join, +1 for each join after.
  uint64_t epoch = 0;
  /// Joins after the first.
  uint64_t rejoins = 0;
  /// Browser kinds it offers.
  std::vector<std::string> kinds;
  int64_t joined_ms = 0;
  int64_t last_seen_ms = 0;
  int64_t lost_ms = 0;
  /// Why it was lost (empty while joined).
  std::string lost_reason;
};

class node_table {
public:
  /// A join of `name`: its new epoch, or nullopt and `error` for a name
  /// that is not valid. A name already joined is replaced: the caller
  /// drops the older link (`replaced` is set to its epoch).
  std::optional<uint64_t>
  join(const std::string& name, const std::string& address,
       std::vector<std::string> kinds, int64_t now_ms,
       std::optional<uint64_t>& replaced, std::string& error);

  /// `name` under `epoch` answered at `now_ms`. False for a stale epoch.
  bool seen(const std::string& name, uint64_t epoch, int64_t now_ms);

  /// `name` under `epoch` was lost. False (and nothing changes) for a
  /// stale epoch or one already lost.
  bool lost(const std::string& name, uint64_t epoch, int64_t now_ms,
            const std::string& reason);

  /// Joined nodes not seen for longer than `timeout_ms`, with their epochs.
  std::vector<std::pair<std::string, uint64_t>>
  silent(int64_t now_ms, int64_t timeout_ms) const;

  /// Every node ever joined, by name.
  std::vector<node_entry> entries() const;

  const node_entry* find(const std::string& name) const;

private:
  std::map<std::string, node_entry> nodes_;
};

} // namespace webaccel
