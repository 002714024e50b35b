// A small blocking HTTP/1.1 client for JSON APIs on plain http:// URLs
// (a WebDriver remote end). One request per connection, bounded in time
// and in reply size.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace webaccel {

/// "http://host:port/base" split up.
struct http_endpoint {
  std::string host;
  std::string port;
  /// Path prefix without a trailing slash ("" or "/wd/hub").
  std::string base_path;
};

/// Parses an http:// URL; nullopt and `error` if it is not one.
std::optional<http_endpoint> parse_http_url(const std::string& url,
                                            std::string& error);

struct http_reply {
  unsigned status = 0;
  std::string body;
};

/// Lets another thread end requests in flight at once (a browser that is
/// stopped while its session request waits in a Grid's queue). Once
/// cancelled, it stays cancelled: later requests fail at once too.
class http_cancel {
public:
  void cancel();
  bool cancelled() const;

private:
  friend struct http_cancel_scope;
  mutable std::mutex mtx_;
  bool cancelled_ = false;
  std::vector<boost::asio::io_context*> running_;
};

/// Sends `method` (GET, POST, DELETE) to base_path + `path` with a JSON
/// body (empty = none). nullopt and `error` if the peer cannot be reached,
/// breaks HTTP, takes longer than `timeout` (connecting, sending and
/// reading together), or `cancel` is cancelled.
std::optional<http_reply>
http_json_request(const http_endpoint& peer, const std::string& method,
                  const std::string& path, const std::string& body,
                  std::chrono::milliseconds timeout, std::string& error,
                  http_cancel* cancel = nullptr);

} // namespace webaccel
