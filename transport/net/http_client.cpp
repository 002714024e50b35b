#include "transport/net/http_client.hpp"

#include <algorithm>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace webaccel {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

namespace {

// WebDriver replies are small JSON documents.
constexpr uint64_t max_reply_bytes = 4u * 1024 * 1024;

} // namespace

std::optional<http_endpoint> parse_http_url(const std::string& url,
                                            std::string& error) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) {
    error = "'" + url + "' is not an http:// URL";
    return std::nullopt;
  }
  auto rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  http_endpoint out;
  out.base_path = slash == std::string::npos ? "" : rest.substr(slash);
  while (!out.base_path.empty() && out.base_path.back() == '/')
    out.base_path.pop_back();
  auto colon = authority.rfind(':');
  out.host = authority.substr(0, colon);
  out.port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  if (out.host.empty() || out.port.empty()
      || out.port.find_first_not_of("0123456789") != std::string::npos) {
    error = "'" + url + "' has no valid host:port";
    return std::nullopt;
  }
  return out;
}

void http_cancel::cancel() {
  std::lock_guard<std::mutex> guard{mtx_};
  cancelled_ = true;
  for (auto* ioc : running_)
    ioc->stop(); // Thread-safe: the request's run() returns.
}

bool http_cancel::cancelled() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return cancelled_;
}

/// Registers a request's io_context with its cancel token while it runs.
struct http_cancel_scope {
  http_cancel_scope(http_cancel* c, net::io_context& ioc) : c_(c), ioc_(ioc) {
    if (c_ == nullptr)
      return;
    std::lock_guard<std::mutex> guard{c_->mtx_};
    if (c_->cancelled_)
      ioc_.stop();
    c_->running_.push_back(&ioc_);
  }

  ~http_cancel_scope() {
    if (c_ == nullptr)
      return;
    std::lock_guard<std::mutex> guard{c_->mtx_};
    auto& r = c_->running_;
    r.erase(std::remove(r.begin(), r.end(), &ioc_), r.end());
  }

  http_cancel* c_;
  net::io_context& ioc_;
};

std::optional<http_reply>
http_json_request(const http_endpoint& peer, const std::string& method,
                  const std::string& path, const std::string& body,
                  std::chrono::milliseconds timeout, std::string& error,
                  http_cancel* cancel) {
  auto verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) {
    error = "unknown HTTP method " + method;
    return std::nullopt;
  }
  auto where = method + " http://" + peer.host + ":" + peer.port
               + peer.base_path + path;
  // Asynchronous steps on a private io_context: Beast's deadlines apply to
  // asynchronous operations only, and a cancel can stop it.
  net::io_context ioc;
  net::ip::tcp::resolver resolver{ioc};
  beast::tcp_stream stream{ioc};
  http::request<http::string_body> req{verb, peer.base_path + path, 11};
  req.set(http::field::host, peer.host + ":" + peer.port);
  req.set(http::field::user_agent, "webaccel");
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json; charset=utf-8");
    req.body() = body;
  }
  req.prepare_payload();
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(max_reply_bytes);
  beast::error_code failed;
  bool done = false;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto fail = [&](beast::error_code ec) {
    failed = ec;
    done = true;
  };
  resolver.async_resolve(
    peer.host, peer.port,
    [&](beast::error_code ec, net::ip::tcp::resolver::results_type found) {
      if (ec)
        return fail(ec);
      stream.expires_at(deadline);
      stream.async_connect(found, [&](beast::error_code ec2,
                                      const net::ip::tcp::endpoint&) {
        if (ec2)
          return fail(ec2);
        http::async_write(stream, req, [&](beast::error_code ec3, size_t) {
          if (ec3)
            return fail(ec3);
          http::async_read(stream, buffer, parser,
                           [&](beast::error_code ec4, size_t) {
                             if (ec4)
                               return fail(ec4);
                             done = true;
                           });
        });
      });
    });
  {
    http_cancel_scope scope{cancel, ioc};
    ioc.run_until(deadline + std::chrono::milliseconds{100});
  }
  if (!done) {
    error
      = where + ": "
        + (cancel != nullptr && cancel->cancelled()
             ? std::string{"cancelled"}
             : "no answer within " + std::to_string(timeout.count()) + " ms");
    return std::nullopt;
  }
  if (failed) {
    error = where + ": "
            + (failed == beast::error::timeout
                 ? "no answer within " + std::to_string(timeout.count()) + " ms"
                 : failed.message());
    return std::nullopt;
  }
  beast::error_code ignored;
  stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  auto& res = parser.get();
  return http_reply{res.result_int(), res.body()};
}

} // namespace webaccel
