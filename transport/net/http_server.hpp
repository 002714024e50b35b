// The runtime's HTTP(S) server, on loopback by default (Beast). It serves the
// worker page and onnxruntime-web from browser_assets, model files by sha256,
// and upgrades /bridge?token=... to the WebSocket of the browser connection
// that was given that one-time token. Holds no actor logic: it delivers
// bridge events to a `bridge_peer_actor` from messages/.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "config/log_rate_limit.hpp"
#include "messages/interfaces.hpp"
#include "transport/net/tls_identity.hpp"

namespace webaccel {

/// What the server serves and how.
struct http_server_options {
  std::string host = "127.0.0.1";
  /// 0 picks an ephemeral port.
  uint16_t port = 0;
  /// Directory with index.html and the page's modules.
  std::string assets_dir;
  /// Largest WebSocket message accepted from a page.
  uint64_t max_message_bytes = 16u * 1024 * 1024;
  /// Serve HTTPS and WSS with this identity; plain HTTP when null. Pages
  /// from another machine need it: an http:// origin that is not loopback
  /// is not a secure context, and has neither WebGPU nor WebNN.
  std::shared_ptr<const tls_identity> tls;
};

/// Shared registries the sessions read; guarded by one mutex.
class http_routes {
public:
  /// Serves `path` at /models/<sha256>.
  void add_model(const std::string& sha256, const std::string& path);

  /// The file registered for `sha256`, if any.
  std::optional<std::string> model_path(const std::string& sha256) const;

  /// Lets exactly one WebSocket with `token` reach `peer`.
  void expect_bridge(const std::string& token, bridge_peer_actor peer);

  /// Withdraws a token that was not used.
  void forget_bridge(const std::string& token);

  /// Consumes `token`: returns its peer once, then never again.
  std::optional<bridge_peer_actor> take_bridge(const std::string& token);

  /// Whether to log one more rejected bridge (a client's bad token is
  /// outside input: at most 5 lines per 10 s). `suppressed` receives how
  /// many were held back before it.
  bool may_log_rejection(uint64_t& suppressed);

private:
  mutable std::mutex mtx_;
  log_rate_limit rejection_log_{5, std::chrono::seconds{10}};
  std::map<std::string, std::string> models_;
  std::map<std::string, bridge_peer_actor> bridges_;
};

/// The server. Runs its own I/O thread from start() until stop().
class http_server {
public:
  /// Binds and starts serving. @throws std::runtime_error naming the
  /// address if it cannot bind.
  static std::shared_ptr<http_server> start(http_server_options opts);

  ~http_server();

  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// The bound port (useful when the options asked for port 0).
  uint16_t port() const {
    return port_;
  }

  /// "http://127.0.0.1:PORT", or https:// when serving TLS.
  std::string origin() const;

  http_routes& routes() {
    return *routes_;
  }

  /// Closes the listener and every session, and joins the I/O thread.
  void stop();

  struct impl;

private:
  http_server() = default;

  std::unique_ptr<impl> impl_;
  std::shared_ptr<http_routes> routes_;
  std::thread io_thread_;
  uint16_t port_ = 0;
  std::string host_;
  bool tls_ = false;
};

/// A fresh random token for one browser launch (128 bits, hex).
std::string make_bridge_token();

} // namespace webaccel
