#include "actors/node_registry.hpp"

#include <chrono>
#include <map>

#include <caf/all.hpp>

#include "actors/rules/node_table.hpp"
#include "config/logging.hpp"
#include "transport/net/node_auth.hpp"

namespace webaccel {

namespace {

/// Hellos not followed by a join are forgotten past this many.
constexpr size_t max_open_challenges = 256;

/// A hello's challenge, waiting for its join.
struct open_challenge {
  std::string name;
  std::string head_nonce;
  uint64_t order = 0;
};

struct node_registry_state {
  static inline const char* name = "node_registry";

  node_registry_config cfg;
  node_table book;
  /// By the node's nonce: each is good for one join.
  std::map<std::string, open_challenge> challenges;
  uint64_t hellos = 0;
  /// Each joined node's pool: its name and epoch.
  std::map<caf::actor_addr, std::pair<std::string, uint64_t>> links;
};

using self_ptr = node_registry_actor::stateful_pointer<node_registry_state>;

int64_t now_ms(self_ptr self) {
  using namespace std::chrono;
  return duration_cast<milliseconds>(self->clock().now().time_since_epoch())
    .count();
}

void forget_oldest_challenge(node_registry_state& st) {
  auto oldest = st.challenges.begin();
  for (auto i = st.challenges.begin(); i != st.challenges.end(); ++i)
    if (i->second.order < oldest->second.order)
      oldest = i;
  st.challenges.erase(oldest);
}

caf::result<node_challenge> hello(self_ptr self, const std::string& name,
                                  const std::string& node_nonce) {
  auto& st = self->state;
  std::string error;
  if (!valid_node_name(name, error))
    return make_error(errc::invalid_request, "node hello: " + error);
  if (!is_node_nonce(node_nonce))
    return make_error(errc::protocol_violation,
                      "node " + name + ": its nonce is not 64 hex digits");
  if (st.challenges.size() >= max_open_challenges)
    forget_oldest_challenge(st);
  node_challenge out;
  out.head_nonce = make_node_nonce();
  out.head_proof = node_proof(st.cfg.secret, node_role::head, out.head_nonce,
                              node_nonce, name);
  st.challenges[node_nonce] = {name, out.head_nonce, ++st.hellos};
  return out;
}

caf::result<uint64_t> join(self_ptr self, node_offer& offer) {
  auto& st = self->state;
  auto refuse = [&](const std::string& why) {
    logger()->warn("node '{}' may not join: {}", offer.name, why);
    return make_error(errc::protocol_violation,
                      "node '" + offer.name + "' may not join: " + why);
  };
  auto ch = st.challenges.find(offer.node_nonce);
  if (ch == st.challenges.end() || ch->second.name != offer.name
      || ch->second.head_nonce != offer.head_nonce)
    return refuse("no hello of this name and nonce waits for a join");
  st.challenges.erase(ch);
  if (!node_proof_matches(offer.proof, st.cfg.secret, node_role::node,
                          offer.node_nonce, offer.head_nonce, offer.name))
    return refuse("its proof does not match (is the shared secret the same "
                  "on both sides?)");
  if (!offer.pool)
    return refuse("it offers no pool");
  std::optional<uint64_t> replaced;
  std::string error;
  auto epoch = st.book.join(offer.name, offer.host, offer.kinds, now_ms(self),
                            replaced, error);
  if (!epoch)
    return refuse(error);
  self->monitor(offer.pool);
  st.links[offer.pool.address()] = {offer.name, *epoch};
  std::string kinds;
  for (auto& k : offer.kinds)
    kinds += (kinds.empty() ? "" : ", ") + k;
  logger()->info("node '{}' joined from {} (epoch {}{}), offering: {}",
                 offer.name, offer.host, *epoch,
                 replaced ? ", replacing epoch " + std::to_string(*replaced)
                          : std::string{},
                 kinds.empty() ? "no browsers" : kinds);
  caf::anon_send(st.cfg.pool, joined_atom::value, offer.name, *epoch,
                 offer.host, offer.pool, offer.kinds);
  return *epoch;
}

node_registry_actor::behavior_type node_registry(self_ptr self,
                                                 node_registry_config cfg) {
  self->state.cfg = std::move(cfg);
  self->set_down_handler([=](const caf::down_msg& msg) {
    auto& st = self->state;
    auto i = st.links.find(msg.source);
    if (i == st.links.end())
      return;
    auto [name, epoch] = i->second;
    st.links.erase(i);
    auto why = msg.reason ? "its link ended: " + render_error(msg.reason)
                          : std::string{"it stopped"};
    // A stale epoch was replaced by a newer join: nothing is lost.
    if (!st.book.lost(name, epoch, now_ms(self), why))
      return;
    logger()->warn("node '{}' (epoch {}) is lost: {}", name, epoch, why);
    caf::anon_send(st.cfg.pool, lost_atom::value, name, epoch, why);
  });
  return {
    [=](hello_atom, const std::string& name, const std::string& nonce) {
      return hello(self, name, nonce);
    },
    [=](join_atom, node_offer& offer) { return join(self, offer); },
    [=](shutdown_atom) {
      self->quit();
      return true;
    },
  };
}

} // namespace

node_registry_actor spawn_node_registry(caf::actor_system& sys,
                                        node_registry_config cfg) {
  return sys.spawn(node_registry, std::move(cfg));
}

} // namespace webaccel
