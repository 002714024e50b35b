#include "actors/router.hpp"

#include <optional>

#include <doctest/doctest.h>

#include "actors/pool_supervisor.hpp"
#include "tests/support/tree_fixture.hpp"
#include "transport/net/http_server.hpp"

using namespace webaccel;
using namespace webaccel::test;

TEST_CASE_FIXTURE(tree_fixture, "a model is placed on the first platform the "
                                "browser has, "
                                "loaded, cached and run with provenance") {
  auto h = self->request(pool, caf::infinite, get_atom::value, vad_request());
  run();
  CHECK(launcher.urls->size() == 1);
  page_connects();
  // WebNN comes first in the priority list but the probe said no.
  REQUIRE(channel->texts.size() == 1);
  CHECK(channel->texts[0].find("\"platform\":\"wasm\"") != std::string::npos);
  page_loads();
  model_actor model;
  receive(
    h, [&](model_actor& m) { model = m; },
    [&](caf::error& e) { FAIL(render_error(e)); });
  REQUIRE(model);
  SUBCASE("the same request hits the cache: no new browser, no new load") {
    CHECK(get_model(vad_request()) == model);
    CHECK(launcher.urls->size() == 1);
    CHECK(channel->texts.size() == 1);
  }
  SUBCASE("an inference result carries where and how it ran") {
    auto req = infer_request::of({tensor::from_floats("input", {1}, {1.0f})});
    auto r = self->request(model, caf::infinite, infer_atom::value, req);
    run();
    REQUIRE(channel->binaries.size() == 1);
    auto cmd = wire::decode_infer(channel->binaries[0], wire::limits{});
    REQUIRE(cmd);
    wire::result_frame res{cmd.value->id, {}};
    res.result.outputs = {tensor::from_floats("output", {1, 1}, {0.5f})};
    res.result.compute_ms = 0.2;
    res.result.page_ms = 0.3;
    caf::anon_send(page, binary_atom::value,
                   *wire::encode_result(res, wire::limits{}).value);
    infer_result out;
    receive(
      r, [&](infer_result& x) { out = x; },
      [&](caf::error& e) { FAIL(render_error(e)); });
    CHECK(out.model == "vad");
    CHECK(out.family == model_family::audio);
    CHECK_FALSE(out.simulated);
    CHECK(out.origin.browser == "chromium");
    CHECK(out.origin.browser_version == "156.0.8078.79");
    CHECK(out.origin.platform == "wasm");
    CHECK(out.origin.precision == "fp32");
    // Why: the family's first choice is missing, the first platform too.
    CHECK(out.origin.placement
          == "firefox skipped: no firefox on PATH; chromium/webnn/fp32 failed "
             "with browser_capability: chromium lacks webnn: createContext "
             "failed: cpu: NotSupportedError: WebNN is not supported on this "
             "platform.; recovered by another_platform to chromium/wasm/fp32 "
             "(after: another_browser skipped: no other browser may run it "
             "(allowed: chromium))");
    CHECK(out.time.compute == 0.2);
    CHECK(out.outputs[0].to_floats()[0] == 0.5f);
  }
}

TEST_CASE_FIXTURE(tree_fixture, "requests the registry cannot serve are "
                                "refused before any browser starts") {
  caf::error err;
  auto req = vad_request();
  req.name = "whisper";
  get_model(req, &err);
  CHECK(render_error(err)
        == "invalid_request: unknown model 'whisper' "
           "(known: embed, vad)");
  req = vad_request();
  req.preferences.precision = "q8";
  get_model(req, &err);
  CHECK(render_error(err)
        == "invalid_request: model 'vad' has no q8 variant "
           "(available: fp32)");
  req = vad_request();
  req.family = model_family::vision;
  get_model(req, &err);
  CHECK(err == errc::invalid_request);
  CHECK(launcher.urls->empty());
}

TEST_CASE_FIXTURE(tree_fixture, "a requested browser that is not installed is "
                                "unavailable, with the reason") {
  caf::error err;
  auto req = vad_request();
  req.preferences.browser = "firefox";
  get_model(req, &err);
  CHECK(render_error(err)
        == "browser_unavailable: no usable browser for audio models: firefox "
           "skipped: no firefox on PATH");
}

