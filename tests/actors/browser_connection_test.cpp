#include "actors/browser_connection.hpp"

#include <doctest/doctest.h>

#include "tests/support/deterministic_fixture.hpp"
#include "tests/support/fake_page.hpp"
#include "transport/net/http_server.hpp"
#include "transport/wire/wire_bundle.hpp"

using namespace webaccel;
using namespace webaccel::test;

namespace {

struct connection_fixture : deterministic_fixture {
  connection_fixture() {
    browser_connection_config cfg;
    cfg.kind = "chromium";
    cfg.launch = launcher;
    cfg.routes = routes;
    cfg.origin = "http://127.0.0.1:9";
    cfg.timeouts.launch_ms = 1000;
    cfg.timeouts.infer_ms = 500;
    cfg.pool.heartbeat_ms = 0; // The stand-in page is never pinged.
    conn = spawn_browser_connection(sys, cfg);
    run();
  }

  ~connection_fixture() {
    caf::anon_send(conn, shutdown_atom::value);
    run();
  }

  /// Does what the transport does when the page connects and says hello.
  void page_connects() {
    auto peer = routes->take_bridge(launcher.last_token());
    REQUIRE(peer);
    caf::anon_send(*peer, opened_atom::value,
                   std::static_pointer_cast<bridge_channel>(channel));
    caf::anon_send(*peer, text_atom::value,
                   wire::encode_hello(chromium_like_capabilities()));
    run();
  }

  loaded_model load(const std::string& platform, caf::error* err = nullptr) {
    model_spec spec;
    spec.name = "vad";
    spec.variant.parts["model"] = {"/m.onnx", std::string(64, 'a'), 10};
    auto h = self->request(conn, caf::infinite, load_atom::value, spec,
                           platform);
    run();
    if (err == nullptr) {
      REQUIRE(channel->texts.size() >= 1);
      auto cmd = nlohmann_id(channel->texts.back());
      wire::loaded reply{cmd,
                         {"vad/fp32@" + platform,
                          platform,
                          platform,
                          {"input"},
                          {"output"},
                          12.5,
                          0,
                          {}}};
      caf::anon_send(conn, text_atom::value, wire::encode_loaded(reply));
    }
    loaded_model out;
    receive(
      h, [&](loaded_model& m) { out = m; },
      [&](caf::error& e) {
        REQUIRE_MESSAGE(err != nullptr, render_error(e));
        *err = e;
      });
    return out;
  }

  /// The "id" of a JSON command the connection sent.
  static uint64_t nlohmann_id(const std::string& text) {
    auto pos = text.find("\"id\":");
    return std::stoull(text.substr(pos + 5));
  }

  fake_launcher launcher;
  std::shared_ptr<http_routes> routes = std::make_shared<http_routes>();
  std::shared_ptr<recording_channel> channel
    = std::make_shared<recording_channel>();
  browser_connection_actor conn;
};

page_infer_request one_input() {
  return page_infer_request::of(
    infer_request::of({tensor::from_floats("input", {1, 2}, {0.25f, 0.5f})}));
}

} // namespace

TEST_CASE_FIXTURE(connection_fixture, "ready answers with the capabilities the "
                                      "page probed") {
  CHECK(launcher.urls->size() == 1);
  CHECK(launcher.urls->front().rfind("http://127.0.0.1:9/?token=", 0) == 0);
  auto h = self->request(conn, caf::infinite, ready_atom::value);
  page_connects();
  browser_capabilities caps;
  receive(
    h, [&](browser_capabilities& c) { caps = c; },
    [&](caf::error& e) { FAIL(render_error(e)); });
  CHECK(caps.browser == "chromium");
  CHECK(caps.browser_version == "156.0.8078.79");
  CHECK(caps.adapter.fallback);
  CHECK_FALSE(caps.webnn.available);
}

TEST_CASE_FIXTURE(connection_fixture, "a bridge token works only once") {
  CHECK(routes->take_bridge(launcher.last_token()));
  CHECK_FALSE(routes->take_bridge(launcher.last_token()));
}

