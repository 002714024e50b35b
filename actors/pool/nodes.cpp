#include "actors/pool/nodes.hpp"

#include <algorithm>

#include <caf/all.hpp>

#include "actors/rules/source_choice.hpp"

namespace webaccel {

using ms = std::chrono::milliseconds;

// -- node_sources -------------------------------------------------------------

void node_sources::join(node_source node) {
  auto& entry = book_[node.name];
  if (!entry.name.empty())
    entry.rejoins++;
  entry.name = node.name;
  entry.address = node.host;
  entry.state = "joined";
  entry.epoch = node.epoch;
  auto name = node.name;
  joined_[name] = std::move(node);
}

bool node_sources::lose(const std::string& name, uint64_t epoch,
                        const std::string& why) {
  auto i = joined_.find(name);
  if (i == joined_.end() || i->second.epoch != epoch)
    return false;
  joined_.erase(i);
  auto& entry = book_[name];
  entry.state = "lost";
  entry.lost_reason = why;
  return true;
}

std::vector<node_source> node_sources::offering(const std::string& kind) const {
  std::vector<node_source> out;
  for (auto& [name, node] : joined_)
    if (std::find(node.kinds.begin(), node.kinds.end(), kind)
        != node.kinds.end())
      out.push_back(node);
  return out;
}

const node_source* node_sources::on(const caf::node_id& id) const {
  for (auto& [name, node] : joined_)
    if (node.pool && node.pool.node() == id)
      return &node;
  return nullptr;
}

std::vector<node_source> node_sources::joined() const {
  std::vector<node_source> out;
  for (auto& [name, node] : joined_)
    out.push_back(node);
  return out;
}

std::vector<node_stats> node_sources::book() const {
  std::vector<node_stats> out;
  for (auto& [name, entry] : book_)
    out.push_back(entry);
  return out;
}

// -- placement ----------------------------------------------------------------

namespace {

using connection_promise
  = caf::typed_response_promise<browser_connection_actor>;

/// Takes a connection from the winner and hands it on.
template <class Handle, class... Ts>
void connect_from(pool_supervisor_actor::pointer self, const Handle& winner,
                  ms wait, connection_promise rp, Ts&&... xs) {
  self->request(winner, wait, connect_atom::value, std::forward<Ts>(xs)...)
    .then([=](browser_connection_actor& conn) mutable { rp.deliver(conn); },
          [=](caf::error& err) mutable { rp.deliver(err); });
}

} // namespace

void place_among(pool_supervisor_actor::pointer self, bidders who,
                 const std::string& kind, const placement_hint& hint,
                 ms bid_wait, ms connect_wait, connection_promise rp) {
  auto bids = std::make_shared<std::vector<source_bid>>();
  if (who.local)
    bids->push_back({"", std::nullopt});
  for (auto& node : who.nodes)
    bids->push_back({node.name, std::nullopt});
  auto all = make_countdown([=]() mutable {
    auto best = choose_source(*bids);
    if (!best) {
      rp.deliver(make_error(errc::browser_unavailable,
                            "no pool with " + kind
                              + " browsers answered for a placement"));
      return;
    }
    auto& source = (*bids)[*best].source;
    if (source.empty()) {
      connect_from(self, who.local, connect_wait, rp, hint);
      return;
    }
    for (auto& node : who.nodes)
      if (node.name == source)
        connect_from(self, node.pool, connect_wait, rp, kind, hint);
  });
  size_t i = 0;
  auto take = [=](size_t at) {
    return [=](placement_bid& bid) {
      (*bids)[at].bid = bid;
      all->arrive();
    };
  };
  auto lose = [=](caf::error&) { all->arrive(); };
  if (who.local) {
    all->expect();
    self->request(who.local, bid_wait, bid_atom::value, hint)
      .then(take(i++), lose);
  }
  for (auto& node : who.nodes) {
    all->expect();
    self->request(node.pool, bid_wait, bid_atom::value, kind, hint)
      .then(take(i++), lose);
  }
  all->arm();
}

// -- stats and health ---------------------------------------------------------

void add_node_stats(pool_supervisor_actor::pointer self,
                    const node_sources& nodes, std::shared_ptr<pool_stats> out,
                    std::shared_ptr<countdown> all) {
  out->nodes = nodes.book();
  for (auto& node : nodes.joined()) {
    all->expect();
    auto name = node.name;
    self->request(node.pool, ms{10000}, stats_atom::value)
      .then(
        [=](pool_stats& theirs) {
          for (auto& entry : out->nodes)
            if (entry.name == name)
              entry.kinds = std::move(theirs.kinds);
          all->arrive();
        },
        [=](caf::error&) { all->arrive(); });
  }
}

void merge_health(health_report& into, health_report from,
                  const std::string& node) {
  into.enabled = into.enabled || from.enabled;
  if (into.canary_off.empty())
    into.canary_off = from.canary_off;
  for (auto& b : from.browsers) {
    if (!node.empty())
      b.node = node;
    into.browsers.push_back(std::move(b));
  }
  for (auto& p : from.platforms) {
    auto same = std::find_if(into.platforms.begin(), into.platforms.end(),
                             [&](const platform_health& x) {
                               return x.platform == p.platform;
                             });
    if (same == into.platforms.end()) {
      into.platforms.push_back(p);
      continue;
    }
    same->requests += p.requests;
    same->failures += p.failures;
    same->latency_p50_ms = std::max(same->latency_p50_ms, p.latency_p50_ms);
    same->latency_p99_ms = std::max(same->latency_p99_ms, p.latency_p99_ms);
  }
  into.recycled += from.recycled;
  into.samples += from.samples;
  into.canaries += from.canaries;
  into.canary_failures += from.canary_failures;
}

void add_node_health(pool_supervisor_actor::pointer self,
                     const node_sources& nodes,
                     std::shared_ptr<health_report> out,
                     std::shared_ptr<countdown> all) {
  for (auto& node : nodes.joined()) {
    all->expect();
    auto name = node.name;
    self->request(node.pool, ms{10000}, health_atom::value)
      .then(
        [=](health_report& theirs) {
          merge_health(*out, std::move(theirs), name);
          all->arrive();
        },
        [=](caf::error&) { all->arrive(); });
  }
}

} // namespace webaccel