TEST_CASE_FIXTURE(tree_fixture, "a browser lacking every requested platform "
                                "is a capability error naming each attempt") {
  auto h = self->request(pool, caf::infinite, get_atom::value,
                         vad_request({"webnn"}));
  run();
  page_connects();
  caf::error err;
  receive(
    h, [&](model_actor&) { FAIL("expected an error"); },
    [&](caf::error& e) { err = e; });
  // The chain ran out: the typed error names the category and each attempt.
  CHECK(err == errc::browser_capability);
  CHECK(render_error(err)
        == "browser_capability: vad: recovery from browser_capability "
           "(chromium lacks webnn: createContext failed: cpu: "
           "NotSupportedError: "
           "WebNN is not supported on this platform.) failed; attempts: "
           "another_browser skipped: no other browser may run it (allowed: "
           "chromium); another_platform skipped: no other platform of the "
           "request's list on chromium");
}

TEST_CASE_FIXTURE(tree_fixture, "concurrent requests for one model share "
                                "one placement") {
  auto h1 = self->request(pool, caf::infinite, get_atom::value, vad_request());
  auto h2 = self->request(pool, caf::infinite, get_atom::value, vad_request());
  run();
  page_connects();
  page_loads();
  model_actor m1, m2;
  receive(
    h1, [&](model_actor& m) { m1 = m; },
    [&](caf::error& e) { FAIL(render_error(e)); });
  receive(
    h2, [&](model_actor& m) { m2 = m; },
    [&](caf::error& e) { FAIL(render_error(e)); });
  CHECK(m1 == m2);
  CHECK(launcher.urls->size() == 1);
  CHECK(channel->texts.size() == 1);
}

TEST_CASE_FIXTURE(tree_fixture, "the model cache counts hits and misses, and "
                                "an unloaded instance is forgotten") {
  auto model = placed_model();
  CHECK(get_model(vad_request()) == model);
  CHECK(get_model(vad_request()) == model);
  auto stats = [&] {
    auto s = self->request(pool, caf::infinite, stats_atom::value);
    run();
    pool_stats out;
    receive(
      s, [&](pool_stats& x) { out = x; },
      [&](caf::error& e) { FAIL(render_error(e)); });
    return out.models;
  };
  auto before = stats();
  CHECK(before.misses == 1);
  CHECK(before.hits == 2);
  CHECK(before.instances == 1);
  auto unload = [&] {
    auto u = self->request(pool, caf::infinite, unload_atom::value, model);
    run();
    bool out = false;
    receive(
      u, [&](bool x) { out = x; },
      [&](caf::error& e) { FAIL(render_error(e)); });
    return out;
  };
  CHECK(unload());
  CHECK_FALSE(unload()); // Already gone.
  auto after = stats();
  CHECK(after.unloads == 1);
  CHECK(after.instances == 0);
  // The page was told to release the session once its last tenant left.
  REQUIRE_FALSE(channel->texts.empty());
  CHECK(channel->texts.back() == R"({"key":"vad/fp32@wasm","type":"unload"})");
}