TEST_CASE_FIXTURE(connection_fixture, "a load and an inference travel as "
                                      "frames and come back") {
  page_connects();
  auto loaded = load("wasm");
  CHECK(loaded.key == "vad/fp32@wasm");
  CHECK(loaded.load_ms == 12.5);
  CHECK(channel->texts.back().find("\"url\":\"/models/aaaa")
        != std::string::npos);
  CHECK(routes->model_path(std::string(64, 'a')) == "/m.onnx");
  auto h = self->request(conn, caf::infinite, infer_atom::value, loaded.key,
                         one_input());
  run();
  REQUIRE(channel->binaries.size() == 1);
  auto cmd = wire::decode_infer(channel->binaries[0], wire::limits{});
  REQUIRE(cmd);
  CHECK(cmd.value->key == "vad/fp32@wasm");
  CHECK(cmd.value->inputs[0].to_floats() == std::vector<float>{0.25f, 0.5f});
  wire::result_frame res{cmd.value->id, {}};
  res.result.outputs = {tensor::from_floats("output", {1, 1}, {0.75f})};
  res.result.compute_ms = 0.3;
  caf::anon_send(conn, binary_atom::value,
                 *wire::encode_result(res, wire::limits{}).value);
  page_result out;
  receive(
    h, [&](page_result& r) { out = r; },
    [&](caf::error& e) { FAIL(render_error(e)); });
  CHECK(out.outputs[0].to_floats()[0] == 0.75f);
  CHECK(out.compute_ms == 0.3);
}

TEST_CASE_FIXTURE(connection_fixture, "requests arriving while the page is "
                                      "busy "
                                      "go together in one bundle, and each "
                                      "gets "
                                      "its own answer") {
  page_connects();
  auto loaded = load("wasm");
  auto ask = [&] {
    return self->request(conn, caf::infinite, infer_atom::value, loaded.key,
                         one_input());
  };
  auto h1 = ask();
  auto h2 = ask();
  auto h3 = ask();
  auto h4 = ask();
  run();
  // Two messages at the page at once; the other two are held.
  REQUIRE(channel->binaries.size() == 2);
  auto first = wire::decode_infer(channel->binaries[0], wire::limits{});
  REQUIRE(first);
  wire::result_frame res{first.value->id, {}};
  res.result.outputs = {tensor::from_floats("output", {1, 1}, {1.0f})};
  caf::anon_send(conn, binary_atom::value,
                 *wire::encode_result(res, wire::limits{}).value);
  run();
  REQUIRE(channel->binaries.size() == 3);
  REQUIRE(wire::is_bundle(channel->binaries[2]));
  auto bundle = wire::decode_bundle(channel->binaries[2], wire::limits{});
  REQUIRE(bundle);
  REQUIRE(bundle.value->size() == 2);
  std::vector<uint64_t> ids;
  for (auto& f : *bundle.value) {
    auto cmd = wire::decode_infer(f.bytes, wire::limits{});
    REQUIRE(cmd);
    ids.push_back(cmd.value->id);
  }
  // The page answers the bundle with a bundle: a result and an error.
  wire::result_frame third{ids[0], {}};
  third.result.outputs = {tensor::from_floats("output", {1, 1}, {3.0f})};
  auto error = wire::encode_page_error({ids[1], "Error", "bad input"});
  auto reply = wire::encode_bundle(
    {{true, *wire::encode_result(third, wire::limits{}).value},
     {false, std::vector<uint8_t>(error.begin(), error.end())}},
    wire::limits{});
  REQUIRE(reply);
  caf::anon_send(conn, binary_atom::value, *reply.value);
  run();
  auto value = [&](auto& h) {
    float out = -1;
    receive(
      h, [&](page_result& r) { out = r.outputs.at(0).to_floats().at(0); },
      [&](caf::error&) { out = 0; });
    return out;
  };
  CHECK(value(h1) == 1.0f);
  CHECK(value(h3) == 3.0f);
  CHECK(value(h4) == 0); // Its error.
  // The second message is still at the page; its deadline fails it alone.
  trigger_timeouts();
  caf::error err;
  receive(
    h2, [&](page_result&) { FAIL("expected a timeout"); },
    [&](caf::error& e) { err = e; });
  CHECK(err == errc::timeout);
}

