#include "actors/rules/placement.hpp"

#include <doctest/doctest.h>

#include "actors/rules/error_classifier.hpp"

using namespace webaccel;

namespace {

model_request request_for(model_family family, std::string browser = {}) {
  model_request req;
  req.family = family;
  req.name = "m";
  req.preferences.browser = std::move(browser);
  return req;
}

} // namespace

TEST_CASE("a family's preferred browsers are tried in order, missing ones "
          "skipped") {
  auto table = default_browser_preferences();
  CHECK(candidate_browsers(request_for(model_family::audio), table,
                           {"chromium", "firefox"})
        == std::vector<std::string>{"firefox", "chromium"});
  CHECK(
    candidate_browsers(request_for(model_family::audio), table, {"chromium"})
    == std::vector<std::string>{"chromium"});
  CHECK(candidate_browsers(request_for(model_family::text_embedding), table,
                           {"chromium"})
        == std::vector<std::string>{"chromium"});
  CHECK(candidate_browsers(request_for(model_family::multimodal), table,
                           {"firefox"})
          .empty());
}

TEST_CASE("an explicit browser preference overrides the family table") {
  auto table = default_browser_preferences();
  CHECK(candidate_browsers(request_for(model_family::audio, "chromium"), table,
                           {"chromium", "firefox"})
        == std::vector<std::string>{"chromium"});
  CHECK(candidate_browsers(request_for(model_family::audio, "edge"), table,
                           {"chromium"})
          .empty());
}

TEST_CASE("the first platform the browser really has wins") {
  browser_capabilities caps;
  caps.webgpu = {false, "navigator.gpu is undefined"};
  caps.webnn = {false, "NotSupportedError: no backend"};
  caps.wasm = {true, ""};
  std::string why;
  CHECK(choose_platform({"webgpu", "webnn", "wasm"}, caps, why) == "wasm");
  CHECK(choose_platform({"webnn", "webgpu"}, caps, why) == std::nullopt);
  CHECK(why
        == "webnn: NotSupportedError: no backend; webgpu: navigator.gpu "
           "is undefined");
}

TEST_CASE("page errors map to the categories of the design") {
  CHECK(classify_page_error("GPUOutOfMemoryError", "", page_phase::infer)
        == errc::out_of_memory);
  CHECK(classify_page_error("RangeError", "Array buffer allocation failed",
                            page_phase::load)
        == errc::out_of_memory);
  CHECK(
    classify_page_error("ModelHashMismatch", "sha256 of ...", page_phase::load)
    == errc::model_incompatible);
  CHECK(classify_page_error("Error",
                            "no available backend found. ERR: "
                            "[webgpu] backend not found.",
                            page_phase::load)
        == errc::browser_capability);
  CHECK(classify_page_error("Error",
                            "Could not find an implementation for "
                            "Foo(1) node",
                            page_phase::load)
        == errc::unsupported_operation);
  CHECK(
    classify_page_error("Error", "failed to parse the model", page_phase::load)
    == errc::model_incompatible);
  CHECK(classify_page_error("Error", "input 'x' is missing in 'feeds'.",
                            page_phase::infer)
        == errc::invalid_request);
}
