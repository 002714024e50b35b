// The runtime as a head that takes webaccel nodes, and as a node that
// joins a head: CAF's io middleman carries the actor messages between
// them; the registry's handshake (transport/net/node_auth) decides who may
// join. See actors/node_registry.hpp.
#include <unistd.h>

#include <caf/io/all.hpp>

#include "actors/node_registry.hpp"
#include "actors/runtime_impl.hpp"
#include "config/default_config.hpp"
#include "config/logging.hpp"
#include "transport/net/node_auth.hpp"

namespace webaccel {

namespace {

using ms = std::chrono::milliseconds;

/// How long the head has for each step of the handshake.
constexpr ms handshake_wait{10000};

std::string read_secret(const std::string& path) {
  std::string secret;
  std::string error;
  if (path.empty())
    throw config_error("nodes.secret_file: nodes need a shared secret (see "
                       "the README, \"Nodes\")");
  if (!read_node_secret(path, secret, error))
    throw config_error("nodes.secret_file: " + error);
  return secret;
}

} // namespace

bool uses_nodes(const runtime_config& cfg) {
  return cfg.nodes.listen_port != 0 || !cfg.nodes.join.empty();
}

void tune_for_nodes(caf::actor_system_config& sys_cfg, const node_policy& p) {
  sys_cfg.load<caf::io::middleman>();
  // Only webaccel peers complete CAF's handshake.
  sys_cfg.set("middleman.app-identifiers",
              std::vector<std::string>{"webaccel"});
  sys_cfg.set("middleman.heartbeat-interval",
              caf::timespan{ms{p.heartbeat_ms}});
  sys_cfg.set("middleman.connection-timeout", caf::timespan{ms{p.timeout_ms}});
}

void serve_own_model_files(runtime::impl& rt) {
  for (auto& [name, entry] : rt.cfg.models)
    for (auto* file : files_of(entry))
      rt.server->routes().add_model(file->sha256, file->path);
}

void take_nodes(runtime::impl& rt) {
  auto& np = rt.cfg.nodes;
  node_registry_config rc;
  rc.secret = read_secret(np.secret_file);
  rc.pool = rt.pool;
  rt.registry = spawn_node_registry(rt.sys, std::move(rc));
  auto host = np.listen_host.empty() ? rt.cfg.host : np.listen_host;
  auto port = rt.sys.middleman().publish(rt.registry, np.listen_port,
                                         host.c_str(), true);
  if (!port)
    throw std::runtime_error("cannot take nodes on " + host + ":"
                             + std::to_string(np.listen_port) + ": "
                             + rt.sys.render(port.error()));
  rt.node_port = *port;
  logger()->info("taking webaccel nodes on {}:{}", host, rt.node_port);
}

void stop_taking_nodes(runtime::impl& rt) {
  if (!rt.registry)
    return;
  rt.sys.middleman().unpublish(rt.registry, rt.node_port);
  caf::anon_send_exit(rt.registry, caf::exit_reason::user_shutdown);
  rt.registry = nullptr;
}

uint16_t runtime::node_port() const {
  return impl_->node_port;
}

std::string runtime::offer_to_head(const std::atomic<bool>& stop) {
  auto& c = impl_->cfg;
  if (c.nodes.join.empty())
    throw failure{errc::invalid_request,
                  "this runtime is no node (nodes.join is not set)"};
  std::string host;
  uint16_t port = 0;
  std::string error;
  if (!parse_head_address(c.nodes.join, host, port, error))
    throw config_error("nodes.join: " + error);
  auto secret = read_secret(c.nodes.secret_file);
  auto& sys = impl_->sys;
  auto head = sys.middleman().remote_actor<node_registry_actor>(host, port);
  if (!head)
    return "cannot reach the head at " + c.nodes.join + ": "
           + sys.render(head.error());
  caf::scoped_actor self{sys};
  auto name = c.nodes.name;
  auto nonce = make_node_nonce();
  std::optional<node_challenge> challenge;
  caf::error err;
  self->request(*head, handshake_wait, hello_atom::value, name, nonce)
    .receive([&](node_challenge& x) { challenge = std::move(x); },
             [&](caf::error& e) { err = std::move(e); });
  if (!challenge)
    return "the head at " + c.nodes.join
           + " did not answer the hello: " + render_error(err);
  if (!node_proof_matches(challenge->head_proof, secret, node_role::head,
                          challenge->head_nonce, nonce, name))
    throw failure{errc::protocol_violation,
                  "the head at " + c.nodes.join
                    + " does not prove it knows the shared secret (is it the "
                      "same on both sides?)"};
  node_offer offer;
  offer.name = name;
  offer.host = host_name().empty() ? "unknown" : host_name();
  offer.version = webaccel_version;
  offer.node_nonce = nonce;
  offer.head_nonce = challenge->head_nonce;
  offer.proof = node_proof(secret, node_role::node, nonce,
                           challenge->head_nonce, name);
  if (c.nodes.local_browsers)
    for (auto& [kind, found] : impl_->browsers.installed)
      offer.kinds.push_back(kind);
  offer.pool = caf::actor_cast<caf::actor>(impl_->pool);
  std::optional<uint64_t> epoch;
  self->request(*head, handshake_wait, join_atom::value, offer)
    .receive([&](uint64_t x) { epoch = x; },
             [&](caf::error& e) { err = std::move(e); });
  if (!epoch) {
    auto f = to_failure(err);
    if (f.code() == errc::protocol_violation
        || f.code() == errc::invalid_request)
      throw f; // Refused: trying again does not help.
    return "the head at " + c.nodes.join
           + " did not take the join: " + f.what();
  }
  logger()->info("joined the head at {} as '{}' (epoch {})", c.nodes.join, name,
                 *epoch);
  self->monitor(*head);
  std::string ended;
  while (ended.empty() && !stop)
    self->receive(
      [&](caf::down_msg& down) {
        ended = "the link to the head at " + c.nodes.join
                + " ended: " + render_error(down.reason);
      },
      caf::after(ms{200}) >> [] {});
  return ended;
}

} // namespace webaccel