TEST_CASE_FIXTURE(connection_fixture, "loading on a platform the browser lacks "
                                      "is a capability "
                                      "error with the probe's reason") {
  page_connects();
  caf::error err;
  load("webnn", &err);
  CHECK(err == errc::browser_capability);
  CHECK(render_error(err).find("NotSupportedError") != std::string::npos);
}

TEST_CASE_FIXTURE(connection_fixture, "page errors are classified into "
                                      "categories") {
  page_connects();
  auto loaded = load("wasm");
  auto h = self->request(conn, caf::infinite, infer_atom::value, loaded.key,
                         one_input());
  run();
  auto cmd = wire::decode_infer(channel->binaries.back(), wire::limits{});
  caf::anon_send(conn, text_atom::value,
                 wire::encode_page_error({cmd.value->id, "RangeError",
                                          "WebAssembly.Memory(): could not "
                                          "allocate memory: out "
                                          "of memory"}));
  caf::error err;
  receive(
    h, [&](page_result&) { FAIL("expected an error"); },
    [&](caf::error& e) { err = e; });
  CHECK(err == errc::out_of_memory);
}

TEST_CASE_FIXTURE(connection_fixture, "an unanswered inference fails with a "
                                      "timeout at its "
                                      "deadline") {
  page_connects();
  auto loaded = load("wasm");
  auto h = self->request(conn, caf::infinite, infer_atom::value, loaded.key,
                         one_input());
  run();
  trigger_timeouts();
  caf::error err;
  receive(
    h, [&](page_result&) { FAIL("expected a timeout"); },
    [&](caf::error& e) { err = e; });
  CHECK(err == errc::timeout);
}

TEST_CASE_FIXTURE(connection_fixture, "a page that never says hello fails the "
                                      "handshake") {
  auto h = self->request(conn, caf::infinite, ready_atom::value);
  run();
  trigger_timeouts();
  caf::error err;
  receive(
    h, [&](browser_capabilities&) { FAIL("expected an error"); },
    [&](caf::error& e) { err = e; });
  CHECK(err == errc::connection);
  CHECK(render_error(err).find("did not say hello") != std::string::npos);
}

TEST_CASE_FIXTURE(connection_fixture, "a browser exit fails every request in "
                                      "flight as a crash") {
  page_connects();
  auto loaded = load("wasm");
  auto h1 = self->request(conn, caf::infinite, infer_atom::value, loaded.key,
                          one_input());
  auto h2 = self->request(conn, caf::infinite, infer_atom::value, loaded.key,
                          one_input());
  run();
  caf::anon_send(conn, exited_atom::value, int32_t{9},
                 std::string{"killed by signal 9"});
  int crashes = 0;
  for (auto* h : {&h1, &h2})
    receive(
      *h, [&](page_result&) { FAIL("expected an error"); },
      [&](caf::error& e) { crashes += e == errc::browser_crash; });
  CHECK(crashes == 2);
  CHECK(channel->closed);
}

TEST_CASE_FIXTURE(connection_fixture, "garbage from the page is ignored and "
                                      "the bridge keeps "
                                      "working") {
  page_connects();
  caf::anon_send(conn, text_atom::value, std::string{"{not json"});
  caf::anon_send(conn, binary_atom::value, std::vector<uint8_t>{1, 2, 3});
  caf::anon_send(conn, text_atom::value,
                 std::string{R"({"type":"loaded","id":999})"});
  run();
  auto loaded = load("wasm");
  CHECK(loaded.key == "vad/fp32@wasm");
}
