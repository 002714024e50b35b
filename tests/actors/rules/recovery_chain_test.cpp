#include "actors/rules/recovery_chain.hpp"

#include <doctest/doctest.h>

using namespace webaccel;

namespace {

model_variant variant(const std::string& precision, uint64_t bytes,
                      bool mixed = false) {
  return {
    precision, mixed, {{"model", {"/m.onnx", std::string(64, 'a'), bytes}}}};
}

browser_capabilities caps(bool webgpu, bool webnn) {
  browser_capabilities out;
  out.webgpu = {webgpu, webgpu ? "" : "no adapter"};
  out.webnn = {webnn, webnn ? "" : "createContext failed"};
  out.wasm = {true, ""};
  return out;
}

recovery_options options() {
  recovery_options o;
  o.variants = {variant("fp32", 400), variant("fp16", 200, true),
                variant("q8", 100)};
  o.priority_list = {"webgpu", "webnn", "wasm"};
  o.kinds = {"firefox", "chromium"};
  o.probed = {{"chromium", caps(true, false)}, {"firefox", caps(false, false)}};
  return o;
}

placement_target
target_of(const std::variant<placement_target, std::string>& x) {
  if (auto why = std::get_if<std::string>(&x))
    FAIL("expected a target, got: " << *why);
  return std::get<placement_target>(x);
}

} // namespace

TEST_CASE("each category has the design's strategies, in order") {
  using s = recovery_strategy;
  auto names = [](errc c) {
    std::string out;
    for (auto x : strategy_chain(c))
      out += std::string{out.empty() ? "" : ","} + to_string(x);
    return out;
  };
  CHECK(names(errc::connection) == "retry,restart_browser,another_browser");
  CHECK(names(errc::browser_crash) == "restart_browser,another_browser");
  CHECK(names(errc::out_of_memory)
        == "smaller_variant,lower_precision,another_browser");
  CHECK(names(errc::timeout) == "retry,restart_browser");
  CHECK(names(errc::unsupported_operation)
        == "another_platform,another_browser");
  CHECK(names(errc::browser_capability) == "another_browser,another_platform");
  CHECK(names(errc::model_incompatible)
        == "another_platform,lower_precision,smaller_variant");
  CHECK(strategy_chain(errc::invalid_request).empty());
  CHECK(strategy_chain(errc::shutting_down).empty());
  CHECK(to_string(s::retry) == std::string{"retry"});
}

TEST_CASE("retries back off 2^n from the base up to the cap, plus jitter") {
  recovery_policy p;
  CHECK(retry_delay(p, 0, 0.0).count() == 1000);
  CHECK(retry_delay(p, 1, 0.0).count() == 2000);
  CHECK(retry_delay(p, 3, 0.0).count() == 8000);
  CHECK(retry_delay(p, 4, 0.0).count() == 15000);
  CHECK(retry_delay(p, 40, 0.0).count() == 15000);
  CHECK(retry_delay(p, 0, 1.0).count() == 1250);
  CHECK(retry_delay(p, 4, 1.0).count() == 18750);
}

TEST_CASE("strategies move a model to another browser, platform or variant") {
  auto o = options();
  placement_target failed{"chromium", "webgpu", "fp32", false};
  o.tried = {failed};
  SUBCASE("retry and restart keep the placement") {
    CHECK(target_of(next_target(recovery_strategy::retry, failed, o))
          == failed);
    CHECK(target_of(next_target(recovery_strategy::restart_browser, failed, o))
          == failed);
  }
  SUBCASE("another platform: the next of the list the browser has") {
    // WebNN is skipped: chromium's probe said no.
    auto t
      = target_of(next_target(recovery_strategy::another_platform, failed, o));
    CHECK(t.to_string() == "chromium/wasm/fp32");
    o.tried.push_back(t);
    auto none = next_target(recovery_strategy::another_platform, failed, o);
    REQUIRE(std::holds_alternative<std::string>(none));
    CHECK(std::get<std::string>(none)
          == "no other platform of the request's list on chromium; webnn: "
             "createContext failed");
  }
  SUBCASE("another browser: the family's next kind, on a platform it has") {
    // Firefox has no WebGPU: its first platform of the list that it has.
    auto t
      = target_of(next_target(recovery_strategy::another_browser, failed, o));
    CHECK(t.to_string() == "firefox/wasm/fp32");
    o.tried.push_back(t);
    CHECK(std::holds_alternative<std::string>(
      next_target(recovery_strategy::another_browser, failed, o)));
  }
  SUBCASE("a kind nobody probed yet is tried on the same platform") {
    o.probed.erase("firefox");
    auto t
      = target_of(next_target(recovery_strategy::another_browser, failed, o));
    CHECK(t.to_string() == "firefox/webgpu/fp32");
  }
  SUBCASE("lower precision: the next precision down, then the one after") {
    auto t
      = target_of(next_target(recovery_strategy::lower_precision, failed, o));
    CHECK(t.to_string() == "chromium/webgpu/fp16-mixed");
    o.tried.push_back(t);
    t = target_of(next_target(recovery_strategy::lower_precision, failed, o));
    CHECK(t.to_string() == "chromium/webgpu/q8");
    o.tried.push_back(t);
    auto none = next_target(recovery_strategy::lower_precision, failed, o);
    REQUIRE(std::holds_alternative<std::string>(none));
    CHECK(std::get<std::string>(none)
          == "no variant below fp32 (has fp32, fp16-mixed, q8)");
  }
  SUBCASE("smaller variant: the largest one below the current size") {
    auto t
      = target_of(next_target(recovery_strategy::smaller_variant, failed, o));
    CHECK(t.to_string() == "chromium/webgpu/fp16-mixed");
    auto from_q8 = placement_target{"chromium", "webgpu", "q8", false};
    auto none = next_target(recovery_strategy::smaller_variant, from_q8, o);
    REQUIRE(std::holds_alternative<std::string>(none));
    CHECK(std::get<std::string>(none)
          == "no variant smaller than q8 (100 bytes; has fp32, fp16-mixed, "
             "q8)");
  }
}
