// The whole actor tree (root, router, recovery, a chromium supervisor) on
// the deterministic scheduler, with a stand-in browser whose page the test
// plays: it connects, says hello, loads and answers as the test tells it.
#pragma once

#include <functional>
#include <optional>

#include "actors/pool_supervisor.hpp"
#include "tests/support/deterministic_fixture.hpp"
#include "tests/support/fake_page.hpp"
#include "transport/net/http_server.hpp"

namespace webaccel::test {

struct tree_fixture : deterministic_fixture {
  /// `tweak` changes the config before the tree starts.
  explicit tree_fixture(std::function<void(pool_config&)> tweak = {}) {
    pool_config cfg;
    cfg.connection.routes = routes;
    cfg.connection.origin = "http://127.0.0.1:9";
    cfg.connection.pool.heartbeat_ms
      = 0; // The stand-in pages are never pinged.
    cfg.make_launcher = [this](const std::string& kind,
                               std::string& error) -> browser_launcher {
      if (kind != "chromium") {
        error = kind + " is not installed";
        return nullptr;
      }
      return launcher;
    };
    model_entry vad;
    vad.name = "vad";
    vad.family = model_family::audio;
    vad.max_queue = 2;
    vad.variants.push_back(
      {"fp32", false, {{"model", {"/vad.onnx", std::string(64, 'b'), 10}}}});
    auto embed = vad;
    embed.name = "embed";
    embed.family = model_family::text_embedding;
    embed.max_queue = 16;
    embed.batch_dimension = true;
    embed.batching = {4, 5};
    cfg.router.models = {{"vad", vad}, {"embed", embed}};
    cfg.router.browsers = {"chromium"};
    cfg.router.missing_browsers = {{"firefox", "no firefox on PATH"}};
    cfg.kinds = {{"chromium", pool_kind_config{}}};
    // The root's test hooks (kill-router, kill-recovery).
    cfg.recovery.fault_injection = true;
    if (tweak)
      tweak(cfg);
    pool = spawn_pool_supervisor(sys, cfg);
    run();
  }

  ~tree_fixture() {
    auto h = self->request(pool, caf::infinite, shutdown_atom::value);
    receive(
      h, [](bool) {}, [](caf::error&) {});
  }

  model_request
  vad_request(std::vector<std::string> platforms = {"webnn", "wasm"}) {
    model_request req;
    req.family = model_family::audio;
    req.name = "vad";
    req.preferences.priority_list = std::move(platforms);
    return req;
  }

  /// The browser's page connects and says hello.
  void page_connects() {
    auto peer = routes->take_bridge(launcher.last_token());
    REQUIRE(peer);
    page = *peer;
    caf::anon_send(page, opened_atom::value,
                   std::static_pointer_cast<bridge_channel>(channel));
    caf::anon_send(page, text_atom::value,
                   wire::encode_hello(chromium_like_capabilities()));
    run();
  }

  /// The page answers the last load command.
  void page_loads() {
    REQUIRE(!channel->texts.empty());
    auto& text = channel->texts.back();
    auto id = std::stoull(text.substr(text.find("\"id\":") + 5));
    auto platform = text.substr(text.find("\"platform\":\"") + 12, 4);
    auto key_at = text.find("\"key\":\"") + 7;
    auto key = text.substr(key_at, text.find('"', key_at) - key_at);
    caf::anon_send(
      page, text_atom::value,
      wire::encode_loaded(
        {id, {key, platform, platform, {"input"}, {"output"}, 3, 0, {}}}));
    run();
  }

  /// A model (vad unless told), placed on a browser that starts, says hello
  /// and loads it.
  model_actor placed_model(std::optional<model_request> req = std::nullopt) {
    auto h = self->request(pool, caf::infinite, get_atom::value,
                           req ? *req : vad_request());
    run();
    page_connects();
    page_loads();
    model_actor model;
    receive(
      h, [&](model_actor& m) { model = m; },
      [&](caf::error& e) { FAIL(render_error(e)); });
    return model;
  }

  model_actor get_model(const model_request& req, caf::error* err = nullptr) {
    auto h = self->request(pool, caf::infinite, get_atom::value, req);
    run();
    model_actor out;
    receive(
      h, [&](model_actor& m) { out = m; },
      [&](caf::error& e) {
        REQUIRE_MESSAGE(err != nullptr, render_error(e));
        *err = e;
      });
    return out;
  }

  /// The page answers the last inference it was sent.
  void page_answers_last() {
    REQUIRE(!channel->binaries.empty());
    auto cmd = wire::decode_infer(channel->binaries.back(), wire::limits{});
    REQUIRE(cmd);
    wire::result_frame res{cmd.value->id, {}};
    res.result.outputs = {tensor::from_floats("output", {1, 1}, {0.5f})};
    caf::anon_send(page, binary_atom::value,
                   *wire::encode_result(res, wire::limits{}).value);
  }

  /// Runs one inference on `model`; the page answers it.
  infer_result infer_answered(const model_actor& model) {
    auto before = channel->binaries.size();
    auto req = infer_request::of({tensor::from_floats("input", {1}, {1.0f})});
    auto r = self->request(model, caf::infinite, infer_atom::value, req);
    run();
    REQUIRE(channel->binaries.size() == before + 1);
    page_answers_last();
    infer_result out;
    receive(
      r, [&](infer_result& x) { out = x; },
      [&](caf::error& e) { FAIL(render_error(e)); });
    return out;
  }

  /// Asks the root to kill one of its children (test hook).
  bool kill_child(const std::string& which) {
    auto h = self->request(pool, caf::infinite, fault_atom::value, int32_t{0},
                           "kill-" + which, uint32_t{0});
    bool found = false;
    receive(
      h, [&](bool x) { found = x; },
      [&](caf::error& e) { FAIL(render_error(e)); });
    run();
    return found;
  }

  pool_stats stats() {
    auto h = self->request(pool, caf::infinite, stats_atom::value);
    pool_stats out;
    receive(
      h, [&](pool_stats& x) { out = x; },
      [&](caf::error& e) { FAIL(render_error(e)); });
    return out;
  }

  /// Timers and request timeouts pending on the deterministic clock.
  size_t pending_timers() {
    return sched.clock().schedule().size();
  }

  /// Moves the clock on by `d` and fires what came due.
  void advance(std::chrono::milliseconds d) {
    sched.clock().current_time += d;
    sched.clock().trigger_expired_timeouts();
    run();
  }

  fake_launcher launcher;
  std::shared_ptr<http_routes> routes = std::make_shared<http_routes>();
  std::shared_ptr<recording_channel> channel
    = std::make_shared<recording_channel>();
  pool_supervisor_actor pool;
  /// The connection as the transport would see it.
  bridge_peer_actor page;
};

} // namespace webaccel::test
