// The serve command's HTTP server over real loopback sockets: routing to
// the handler, keep-alive, bearer tokens, size limits, slow clients, and
// the drain.
#include "transport/net/api_server.hpp"

#include <future>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <doctest/doctest.h>

#include "config/thread_barrier.hpp"
#include "tests/support/log_capture.hpp"

using namespace webaccel;
using namespace std::chrono_literals;
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

/// A blocking client on one keep-alive connection.
class client {
public:
  explicit client(uint16_t port) : socket_(ioc_) {
    socket_.connect({net::ip::make_address("127.0.0.1"), port});
  }

  http::response<http::string_body>
  send(http::verb method, const std::string& target,
       const std::string& body = {},
       std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (auto& [name, value] : headers)
      req.set(name, value);
    req.body() = body;
    req.prepare_payload();
    http::write(socket_, req);
    return receive();
  }

  http::response<http::string_body> receive() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(1u << 26);
    http::read(socket_, buffer_, parser);
    return parser.release();
  }

  /// Writes raw bytes (a request cut short, a huge head).
  void write_raw(const std::string& bytes) {
    net::write(socket_, net::buffer(bytes));
  }

  /// Whether the server closed the connection (reads EOF) within `wait`.
  bool closed_by_server() {
    beast::error_code ec;
    char c;
    socket_.read_some(net::buffer(&c, 1), ec);
    return ec == net::error::eof || ec == net::error::connection_reset;
  }

private:
  net::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

/// Echoes what it got as "METHOD path?query body".
api_handler echo() {
  return [](api_request req, api_reply reply) {
    api_response res;
    res.content_type = "text/plain";
    res.body = req.method + " " + req.path + "?" + req.query + " " + req.body;
    res.headers.emplace_back("X-Seen-Host", req.headers["host"]);
    reply(std::move(res));
  };
}

/// A WebSocket upgrade request's headers (RFC 6455's sample key).
std::vector<std::pair<std::string, std::string>> upgrade_headers() {
  return {{"Upgrade", "websocket"},
          {"Connection", "Upgrade"},
          {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
          {"Sec-WebSocket-Version", "13"}};
}

api_server_options loopback() {
  api_server_options o;
  o.port = 0;
  return o;
}

} // namespace

TEST_CASE("requests reach the handler and answers come back on one "
          "keep-alive connection") {
  auto srv = api_server::start(loopback(), echo());
  client c{srv->port()};
  auto a = c.send(http::verb::get, "/v2/models/m?x=1");
  CHECK(a.result_int() == 200);
  CHECK(a.body() == "GET /v2/models/m?x=1 ");
  CHECK(a[http::field::server] == "webaccel");
  CHECK(a["X-Seen-Host"] == "127.0.0.1");
  CHECK(a.keep_alive());
  auto b = c.send(http::verb::post, "/v2/models/m/infer", "{}");
  CHECK(b.body() == "POST /v2/models/m/infer? {}");
}

TEST_CASE("a token is required on every path but the health probes, and "
          "compared in constant time") {
  auto o = loopback();
  o.bearer_token = "s3cret";
  auto srv = api_server::start(o, echo());
  client c{srv->port()};
  auto none = c.send(http::verb::get, "/v2");
  CHECK(none.result_int() == 401);
  CHECK(none[http::field::www_authenticate] == "Bearer");
  CHECK(
    none.body()
    == R"x({"error":"invalid_request: a valid bearer token is required (Authorization: Bearer <token>)"})x");
  CHECK(c.send(http::verb::get, "/v2", "", {{"Authorization", "Bearer nope"}})
          .result_int()
        == 401);
  CHECK(c.send(http::verb::get, "/v2", "", {{"Authorization", "Bearer s3cret"}})
          .result_int()
        == 200);
  CHECK(c.send(http::verb::get, "/v2/health/live").result_int() == 200);
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "abcd"));
  CHECK_FALSE(constant_time_equal("", "a"));
}

TEST_CASE("only loopback is served without a token") {
  CHECK(is_loopback_host("127.0.0.1"));
  CHECK(is_loopback_host("127.3.4.5"));
  CHECK(is_loopback_host("::1"));
  CHECK(is_loopback_host("localhost"));
  CHECK_FALSE(is_loopback_host("0.0.0.0"));
  CHECK_FALSE(is_loopback_host("10.1.2.3"));
  auto o = loopback();
  o.host = "0.0.0.0";
  CHECK_THROWS_WITH(api_server::start(o, echo()),
                    "refusing to serve on 0.0.0.0 without a bearer token: "
                    "only loopback addresses may be served without one");
}

TEST_CASE("oversized bodies and heads are refused with a status, and the "
          "connection closed") {
  auto o = loopback();
  o.max_body_bytes = 1000;
  o.max_header_bytes = 2000;
  auto srv = api_server::start(o, echo());
  {
    client c{srv->port()};
    auto r = c.send(http::verb::post, "/v2/models/m/infer",
                    std::string(5000, 'x'));
    CHECK(r.result_int() == 413);
    CHECK(
      r.body()
      == R"({"error":"invalid_request: the body is larger than 1000 bytes"})");
    CHECK_FALSE(r.keep_alive());
  }
  {
    client c{srv->port()};
    auto r = c.send(http::verb::get, "/v2", "",
                    {{"X-Padding", std::string(4000, 'p')}});
    CHECK(r.result_int() == 431);
  }
  {
    client c{srv->port()};
    c.write_raw("this is not HTTP\r\n\r\n");
    auto r = c.receive();
    CHECK(r.result_int() == 400);
  }
}

