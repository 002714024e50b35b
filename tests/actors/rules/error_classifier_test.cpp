#include "actors/rules/error_classifier.hpp"

#include <fstream>
#include <map>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace webaccel;

namespace {

struct expectation {
  page_phase phase;
  errc category;
};

/// What each probe of tools/error_capture provokes, and its category.
const std::map<std::string, expectation> expected = {
  {"array_buffer_exhausted", {page_phase::infer, errc::out_of_memory}},
  {"array_buffer_too_large", {page_phase::infer, errc::out_of_memory}},
  {"wasm_memory_exhausted", {page_phase::load, errc::out_of_memory}},
  {"wasm_memory_grow_past_maximum", {page_phase::infer, errc::out_of_memory}},
  {"webgpu_out_of_memory", {page_phase::infer, errc::out_of_memory}},
  {"webgpu_device_destroyed", {page_phase::infer, errc::browser_crash}},
  {"webnn_context", {page_phase::load, errc::browser_capability}},
  {"ort_not_a_model", {page_phase::load, errc::model_incompatible}},
  {"ort_unknown_op", {page_phase::load, errc::unsupported_operation}},
  {"ort_missing_input", {page_phase::infer, errc::invalid_request}},
  {"ort_wrong_input_type", {page_phase::infer, errc::invalid_request}},
  {"ort_wrong_shape", {page_phase::infer, errc::invalid_request}},
};

} // namespace

TEST_CASE("errors captured from Chromium and Firefox fall into their "
          "categories") {
  std::ifstream in{WEBACCEL_TEST_DATA
                   "/actors/rules/captured_page_errors.json"};
  REQUIRE(in);
  auto captured = nlohmann::json::parse(in);
  size_t checked = 0;
  for (auto& browser : {"chromium", "firefox"}) {
    REQUIRE(captured.contains(browser));
    for (auto& [probe, err] : captured[browser]["errors"].items()) {
      auto name = err["name"].get<std::string>();
      if (name == "(no error)")
        continue; // This browser had room (Firefox reserves lazily).
      auto e = expected.find(probe);
      REQUIRE_MESSAGE(e != expected.end(),
                      "no expectation for probe " << probe);
      auto message = err["message"].get<std::string>();
      CAPTURE(browser);
      CAPTURE(name);
      CAPTURE(message);
      CHECK(to_string(classify_page_error(name, message, e->second.phase))
            == std::string{to_string(e->second.category)});
      ++checked;
    }
  }
  // Everything but the failures this machine cannot provoke in a browser.
  CHECK(checked >= 20);
}

TEST_CASE("page errors no rule names fall back by phase") {
  CHECK(classify_page_error("GPUOutOfMemoryError", "", page_phase::infer)
        == errc::out_of_memory);
  CHECK(
    classify_page_error("ModelHashMismatch", "sha256 of ...", page_phase::load)
    == errc::model_incompatible);
  CHECK(classify_page_error("Error", "something else", page_phase::load)
        == errc::model_incompatible);
  CHECK(classify_page_error("Error", "something else", page_phase::infer)
        == errc::invalid_request);
}

TEST_CASE("configured rules come before the built-in ones, in any case") {
  error_classifier c{
    {{"", "Kernel Watchdog", std::nullopt, errc::timeout},
     {"Error", "out of memory", page_phase::load, errc::model_incompatible}}};
  CHECK(c.classify("Error", "the kernel watchdog fired", page_phase::infer)
        == errc::timeout);
  // Rule 2 narrows the built-in "out of memory" for loads only.
  CHECK(c.classify("Error", "Out of memory", page_phase::load)
        == errc::model_incompatible);
  CHECK(c.classify("Error", "Out of memory", page_phase::infer)
        == errc::out_of_memory);
}
