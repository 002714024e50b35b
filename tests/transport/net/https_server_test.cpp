#include "transport/net/http_server.hpp"

#include <filesystem>
#include <fstream>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <caf/all.hpp>
#include <doctest/doctest.h>

using namespace webaccel;

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

namespace {

/// A server with a generated identity, and clients that trust exactly it.
struct tls_fixture {
  std::filesystem::path dir;
  std::shared_ptr<tls_identity> id = std::make_shared<tls_identity>();
  std::shared_ptr<http_server> server;
  boost::asio::io_context ioc;
  ssl::context client_ctx{ssl::context::tls_client};

  tls_fixture() {
    namespace fs = std::filesystem;
    dir = fs::temp_directory_path()
          / ("webaccel-https-test-" + make_bridge_token().substr(0, 8));
    fs::create_directories(dir);
    std::ofstream{dir / "index.html"} << "<!doctype html>worker";
    std::string error;
    REQUIRE_MESSAGE(generate_tls_identity({"127.0.0.1"}, *id, error), error);
    server = http_server::start({"127.0.0.1", 0, dir.string(), 1024, id});
    client_ctx.add_certificate_authority(
      boost::asio::buffer(id->certificate_pem));
    client_ctx.set_verify_mode(ssl::verify_peer);
  }

  ~tls_fixture() {
    server->stop();
    std::filesystem::remove_all(dir);
  }

  tcp::endpoint endpoint() const {
    return {boost::asio::ip::make_address("127.0.0.1"), server->port()};
  }

  /// A verified TLS connection (the certificate must name 127.0.0.1).
  beast::ssl_stream<beast::tcp_stream> connect() {
    beast::ssl_stream<beast::tcp_stream> stream{ioc, client_ctx};
    beast::get_lowest_layer(stream).connect(endpoint());
    stream.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
    stream.handshake(ssl::stream_base::client);
    return stream;
  }
};

} // namespace

TEST_CASE_FIXTURE(tls_fixture, "over TLS the page is served from an https "
                               "origin, verified against the identity") {
  CHECK(server->origin()
        == "https://127.0.0.1:" + std::to_string(server->port()));
  auto stream = connect();
  http::request<http::empty_body> req{http::verb::get, "/", 11};
  req.set(http::field::host, "127.0.0.1");
  http::write(stream, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(stream, buf, res);
  CHECK(res.result() == http::status::ok);
  CHECK(res.body() == "<!doctype html>worker");
}

TEST_CASE_FIXTURE(tls_fixture, "plain HTTP to a TLS port gets no page, and "
                               "a client that trusts another key cannot "
                               "connect") {
  SUBCASE("plain HTTP") {
    beast::tcp_stream plain{ioc};
    plain.connect(endpoint());
    http::request<http::empty_body> req{http::verb::get, "/", 11};
    req.set(http::field::host, "127.0.0.1");
    http::write(plain, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    beast::error_code ec;
    http::read(plain, buf, res, ec);
    CHECK(ec); // Not an HTTP response: the server expects a TLS hello.
  }
  SUBCASE("another key") {
    tls_identity other;
    std::string error;
    REQUIRE(generate_tls_identity({"127.0.0.1"}, other, error));
    ssl::context ctx{ssl::context::tls_client};
    ctx.add_certificate_authority(boost::asio::buffer(other.certificate_pem));
    ctx.set_verify_mode(ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream{ioc, ctx};
    beast::get_lowest_layer(stream).connect(endpoint());
    beast::error_code ec;
    stream.handshake(ssl::stream_base::client, ec);
    CHECK(ec);
  }
  // The server survived both.
  CHECK_NOTHROW(connect());
}

TEST_CASE_FIXTURE(tls_fixture, "a bridge over WSS reaches its actor") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto token = make_bridge_token();
  server->routes().expect_bridge(token,
                                 caf::actor_cast<bridge_peer_actor>(self));
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws{connect()};
  ws.handshake("127.0.0.1", "/bridge?token=" + token);
  ws.text(true);
  ws.write(boost::asio::buffer(std::string{"{\"type\":\"pong\",\"id\":1}"}));
  bool opened = false;
  std::string text;
  self->receive(
    [&](opened_atom, bridge_channel_ptr& ch) { opened = ch != nullptr; });
  self->receive([&](text_atom, std::string& t) { text = t; });
  CHECK(opened);
  CHECK(text == "{\"type\":\"pong\",\"id\":1}");
  ws.close(websocket::close_code::normal);
  std::string closed;
  self->receive([&](closed_atom, std::string& why) { closed = why; });
  CHECK(closed == "closed by the page (code 1000)");
}
