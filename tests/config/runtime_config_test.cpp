#include "config/runtime_config.hpp"

#include <cstdlib>

#include <doctest/doctest.h>

using namespace webaccel;

namespace {

std::string error_of(const std::string& text) {
  try {
    parse_config(text, "/base", "test.json");
  } catch (const config_error& e) {
    return e.what();
  }
  return "no error";
}

const char* valid_model = R"({
  "name": "m", "family": "audio", "path": "models/m.onnx",
  "sha256": "2623a2953f6ff3d2c1e61740c6cdb7168133479b267dfef114a4a3cc5bdd788f"
})";

} // namespace

TEST_CASE("an empty object gives the documented defaults") {
  auto cfg = parse_config("{}", "/base", "test.json");
  CHECK(cfg.host == "127.0.0.1");
  CHECK(cfg.port == 0);
  CHECK(cfg.max_message_bytes == 16u * 1024 * 1024);
  CHECK(cfg.browsers.count("chromium") == 1);
  CHECK(cfg.timeouts.infer_ms == 30000);
}

TEST_CASE("comments are allowed and relative paths resolve against the base") {
  auto cfg = parse_config(std::string{"// a comment\n{ \"models\": ["}
                            + valid_model + "], \"demo\": {\"model\": \"m\"}}",
                          "/base", "test.json");
  REQUIRE(cfg.models.count("m") == 1);
  CHECK(cfg.models["m"].path == "/base/models/m.onnx");
  CHECK(cfg.models["m"].family == model_family::audio);
}

TEST_CASE("every config error names the key path and what is wrong") {
  CHECK(error_of(R"({"server": {"port": 70000}})")
        == "$.server.port: must be between 0 and 65535, got 70000");
  CHECK(error_of(R"({"server": {"port": "80"}})")
        == "$.server.port: expected an integer, got string");
  CHECK(error_of(R"({"servr": {}})") == "$: unknown key 'servr'");
  CHECK(error_of(R"({"server": {"hots": "x"}})") == "$.server: unknown key 'hots'");
  CHECK(error_of(R"({"default_preferences": {"priority_list": ["cuda"]}})")
        == "$.default_preferences.priority_list[0]: unknown platform 'cuda' "
           "(expected webgpu, webnn or wasm)");
  CHECK(error_of(R"({"models": [{"name": "m", "family": "speech"}]})")
        == "$.models[0].family: unknown family 'speech' (expected audio, "
           "vision, text_embedding, text_generation or multimodal)");
  CHECK(error_of(R"({"models": [{"name": "m", "family": "audio", "path": "x",
                     "sha256": "abc"}]})")
        == "$.models[0].sha256: expected 64 lower-case hex digits");
  CHECK(error_of(std::string{"{\"models\": ["} + valid_model + "," + valid_model + "]}")
        == "$.models[1].name: duplicate model name 'm'");
  CHECK(error_of(std::string{"{\"models\": ["} + valid_model
                 + "], \"demo\": {\"model\": \"n\"}}")
        == "$.demo.model: names no model in $.models: 'n'");
  CHECK(error_of(R"({"browsers": {"netscape": {}}})")
        == "$.browsers.netscape: unsupported browser kind (this build "
           "launches chromium)");
  CHECK(error_of(R"({"log_level": "loud"})")
        == "$.log_level: unknown level 'loud' (expected trace, debug, info, "
           "warn, error or off)");
}

TEST_CASE("malformed JSON is reported with the document's name") {
  auto err = error_of("{\"server\": ");
  CHECK(err.rfind("test.json: not valid JSON", 0) == 0);
}

TEST_CASE("a missing config file is a clear error") {
  CHECK_THROWS_WITH_AS(load_config_file("/nonexistent/webaccel.json"),
                       "/nonexistent/webaccel.json: cannot read the config "
                       "file",
                       config_error);
}

TEST_CASE("WEBACCEL_PORT overrides the port and rejects garbage") {
  runtime_config cfg;
  setenv("WEBACCEL_PORT", "8123", 1);
  apply_environment(cfg);
  CHECK(cfg.port == 8123);
  setenv("WEBACCEL_PORT", "80x", 1);
  CHECK_THROWS_AS(apply_environment(cfg), config_error);
  unsetenv("WEBACCEL_PORT");
}

TEST_CASE("model files are verified by size and sha256") {
  auto cfg = parse_config(std::string{"{\"models\": ["} + valid_model + "]}",
                          "/nonexistent", "test.json");
  CHECK_THROWS_AS(verify_model_files(cfg), config_error);
}

TEST_CASE("the embedded default config parses") {
  auto cfg = default_config();
  CHECK(cfg.models.count("silero_vad_v5") == 1);
  CHECK(cfg.demo.model == "silero_vad_v5");
}
