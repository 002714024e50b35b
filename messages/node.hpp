// What a webaccel node and its head exchange: the handshake (see
// transport/net/node_auth.hpp for the proofs), what a node offers, and
// the bids a placement compares (node_stats is in pool_stats.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/meta/type_name.hpp>

namespace webaccel {

/// The head's answer to a node's hello: its own nonce, and its proof that
/// it knows the shared secret.
struct node_challenge {
  std::string head_nonce;
  std::string head_proof;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_challenge& x) {
  return f(caf::meta::type_name("node_challenge"), x.head_nonce, x.head_proof);
}

/// A node's join: its proof over both nonces, and the browser pool it
/// offers to the head's router.
struct node_offer {
  std::string name;
  /// Its host name, and webaccel's version there.
  std::string host;
  std::string version;
  std::string node_nonce;
  std::string head_nonce;
  std::string proof;
  /// The browser kinds it runs.
  std::vector<std::string> kinds;
  /// Its pool supervisor (a pool_supervisor_actor; untyped because that
  /// interface carries this message).
  caf::actor pool;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_offer& x) {
  return f(caf::meta::type_name("node_offer"), x.name, x.host, x.version,
           x.node_nonce, x.head_nonce, x.proof, x.kinds, x.pool);
}

/// A node's bid for a model, or the local pool's (see choose_source).
struct placement_bid {
  /// browser_choice's basis: none (it would wait), warm, idle, fresh,
  /// least_loaded, past_budget.
  uint8_t basis = 0;
  /// Model instances on the browser it would use.
  uint32_t load = 0;
  bool healthy = true;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, placement_bid& x) {
  return f(caf::meta::type_name("placement_bid"), x.basis, x.load, x.healthy);
}

} // namespace webaccel
