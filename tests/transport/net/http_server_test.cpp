#include "transport/net/http_server.hpp"

#include <filesystem>
#include <fstream>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <caf/all.hpp>
#include <doctest/doctest.h>

#include "config/sha256.hpp"

using namespace webaccel;

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

namespace {

/// A served assets directory and a server on an ephemeral port.
struct server_fixture {
  server_fixture() {
    namespace fs = std::filesystem;
    dir = fs::temp_directory_path()
          / ("webaccel-http-test-" + make_bridge_token().substr(0, 8));
    fs::create_directories(dir / "node_modules/onnxruntime-web/dist");
    fs::create_directories(dir / "pipelines");
    std::ofstream{dir / "pipelines/wav.js"} << "export {};";
    std::ofstream{dir / "index.html"} << "<!doctype html>worker";
    std::ofstream{dir / "main.js"} << "export {};";
    std::ofstream{dir / "node_modules/onnxruntime-web/dist/ort.wasm.min.mjs"}
      << "// ort";
    std::ofstream{dir / "model.onnx"} << "model bytes";
    server = http_server::start({"127.0.0.1", 0, dir.string(), 1024, nullptr});
  }

  ~server_fixture() {
    server->stop();
    std::filesystem::remove_all(dir);
  }

  http::response<http::string_body> get(const std::string& target) {
    boost::asio::io_context ioc;
    beast::tcp_stream stream{ioc};
    stream.connect(tcp::endpoint{boost::asio::ip::make_address("127.0.0.1"),
                                 server->port()});
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    http::write(stream, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(stream, buf, res);
    return res;
  }

  std::filesystem::path dir;
  std::shared_ptr<http_server> server;
};

} // namespace

TEST_CASE_FIXTURE(server_fixture, "the worker page is served cross-origin "
                                  "isolated") {
  auto res = get("/");
  CHECK(res.result() == http::status::ok);
  CHECK(res.body() == "<!doctype html>worker");
  CHECK(res[http::field::content_type] == "text/html; charset=utf-8");
  CHECK(res["Cross-Origin-Opener-Policy"] == "same-origin");
  CHECK(res["Cross-Origin-Embedder-Policy"] == "require-corp");
  CHECK(get("/main.js")[http::field::content_type]
        == "text/javascript; charset=utf-8");
  CHECK(get("/ort/ort.wasm.min.mjs").body() == "// ort");
  CHECK(get("/pipelines/wav.js").body() == "export {};");
}

TEST_CASE_FIXTURE(server_fixture, "only known shapes of paths are served, "
                                  "never outside") {
  CHECK(get("/../../etc/passwd").result() == http::status::not_found);
  CHECK(get("/ort/../../index.html").result() == http::status::not_found);
  CHECK(get("/model.onnx").result() == http::status::not_found);
  CHECK(get("/missing.js").result() == http::status::not_found);
  CHECK(get("/pipelines/../main.js").result() == http::status::not_found);
  CHECK(get("/node_modules/x/main.js").result() == http::status::not_found);
}

TEST_CASE_FIXTURE(server_fixture, "model files are served by sha256 with "
                                  "immutable caching") {
  auto sha = sha256_hex("model bytes");
  CHECK(get("/models/" + sha).result() == http::status::not_found);
  server->routes().add_model(sha, (dir / "model.onnx").string());
  auto res = get("/models/" + sha);
  CHECK(res.result() == http::status::ok);
  CHECK(res.body() == "model bytes");
  CHECK(res[http::field::cache_control]
        == "public, max-age=31536000, immutable");
}

TEST_CASE_FIXTURE(server_fixture, "a bridge WebSocket needs the one-time token "
                                  "and then "
                                  "reaches its actor") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto token = make_bridge_token();
  server->routes().expect_bridge(token,
                                 caf::actor_cast<bridge_peer_actor>(self));
  auto connect = [&](const std::string& target) {
    boost::asio::io_context ioc;
    websocket::stream<beast::tcp_stream> ws{ioc};
    beast::get_lowest_layer(ws).connect(tcp::endpoint{
      boost::asio::ip::make_address("127.0.0.1"), server->port()});
    beast::error_code ec;
    ws.handshake("127.0.0.1", target, ec);
    if (!ec) {
      ws.text(true);
      ws.write(boost::asio::buffer(std::string{"{\"type\":\"pong\",\"id\":"
                                               "1}"}));
      // A frame over the 1024-byte limit closes the bridge.
      ws.binary(true);
      ws.write(boost::asio::buffer(std::vector<uint8_t>(2048, 0)), ec);
      beast::flat_buffer buf;
      ws.read(buf, ec);
    }
    return ec;
  };
  SUBCASE("missing or wrong token: rejected and nothing reaches the actor") {
    CHECK(connect("/bridge") == websocket::error::upgrade_declined);
    CHECK(connect("/bridge?token=0123456789abcdef")
          == websocket::error::upgrade_declined);
    // The rejection was answered synchronously above, so anything the
    // server had sent would already be in the mailbox.
    bool got_something = false;
    self->receive([&](caf::message&) { got_something = true; },
                  caf::after(std::chrono::milliseconds{50}) >> [] {});
    CHECK_FALSE(got_something);
  }
  SUBCASE("right token: opened, then the frame, then closed for the "
          "oversized one") {
    CHECK(connect("/bridge?token=" + token));
    bool opened = false;
    std::string text, closed;
    self->receive(
      [&](opened_atom, bridge_channel_ptr& ch) { opened = ch != nullptr; });
    self->receive([&](text_atom, std::string& t) { text = t; });
    self->receive([&](closed_atom, std::string& why) { closed = why; });
    CHECK(opened);
    CHECK(text == "{\"type\":\"pong\",\"id\":1}");
    CHECK(closed == "the page sent a message over the limit of 1024 bytes");
    SUBCASE("and the token cannot be used twice") {
      CHECK(connect("/bridge?token=" + token)
            == websocket::error::upgrade_declined);
    }
  }
}
