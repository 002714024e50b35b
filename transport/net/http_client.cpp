#include "transport/net/http_client.hpp"

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

std::optional<http_reply>
http_json_request(const http_endpoint& peer, const std::string& method,
                  const std::string& path, const std::string& body,
                  std::chrono::milliseconds timeout, std::string& error) {
  auto verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) {
    error = "unknown HTTP method " + method;
    return std::nullopt;
  }
  auto where = method + " http://" + peer.host + ":" + peer.port
               + peer.base_path + path;
  try {
    net::io_context ioc;
    net::ip::tcp::resolver resolver{ioc};
    beast::tcp_stream stream{ioc};
    stream.expires_after(timeout);
    stream.connect(resolver.resolve(peer.host, peer.port));
    http::request<http::string_body> req{verb, peer.base_path + path, 11};
    req.set(http::field::host, peer.host + ":" + peer.port);
    req.set(http::field::user_agent, "webaccel");
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json; charset=utf-8");
      req.body() = body;
    }
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_reply_bytes);
    http::read(stream, buffer, parser);
    beast::error_code ignored;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    auto& res = parser.get();
    return http_reply{res.result_int(), res.body()};
  } catch (const std::exception& e) {
    error = where + ": " + e.what();
    return std::nullopt;
  }
}

} // namespace webaccel
