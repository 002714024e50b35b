// The config's "nodes" section: how a head takes webaccel nodes, and how a
// node joins one. Plain data; actors/node_registry and the node command
// apply it.
#pragma once

#include <cstdint>
#include <string>

namespace webaccel {

struct node_policy {
  /// Head: take nodes on this port (0 = take none).
  uint16_t listen_port = 0;
  /// Head: the address that port binds ("" = the server's host).
  std::string listen_host;
  /// Both: the file holding the shared secret (see node_auth.hpp). A head
  /// that takes nodes, and every node, needs one.
  std::string secret_file;
  /// This runtime's name in results' provenance, stats and metrics: a
  /// node's name on its head ("local" for a runtime without a head).
  std::string name = "local";
  /// Node: the head it joins, "HOST:PORT" ("" = this is no node). Its
  /// browsers then serve only the model files of its own config.
  std::string join;
  /// Head: whether it runs browsers of its own (false: only its nodes').
  bool local_browsers = true;
  /// CAF's heartbeat between head and node, and the silence after which
  /// the link counts as lost (a node cut off without a close).
  uint32_t heartbeat_ms = 500;
  uint32_t timeout_ms = 2000;
};

/// Whether `name` may name a node: 1 to 64 of [A-Za-z0-9._-]. Sets
/// `error` when not.
bool valid_node_name(const std::string& name, std::string& error);

/// This machine's host name ("" if it has none).
std::string host_name();

/// Splits a head's address, "HOST:PORT" (an IPv6 host in brackets), into
/// `host` and `port` (1..65535). Sets `error` when it cannot.
bool parse_head_address(const std::string& address, std::string& host,
                        uint16_t& port, std::string& error);

} // namespace webaccel
