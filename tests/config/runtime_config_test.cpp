#include "config/runtime_config.hpp"

#include <cstdlib>
#include <set>

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
  "sha256": "2623a2953f6ff3d2c1e61740c6cdb7168133479b267dfef114a4a3cc5bdd788f",
  "size_bytes": 2327524
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
                            + valid_model
                            + "], \"demo\": [{\"model\": \"m\", \"file\": "
                              "\"in.wav\"}]}",
                          "/base", "test.json");
  REQUIRE(cfg.models.count("m") == 1);
  REQUIRE(cfg.models["m"].variants.size() == 1);
  CHECK(cfg.models["m"].variants[0].parts.at("model").path
        == "/base/models/m.onnx");
  CHECK(cfg.demo.at(0).file == "/base/in.wav");
  CHECK(cfg.models["m"].family == model_family::audio);
}

TEST_CASE("server.tls: generated, or a certificate with its key, and each "
          "mistake named") {
  auto generated = parse_config(R"({"server": {"tls": {"generate": true}}})",
                                "/base", "t");
  CHECK(generated.tls.enabled);
  CHECK(generated.tls.certificate.empty());
  auto files = parse_config(
    R"({"server": {"tls": {"certificate": "c.pem", "key": "/k.pem"}}})",
    "/base", "t");
  CHECK(files.tls.enabled);
  CHECK(files.tls.certificate == "/base/c.pem");
  CHECK(files.tls.key == "/k.pem");
  CHECK_FALSE(parse_config("{}", "/base", "t").tls.enabled);
  CHECK(error_of(R"({"server": {"tls": {}}})")
        == "$.server.tls: expected \"generate\": true, or \"certificate\" "
           "and \"key\" (PEM files)");
  CHECK(error_of(R"({"server": {"tls": {"certificate": "c.pem"}}})")
        == "$.server.tls.key: a certificate needs its private key (PEM file)");
  CHECK(error_of(R"({"server": {"tls": {"key": "k.pem"}}})")
        == "$.server.tls.certificate: a key needs its certificate (PEM file)");
  CHECK(error_of(R"({"server": {"tls": {"generate": true, "key": "k"}}})")
        == "$.server.tls: give either \"generate\": true or a certificate "
           "and its key, not both");
  CHECK(error_of(R"({"server": {"tls": {"generate": "yes"}}})")
        == "$.server.tls.generate: expected true or false, got string");
  CHECK(error_of(R"({"server": {"tls": {"cert": "c"}}})")
        == "$.server.tls: unknown key 'cert'");
}

TEST_CASE("api.tls, the serve API's, reads as server.tls does and apart "
          "from it") {
  auto cfg = parse_config(
    R"({"api": {"tls": {"certificate": "c.pem", "key": "k.pem"}}})", "/base",
    "t");
  CHECK(cfg.api_tls.enabled);
  CHECK(cfg.api_tls.certificate == "/base/c.pem");
  CHECK_FALSE(cfg.tls.enabled);
  CHECK(error_of(R"({"api": {"tls": {}}})")
        == "$.api.tls: expected \"generate\": true, or \"certificate\" and "
           "\"key\" (PEM files)");
  CHECK(error_of(R"({"api": {"port": 1}})") == "$.api: unknown key 'port'");
}

