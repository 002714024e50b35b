// The runtime's configuration: one JSON document (comments allowed), parsed
// and validated here. Every error names the key path and what is wrong.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "config/health_policy.hpp"
#include "config/metrics_policy.hpp"
#include "config/node_policy.hpp"
#include "config/pool_policy.hpp"
#include "config/recovery_policy.hpp"
#include "config/timeout_policy.hpp"
#include "messages/classification_rule.hpp"
#include "messages/model.hpp"

namespace webaccel {

/// Thrown for an invalid config; `what()` starts with the key path.
class config_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// How a browser is started: as a local child process, or through a W3C
/// WebDriver remote end (chromedriver here; a Selenium Grid elsewhere).
struct launcher_config {
  /// "process" or "webdriver".
  std::string type = "process";
  /// The remote end's URL, e.g. "http://127.0.0.1:9515"; webdriver only.
  std::string webdriver_url;
  /// How long a session request may wait (a Grid queues it while every
  /// slot is busy). Above a Selenium Grid's own --session-request-timeout
  /// (300 s) by default, so that the Grid answers a queued request (granted
  /// or timed out) rather than us dropping one it may still grant.
  uint32_t session_timeout_ms = 330000;
  /// How often a live session gets a cheap WebDriver command (GET its URL),
  /// so that the remote end never ends it as idle: a Selenium Grid node
  /// deletes a session with no command for --session-timeout (300 s by
  /// default), whatever its page does. One third of that by default; 0 =
  /// never (a remote end without an idle timeout).
  uint32_t keepalive_ms = 100000;
};

/// How to start one kind of browser, and how many of it to keep.
struct browser_config {
  /// Executable to run; empty = look it up on PATH by the kind's names.
  std::string executable;
  /// Arguments added after the built-in flags.
  std::vector<std::string> extra_args;
  /// Kept running even when idle.
  uint32_t min_connections = 0;
  /// At most this many (the pool's max_connections also applies).
  uint32_t max_connections = 4;
  launcher_config launcher;
};

/// "server.tls": serve pages over HTTPS and WSS. Pages from another
/// machine need it (an http:// origin that is not loopback is not a secure
/// context: no WebGPU, no WebNN). Browsers we start trust exactly this key.
struct tls_config {
  bool enabled = false;
  /// PEM files; both empty = generate a self-signed certificate per run.
  std::string certificate;
  std::string key;
};

/// One model `webaccel run` runs without arguments, and its input.
struct demo_item {
  /// Registry name of the model.
  std::string model;
  /// Text input, for models that take text.
  std::string text;
  /// Input file: an image or a WAV file.
  std::string file;
};

/// The whole configuration.
struct runtime_config {
  /// Address the HTTP/WebSocket server binds; loopback by default.
  std::string host = "127.0.0.1";
  /// 0 picks an ephemeral port.
  uint16_t port = 0;
  /// Directory with the worker page and its node_modules.
  std::string assets_dir;
  /// Largest WebSocket message accepted from a page, in bytes.
  uint64_t max_message_bytes = 16u * 1024 * 1024;
  /// The page server's TLS (server.tls).
  tls_config tls;
  /// The serve API's TLS (api.tls, same shape; `webaccel serve`'s
  /// --tls-cert and --tls-key override it).
  tls_config api_tls;
  /// The model registry by name.
  std::map<std::string, model_entry> models;
  /// Browser kinds by name ("chromium", "chrome", "edge", "firefox").
  /// Absent from the config = every kind, used where installed.
  std::map<std::string, browser_config> browsers;
  /// True if the config named its browsers; else kinds that are not
  /// installed are skipped quietly.
  bool browsers_explicit = false;
  pool_policy pool;
  /// "placement": family -> browser kinds in order of preference; families
  /// not named keep DESIGN.md's defaults.
  std::map<model_family, std::vector<std::string>> family_browsers;
  hardware_preferences default_preferences;
  timeout_policy timeouts;
  /// "model_cache": { "idle_unload_ms" }: a model instance idle this long
  /// releases its browser session (0 = never); it loads again when used.
  uint32_t model_idle_unload_ms = 600000;
  /// "recovery.classification_rules": page-error rules tried before the
  /// built-in ones.
  std::vector<classification_rule> classification_rules;
  /// "recovery": retry backoff, how long requests wait for a recovery,
  /// the circuit breaker, and fault injection for tests.
  recovery_policy recovery;
  /// "metrics": the SQLite history.
  metrics_policy metrics;
  /// "health": how the health monitor samples and judges browsers.
  health_policy health;
  /// "nodes": webaccel nodes (a head's port for them; a node's name).
  node_policy nodes;
  /// What `webaccel run` runs without arguments: one model per family.
  std::vector<demo_item> demo;
  /// spdlog level name: trace, debug, info, warn, error, off.
  std::string log_level = "info";
};

/// Parses and validates a config. Relative paths resolve against `base_dir`.
/// `origin` names the document in error messages (a path or "<embedded>").
/// @throws config_error
runtime_config parse_config(std::string_view json_text,
                            const std::string& base_dir,
                            const std::string& origin);

/// Reads and parses a config file. @throws config_error
runtime_config load_config_file(const std::string& path);

/// The built-in default config (paths of this build tree).
/// @throws config_error if the embedded document is broken
runtime_config default_config();

/// Applies the `WEBACCEL_*` environment overrides (WEBACCEL_PORT,
/// WEBACCEL_ASSETS_DIR, WEBACCEL_LOG_LEVEL). @throws config_error
void apply_environment(runtime_config& cfg);

/// Checks every model file (each variant's parts, each processing step's
/// files) exists with its declared size and sha256.
/// @throws config_error naming the model and the mismatch
void verify_model_files(const runtime_config& cfg);

} // namespace webaccel
