// The head's webaccel nodes as the pool supervisor sees them: which joined
// (and so take part in placement), which were lost and why, and the fan-outs
// that bring their bids, stats and health to the head. The registry
// (actors/node_registry) decides who may join; this is what the pool does
// with them.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/node_id.hpp>

#include "actors/countdown.hpp"
#include "messages/interfaces.hpp"

namespace webaccel {

/// A joined node's pool, as the head places models on it.
struct node_source {
  std::string name;
  uint64_t epoch = 0;
  std::string host;
  pool_supervisor_actor pool;
  std::vector<std::string> kinds;
};

class node_sources {
public:
  /// A node joined (replacing an older epoch of its name).
  void join(node_source node);

  /// A node was lost: false (and nothing changes) for a stale epoch.
  bool lose(const std::string& name, uint64_t epoch, const std::string& why);

  /// Joined nodes that run browsers of `kind`, by name.
  std::vector<node_source> offering(const std::string& kind) const;

  /// The joined node whose actors live on CAF node `id`; null if none.
  const node_source* on(const caf::node_id& id) const;

  std::vector<node_source> joined() const;

  /// Every node that ever joined, without its browsers.
  std::vector<node_stats> book() const;

  bool empty() const {
    return book_.empty();
  }

private:
  std::map<std::string, node_source> joined_;
  std::map<std::string, node_stats> book_;
};

/// The pools that bid for a model of `kind`: this runtime's own
/// supervisor of that kind (null if it has none) and the nodes.
struct bidders {
  browser_supervisor_actor local;
  std::vector<node_source> nodes;
};

/// Asks every bidder what it would choose (bids unanswered within
/// `bid_wait` lose), then takes a connection from the best (choose_source),
/// waiting up to `connect_wait` for it; answers `rp`.
void place_among(pool_supervisor_actor::pointer self, bidders who,
                 const std::string& kind, const placement_hint& hint,
                 std::chrono::milliseconds bid_wait,
                 std::chrono::milliseconds connect_wait,
                 caf::typed_response_promise<browser_connection_actor> rp);

/// Adds each node to `out->nodes`, with its browsers as its pool reports
/// them (a node that does not answer in time is listed without).
void add_node_stats(pool_supervisor_actor::pointer self,
                    const node_sources& nodes, std::shared_ptr<pool_stats> out,
                    std::shared_ptr<countdown> all);

/// Adds what a health monitor knows to `into`: its browsers (named by
/// `node`, unless that is "") and counters; per platform, requests and failures
/// add up and the latency percentiles are the slower side's.
void merge_health(health_report& into, health_report from,
                  const std::string& node);

/// Asks every joined node for its health and merges it into `out`.
void add_node_health(pool_supervisor_actor::pointer self,
                     const node_sources& nodes,
                     std::shared_ptr<health_report> out,
                     std::shared_ptr<countdown> all);

} // namespace webaccel