TEST_CASE("nodes: a head's port and secret, a node's name, and each mistake "
          "named") {
  auto head = parse_config(
    R"({"nodes": {"port": 7070, "secret_file": "s.key", "local_browsers": false}})",
    "/base", "t");
  CHECK(head.nodes.listen_port == 7070);
  CHECK(head.nodes.secret_file == "/base/s.key");
  CHECK_FALSE(head.nodes.local_browsers);
  CHECK(head.nodes.name == "local");
  auto plain = parse_config("{}", "/base", "t");
  CHECK(plain.nodes.listen_port == 0);
  CHECK(plain.nodes.secret_file.empty());
  CHECK(plain.nodes.local_browsers);
  auto node = parse_config(
    R"({"nodes": {"name": "gpu-1", "join": "head.lab:7700"}})", "/b", "t");
  CHECK(node.nodes.name == "gpu-1");
  CHECK(node.nodes.join == "head.lab:7700");
  CHECK(error_of(R"({"nodes": {"name": "a b"}})")
        == "$.nodes.name: a node name may hold letters, digits, '.', '_' and "
           "'-' only: 'a b'");
  CHECK(error_of(R"({"nodes": {"heartbeat_ms": 500, "timeout_ms": 400}})")
        == "$.nodes.timeout_ms: must be longer than heartbeat_ms (500)");
  CHECK(error_of(R"({"nodes": {"port": 70000}})")
        == "$.nodes.port: must be between 0 and 65535, got 70000");
  CHECK(error_of(R"({"nodes": {"join": "head.lab"}})")
        == "$.nodes.join: expected HOST:PORT, got 'head.lab'");
  std::string host, error;
  uint16_t port = 0;
  CHECK(parse_head_address("[fd00::1]:7700", host, port, error));
  CHECK(host == "fd00::1");
  CHECK(port == 7700);
  CHECK_FALSE(parse_head_address("h:0", host, port, error));
  CHECK_FALSE(parse_head_address("h:70000", host, port, error));
  CHECK_FALSE(parse_head_address(":80", host, port, error));
  CHECK_FALSE(parse_head_address("h:8x", host, port, error));
  CHECK(error == "expected HOST:PORT, got 'h:8x'");
  CHECK(error_of(R"({"nodes": {"secret": "x"}})")
        == "$.nodes: unknown key 'secret'");
}

TEST_CASE("every config error names the key path and what is wrong") {
  CHECK(error_of(R"({"server": {"port": 70000}})")
        == "$.server.port: must be between 0 and 65535, got 70000");
  CHECK(error_of(R"({"server": {"port": "80"}})")
        == "$.server.port: expected an integer, got string");
  CHECK(error_of(R"({"servr": {}})") == "$: unknown key 'servr'");
  CHECK(error_of(R"({"server": {"hots": "x"}})")
        == "$.server: unknown key 'hots'");
  CHECK(error_of(R"({"default_preferences": {"priority_list": ["cuda"]}})")
        == "$.default_preferences.priority_list[0]: unknown platform 'cuda' "
           "(expected webgpu, webnn or wasm)");
  CHECK(error_of(R"({"models": [{"name": "m", "family": "speech"}]})")
        == "$.models[0].family: unknown family 'speech' (expected audio, "
           "vision, text_embedding, text_generation or multimodal)");
  CHECK(error_of(R"({"models": [{"name": "m", "family": "audio", "path": "x",
                     "sha256": "abc"}]})")
        == "$.models[0].sha256: expected 64 lower-case hex digits");
  CHECK(error_of(std::string{"{\"models\": ["} + valid_model + "," + valid_model
                 + "]}")
        == "$.models[1].name: duplicate model name 'm'");
  CHECK(error_of(std::string{"{\"models\": ["} + valid_model
                 + "], \"demo\": [{\"model\": \"n\"}]}")
        == "$.demo[0].model: names no model in $.models: 'n'");
  CHECK(error_of(R"({"browsers": {"netscape": {}}})")
        == "$.browsers.netscape: unknown browser kind 'netscape' (expected "
           "chromium, chrome, edge, firefox)");
  CHECK(error_of(R"({"log_level": "loud"})")
        == "$.log_level: unknown level 'loud' (expected trace, debug, info, "
           "warn, error or off)");
}

TEST_CASE("malformed JSON is reported with the document's name") {
  auto err = error_of("{\"server\": ");
  CHECK(err.rfind("test.json: not valid JSON", 0) == 0);
}

TEST_CASE("a config nested deeper than the bound is refused before it is "
          "read, comments and all") {
  auto deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK(error_of("// deep\n{\"models\": " + deep + "}")
        == "test.json: nested deeper than 64 levels of arrays and objects");
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
  // One demo model per family: audio, vision, text embedding, multimodal.
  std::set<model_family> families;
  for (auto& item : cfg.demo)
    families.insert(cfg.models.at(item.model).family);
  CHECK(families
        == std::set<model_family>{model_family::audio, model_family::vision,
                                  model_family::text_embedding,
                                  model_family::multimodal});
  // Synthetic stand-ins say so.
  CHECK(cfg.models.at("tiny_bert").synthetic_weights);
  CHECK(cfg.models.at("tiny_clip").synthetic_weights);
  CHECK_FALSE(cfg.models.at("silero_vad_v5").synthetic_weights);
}

