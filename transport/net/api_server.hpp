// The HTTP/1.1 server `webaccel serve` answers on (Beast): keep-alive
// connections, bounded request heads and bodies, a deadline for reading
// each request (a slow client is cut off), bearer tokens compared in
// constant time, and a drain that stops accepting while the requests in
// flight are answered. It knows nothing of inference: each request goes to
// the handler, which answers once, from any thread. With a TLS identity it
// serves HTTPS (and WSS) only; sessions are written over a stream type so
// that TLS goes under them.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "transport/net/tls_identity.hpp"

namespace webaccel {

struct api_request {
  /// "GET", "POST", ...
  std::string method;
  /// The path, without the query.
  std::string path;
  std::string query;
  /// Header names in lower case.
  std::map<std::string, std::string> headers;
  std::string body;
};

struct api_response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  /// Extra headers (Retry-After, Inference-Header-Content-Length, ...).
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Answers one request; call it exactly once, from any thread.
using api_reply = std::function<void(api_response)>;
using api_handler = std::function<void(api_request, api_reply)>;

/// A WebSocket a client opened on one of the server's WebSocket paths. The
/// server owns it while the client is connected; others keep weak_ptrs.
class api_socket {
public:
  virtual ~api_socket() = default;

  /// Queues a text message, from any thread; false once closed. A client
  /// that reads slower than it is sent to loses the oldest queued ones.
  virtual bool send(std::string text) = 0;

  virtual bool is_open() const = 0;
};

/// Called, on an I/O thread, with each WebSocket once it is open, and the
/// request that opened it.
using api_socket_handler
  = std::function<void(std::weak_ptr<api_socket>, const api_request&)>;

struct api_server_options {
  std::string host = "127.0.0.1";
  /// 0 picks an ephemeral port.
  uint16_t port = 8000;
  /// Required as "Authorization: Bearer <token>" on every path but the
  /// open ones; empty = none. A host that is not loopback needs one.
  std::string bearer_token;
  /// Paths starting with one of these need no token (health probes).
  std::vector<std::string> open_prefixes{"/v2/health/",
                                         "/dashboard/dashboard.js"};
  /// Paths starting with one of these may carry the token as a `token=`
  /// query parameter instead (a browser cannot add headers to a page's
  /// WebSocket).
  std::vector<std::string> query_token_prefixes{"/dashboard"};
  /// Paths where a WebSocket upgrade is accepted (and handed to the
  /// socket handler).
  std::vector<std::string> websocket_paths;
  /// Queued messages a WebSocket keeps for a slow client.
  size_t websocket_queue = 4;
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 64u << 20;
  /// A request must arrive whole within this, and an idle keep-alive
  /// connection is closed after it.
  std::chrono::milliseconds read_timeout{30000};
  /// I/O threads.
  size_t threads = 2;
  /// Serve HTTPS with this certificate and key; null = plain HTTP.
  std::shared_ptr<const tls_identity> tls;
};

/// Whether `host` is a loopback address (127.0.0.0/8, ::1, localhost).
bool is_loopback_host(const std::string& host);

/// `a == b` in time that does not depend on where they differ.
bool constant_time_equal(const std::string& a, const std::string& b);

class api_server {
public:
  /// Binds and serves. @throws std::runtime_error naming the address if it
  /// cannot bind, or if a non-loopback host has no bearer token.
  static std::unique_ptr<api_server> start(api_server_options opts,
                                           api_handler handler,
                                           api_socket_handler on_socket = {});

  ~api_server();

  api_server(const api_server&) = delete;
  api_server& operator=(const api_server&) = delete;

  uint16_t port() const {
    return port_;
  }

  /// Stops accepting connections; requests that arrive on open ones are
  /// refused with 503 and Connection: close. Those in flight go on.
  void drain();

  /// Requests handed to the handler and not answered yet.
  size_t in_flight() const;

  /// Closes every connection and joins the I/O threads. Whoever sends to
  /// this server's WebSockets stops before.
  void stop();

  struct impl;

private:
  api_server() = default;

  std::shared_ptr<impl> impl_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
};

} // namespace webaccel