TEST_CASE("a client that sends too slowly is cut off") {
  auto o = loopback();
  o.read_timeout = 200ms;
  auto srv = api_server::start(o, echo());
  client c{srv->port()};
  c.write_raw("GET /v2 HTTP/1.1\r\nHost: x\r\n"); // ...and never the rest.
  auto t0 = std::chrono::steady_clock::now();
  CHECK(c.closed_by_server());
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);
}

TEST_CASE("a drain answers what is in flight, refuses new requests with "
          "503, and accepts no connection") {
  std::promise<api_reply> held;
  auto srv = api_server::start(loopback(),
                               [&](api_request req, api_reply reply) {
                                 if (req.path == "/slow")
                                   held.set_value(std::move(reply));
                                 else
                                   echo()(std::move(req), std::move(reply));
                               });
  client slow{srv->port()};
  client other{srv->port()};
  CHECK(other.send(http::verb::get, "/fast").result_int() == 200);
  auto reply = std::async(std::launch::async,
                          [&] { return slow.send(http::verb::get, "/slow"); });
  auto waiting = held.get_future().get();
  CHECK(srv->in_flight() == 1);
  srv->drain();
  auto refused = other.send(http::verb::get, "/fast");
  CHECK(refused.result_int() == 503);
  CHECK(refused["Retry-After"] == "1");
  CHECK_FALSE(refused.keep_alive());
  // The one in flight is answered (from another thread), then closed.
  std::thread{[&] { waiting({200, "text/plain", "late", {}}); }}.join();
  auto late = reply.get();
  CHECK(late.body() == "late");
  CHECK_FALSE(late.keep_alive());
  CHECK(srv->in_flight() == 0);
  // Replying twice does nothing.
  waiting({500, "text/plain", "twice", {}});
  srv->stop();
}

TEST_CASE("WebSockets open on their paths only, with the token in the "
          "query, and get what is sent to them") {
  auto o = loopback();
  o.bearer_token = "s3cret";
  o.websocket_paths = {"/dashboard/ws"};
  std::promise<std::weak_ptr<api_socket>> opened;
  std::string seen_query;
  auto srv = api_server::start(
    o, echo(), [&](std::weak_ptr<api_socket> s, const api_request& req) {
      seen_query = req.query;
      opened.set_value(std::move(s));
    });
  // The upgrade request by hand: its answer's status.
  auto handshake = [&](const std::string& target) {
    client c{srv->port()};
    return c.send(http::verb::get, target, {}, upgrade_headers()).result_int();
  };
  // No token, a wrong one, a path that takes no WebSocket.
  CHECK(handshake("/dashboard/ws") == 401);
  CHECK(handshake("/dashboard/ws?token=wrong") == 401);
  CHECK(handshake("/v2/models?token=s3cret") == 401);
  net::io_context ioc;
  beast::websocket::stream<tcp::socket> ws{ioc};
  ws.next_layer().connect({net::ip::make_address("127.0.0.1"), srv->port()});
  ws.handshake("127.0.0.1", "/dashboard/ws?token=s3cret");
  auto future = opened.get_future();
  REQUIRE(future.wait_for(10s) == std::future_status::ready);
  CHECK(seen_query == "token=s3cret");
  auto socket = future.get().lock();
  REQUIRE(socket);
  CHECK(socket->is_open());
  CHECK(socket->send("one"));
  CHECK(socket->send("two"));
  beast::flat_buffer buf;
  ws.read(buf);
  CHECK(beast::buffers_to_string(buf.data()) == "one");
  buf.consume(buf.size());
  ws.read(buf);
  CHECK(beast::buffers_to_string(buf.data()) == "two");
  ws.close(beast::websocket::close_code::normal);
  // The server sees the close.
  for (int i = 0; i < 1000 && socket->is_open(); ++i)
    std::this_thread::sleep_for(20ms);
  CHECK_FALSE(socket->is_open());
  CHECK_FALSE(socket->send("three"));
  socket.reset();
  srv->stop();
}

TEST_CASE("a WebSocket upgrade on a path that takes none is refused") {
  auto o = loopback();
  o.websocket_paths = {"/dashboard/ws"};
  auto srv = api_server::start(o, echo());
  client c{srv->port()};
  auto res = c.send(http::verb::get, "/v2", {}, upgrade_headers());
  CHECK(res.result_int() == 404);
  CHECK(res.body().find("no WebSocket at /v2") != std::string::npos);
}

TEST_CASE("a handler that throws answers its request with a 500, and the "
          "server goes on serving") {
  test::log_capture log;
  auto before = caught_exceptions(thread_kind::io);
  auto srv = api_server::start(loopback(),
                               [](api_request req, api_reply reply) {
                                 if (req.path == "/boom")
                                   throw std::runtime_error("a route's bug");
                                 reply({200, "text/plain", "fine", {}});
                               });
  client c{srv->port()};
  auto boom = c.send(http::verb::get, "/boom");
  CHECK(boom.result_int() == 500);
  CHECK(boom.body()
        == R"({"error":"internal: the request failed: a route's bug"})");
  CHECK(caught_exceptions(thread_kind::io) == before + 1);
  // The same connection, and a new one, are served.
  CHECK(c.send(http::verb::get, "/ok").body() == "fine");
  client other{srv->port()};
  CHECK(other.send(http::verb::get, "/ok").body() == "fine");
  CHECK(log.text().find("io thread: a request handler failed with an "
                        "exception: a route's bug")
        != std::string::npos);
}