TEST_CASE("browsers and pool: defaults, values and errors") {
  SUBCASE("without a browsers section every kind may be used") {
    auto cfg = parse_config("{}", "/base", "test.json");
    CHECK_FALSE(cfg.browsers_explicit);
    CHECK(cfg.browsers.size() == 4);
    CHECK(cfg.pool.max_connections == 4);
    CHECK(cfg.pool.restart.backoff_max_ms == 15000);
  }
  SUBCASE("values are read") {
    auto cfg = parse_config(R"({
      "browsers": {
        "firefox": { "min_connections": 1, "max_connections": 2 },
        "chromium": { "launcher": { "type": "webdriver",
                                    "webdriver_url": "http://127.0.0.1:9515",
                                    "session_timeout_ms": 60000,
                                    "keepalive_ms": 20000 } }
      },
      "pool": { "max_connections": 3, "idle_timeout_ms": 1000,
                "recycle_after_requests": 50, "max_lifetime_ms": 60000,
                "memory_limits_mb": { "firefox": 900 },
                "restart": { "max_restarts": 2, "window_ms": 5000 } }
    })",
                            "/base", "test.json");
    CHECK(cfg.browsers_explicit);
    REQUIRE(cfg.browsers.size() == 2);
    CHECK(cfg.browsers["firefox"].min_connections == 1);
    CHECK(cfg.browsers["chromium"].launcher.type == "webdriver");
    CHECK(cfg.browsers["chromium"].launcher.session_timeout_ms == 60000);
    // Above a Selenium Grid's own 300 s queue timeout unless set.
    CHECK(cfg.browsers["firefox"].launcher.session_timeout_ms == 330000);
    CHECK(cfg.browsers["chromium"].launcher.keepalive_ms == 20000);
    // One third of a Grid node's default 300 s idle timeout unless set.
    CHECK(cfg.browsers["firefox"].launcher.keepalive_ms == 100000);
    CHECK(cfg.pool.max_connections == 3);
    CHECK(cfg.pool.recycle_after_requests == 50);
    CHECK(cfg.pool.memory_limits_mb
          == std::map<std::string, uint32_t>{{"firefox", 900}});
    CHECK(cfg.pool.restart.max_restarts == 2);
    CHECK(cfg.pool.restart.backoff_base_ms == 1000);
  }
  CHECK(error_of(R"({"browsers": {"firefox": {"min_connections": 3,
                                              "max_connections": 2}}})")
        == "$.browsers.firefox.min_connections: must not exceed "
           "max_connections (2)");
  CHECK(error_of(R"({"browsers": {"chromium": {"min_connections": 3}},
                    "pool": {"max_connections": 2}})")
        == "$.pool.max_connections: is 2, below the sum of the browsers' "
           "min_connections (3)");
  CHECK(error_of(R"({"browsers": {"chromium": {"launcher": {"type": "ssh"}}}})")
        == "$.browsers.chromium.launcher.type: unknown launcher 'ssh' "
           "(expected process or webdriver)");
  CHECK(error_of(
          R"({"browsers": {"chromium": {"launcher": {"type": "webdriver"}}}})")
        == "$.browsers.chromium.launcher.webdriver_url: a webdriver launcher "
           "needs an http:// URL of its remote end, got ''");
  CHECK(error_of(R"({"browsers": {"chromium": {"launcher": {
                    "type": "webdriver", "webdriver_url": "http://h:1",
                    "session_timeout_ms": 10}}}})")
        == "$.browsers.chromium.launcher.session_timeout_ms: must be between "
           "1000 and 3600000, got 10");
  CHECK(error_of(R"({"browsers": {"chromium": {"launcher": {
                    "type": "webdriver", "webdriver_url": "http://h:1",
                    "keepalive_ms": 500}}}})")
        == "$.browsers.chromium.launcher.keepalive_ms: must be 0 (off) or at "
           "least 1000, got 500");
  CHECK(error_of(R"({"browsers": {}})")
        == "$.browsers: must name at least one browser kind (chromium, chrome, "
           "edge, firefox)");
  CHECK(error_of(R"({"pool": {"memory_limits_mb": {"opera": 10}}})")
        == "$.pool.memory_limits_mb.opera: unknown browser kind 'opera' "
           "(expected chromium, chrome, edge, firefox)");
  CHECK(
    error_of(R"({"pool": {"heartbeat_ms": 5000, "heartbeat_timeout_ms": 100}})")
    == "$.pool.heartbeat_timeout_ms: must not be below heartbeat_ms "
       "(5000)");
  CHECK(error_of(R"({"pool": {"restart": {"backoff_base_ms": 10,
                                          "backoff_max_ms": 5}}})")
        == "$.pool.restart.backoff_max_ms: must not be below backoff_base_ms");
  CHECK(error_of(R"({"pool": {"idle": 5}})") == "$.pool: unknown key 'idle'");
}