TEST_CASE_FIXTURE(tree_fixture, "a full model queue refuses more with "
                                "overloaded; a missed deadline is retried "
                                "after a backoff and answered once") {
  auto model = placed_model();
  auto req = infer_request::of({tensor::from_floats("input", {1}, {1.0f})}, 50);
  auto first = self->request(model, caf::infinite, infer_atom::value, req);
  auto second = self->request(model, caf::infinite, infer_atom::value, req);
  auto third = self->request(model, caf::infinite, infer_atom::value, req);
  run();
  // The page never answers; the third found the queue (max_queue 2) full.
  receive(
    third, [&](infer_result&) { FAIL("expected overloaded"); },
    [&](caf::error& e) {
      CHECK(render_error(e)
            == "overloaded: vad has 2 requests waiting (max_queue 2); retry "
               "later");
    });
  CHECK(channel->binaries.size() == 2);
  // Their 50 ms deadline passes: a timeout, whose chain starts with a
  // retry after 1 to 1.25 s.
  sched.clock().advance_time(std::chrono::milliseconds{60});
  run();
  CHECK(channel->binaries.size() == 2);
  sched.clock().advance_time(std::chrono::milliseconds{1300});
  run();
  // Sent again to the same page, which answers this time.
  REQUIRE(channel->binaries.size() == 4);
  for (size_t i = 2; i < 4; ++i) {
    auto cmd = wire::decode_infer(channel->binaries[i], wire::limits{});
    REQUIRE(cmd);
    wire::result_frame res{cmd.value->id, {}};
    res.result.outputs = {tensor::from_floats("output", {1, 1}, {0.5f})};
    caf::anon_send(page, binary_atom::value,
                   *wire::encode_result(res, wire::limits{}).value);
  }
  for (auto* h2 : {&first, &second})
    receive(
      *h2, [&](infer_result& out) { CHECK(out.outputs.size() == 1); },
      [&](caf::error& e) { FAIL(render_error(e)); });
  // Two recoveries: WebNN at placement, then the timeout by a retry.
  auto h = self->request(pool, caf::infinite, stats_atom::value);
  receive(
    h,
    [&](pool_stats& stats) {
      auto& r = stats.recovery;
      CHECK(r.cases == 2);
      CHECK(r.recovered == 2);
      CHECK(r.failures["browser_capability"] == 1);
      CHECK(r.strategies["another_platform"].succeeded == 1);
      CHECK(r.failures["timeout"] == 1);
      CHECK(r.strategies["retry"].succeeded == 1);
      CHECK(r.time_to_recover["timeout"].count == 1);
    },
    [&](caf::error& e) { FAIL(render_error(e)); });
}

TEST_CASE_FIXTURE(tree_fixture, "a batch closes at half its size when the "
                                "page has nothing to do, else at its delay "
                                "or when full") {
  model_request req;
  req.family = model_family::text_embedding;
  req.name = "embed";
  auto model = placed_model(req); // Batches of up to 4, 5 ms delay.
  auto ask = [&] {
    auto r = infer_request::of({tensor::from_floats("input", {1}, {1.0f})});
    return self->request(model, caf::infinite, infer_atom::value, r);
  };
  auto items_of = [&](size_t i) {
    auto cmd = wire::decode_infer(channel->binaries.at(i), wire::limits{});
    REQUIRE(cmd);
    return cmd.value->inputs.size();
  };
  auto h1 = ask();
  run();
  CHECK(channel->binaries.empty()); // One is not half a batch.
  auto h2 = ask();
  run();
  // Two of four, and the page is idle: they go now.
  REQUIRE(channel->binaries.size() == 1);
  CHECK(items_of(0) == 2);
  for (int i = 0; i < 2; ++i)
    ask();
  run();
  // The page has a batch: these wait for two more or for 5 ms.
  CHECK(channel->binaries.size() == 1);
  sched.clock().advance_time(std::chrono::milliseconds{5});
  run();
  REQUIRE(channel->binaries.size() == 2);
  CHECK(items_of(1) == 2);
  for (int i = 0; i < 4; ++i)
    ask();
  run();
  // Full: it goes at once (to be held by the connection behind the other
  // two until one of them is answered).
  CHECK(channel->binaries.size() == 2);
  auto first = wire::decode_infer(channel->binaries[0], wire::limits{});
  wire::result_frame res{first.value->id, {}};
  res.result.outputs = {tensor::from_floats("output", {2, 1}, {1.0f, 2.0f})};
  caf::anon_send(page, binary_atom::value,
                 *wire::encode_result(res, wire::limits{}).value);
  run();
  REQUIRE(channel->binaries.size() == 3);
  CHECK(items_of(2) == 4);
  for (auto* h : {&h1, &h2})
    receive(
      *h, [&](infer_result& r) { CHECK(r.batch_size == 2); },
      [&](caf::error& e) { FAIL(render_error(e)); });
}