TEST_CASE("recovery: page-error classification rules, and their errors") {
  auto cfg = parse_config(R"({"recovery": {"classification_rules": [
      {"message": "kernel watchdog", "category": "timeout"},
      {"name": "RangeError", "phase": "load", "category": "out_of_memory"}]}})",
                          "/base", "test.json");
  REQUIRE(cfg.classification_rules.size() == 2);
  CHECK(cfg.classification_rules[0].message == "kernel watchdog");
  CHECK_FALSE(cfg.classification_rules[0].phase);
  CHECK(cfg.classification_rules[0].category == errc::timeout);
  CHECK(cfg.classification_rules[1].name == "RangeError");
  CHECK(cfg.classification_rules[1].phase == page_phase::load);
  CHECK(
    error_of(
      R"({"recovery": {"classification_rules": [{"category": "timeout"}]}})")
    == "$.recovery.classification_rules[0].message: a rule needs a name or "
       "a message to match");
  CHECK(error_of(R"({"recovery": {"classification_rules": [
                      {"message": "x", "category": "flaky"}]}})")
        == "$.recovery.classification_rules[0].category: unknown category "
           "'flaky' (expected one of browser_capability, browser_crash, "
           "connection, invalid_request, model_incompatible, out_of_memory, "
           "timeout, unsupported_operation)");
  CHECK(error_of(R"({"recovery": {"classification_rules": [
                      {"message": "x", "phase": "run", "category": "timeout"}]}})")
        == "$.recovery.classification_rules[0].phase: unknown phase 'run' "
           "(expected load or infer)");
  CHECK(error_of(R"({"recovery": {"rules": []}})")
        == "$.recovery: unknown key 'rules'");
}

TEST_CASE("the metrics and health sections: values, ranges and typos") {
  auto cfg = parse_config(R"({"metrics": {"db": "h.db", "retention_days": 7,
      "inference_log": true}, "health": {"recycle_below": 30,
      "canary_every_ms": 5000}})",
                          "/base", "<test>");
  CHECK(cfg.metrics.db == "/base/h.db");
  CHECK(cfg.metrics.retention_days == 7);
  CHECK(cfg.metrics.inference_log);
  CHECK(cfg.health.recycle_below == 30);
  CHECK(cfg.health.canary_every_ms == 5000);
  CHECK(error_of(R"({"metrics": {"flush_ms": 1}})")
        == "$.metrics.flush_ms: must be between 10 and 60000, got 1");
  CHECK(error_of(R"({"metrics": {"dbfile": "x"}})")
        == "$.metrics: unknown key 'dbfile'");
  CHECK(error_of(R"({"health": {"memory_high": 2}})")
        == "$.health.memory_high: must be between 0.0 and 1.0, got 2");
  CHECK(error_of(R"({"health": {"recycle_below": "low"}})")
        == "$.health.recycle_below: expected a number, got string");
}
