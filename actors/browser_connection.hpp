// The actor that owns one browser process and its page: launches it with a
// one-time bridge token, waits for the page's hello, sends load and infer
// commands with request ids and deadlines, pings the page to notice a stuck
// one, and fails everything in flight with a categorized error when the
// browser exits, the bridge closes or the page stops answering (a closed
// bridge whose page process is gone counts as a crash). It enforces the
// circuit breaker the health monitor keeps for it (open: requests fail
// fast). It knows
// the model instances that live on it, so that a retired browser can send
// them elsewhere before it goes. Spawned and supervised by a
// browser_supervisor.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/rules/error_classifier.hpp"
#include "config/pool_policy.hpp"
#include "config/recovery_policy.hpp"
#include "config/timeout_policy.hpp"
#include "messages/interfaces.hpp"
#include "transport/browser/browser_instance.hpp"
#include "transport/store/metrics_sink.hpp"
#include "transport/wire/wire_format.hpp"

namespace webaccel {

class http_routes;

/// Runs a call that can block (stopping a browser, /proc scans) away from
/// CAF's worker threads; the call reports back by message. Null: the call
/// runs at once, in the actor (tests with stand-in browsers).
using blocking_executor = std::function<void(std::function<void()>)>;

/// Starts the browser process on a URL (real launcher or a test double).
using browser_launcher = std::function<std::unique_ptr<browser_instance>(
  const std::string& url, browser_instance::exit_handler on_exit,
  std::string& error)>;

/// Everything a browser connection needs to know.
struct browser_connection_config {
  /// Browser kind, e.g. "chromium".
  std::string kind;
  /// The version the browser itself printed, if known; more precise than
  /// the user agent's (Firefox says "153.0" for 153.7.0esr).
  std::string version;
  browser_launcher launch;
  /// Where tokens and model files are registered.
  std::shared_ptr<http_routes> routes;
  /// "http://127.0.0.1:PORT" of the runtime's server.
  std::string origin;
  /// Launch, load and default inference deadlines.
  timeout_policy timeouts;
  /// Heartbeats (`heartbeat_ms` 0 = never ping; a ping left unanswered for
  /// `heartbeat_timeout_ms` means the page is stuck: the connection fails
  /// with a timeout and its browser is killed) and how long a draining
  /// connection waits for its requests and models.
  pool_policy pool;
  wire::limits limits;
  /// Names the category of the page's errors (the built-in rules if null).
  std::shared_ptr<const error_classifier> classifier;
  /// For tests only, `fault_injection`: the page obeys fault commands and
  /// `fault_atom` works.
  recovery_policy recovery;
  /// Where browser and load events are recorded (none if null).
  std::shared_ptr<metrics_sink> metrics;
  /// Where blocking calls run (the runtime's blocking pool).
  blocking_executor run_blocking;
  /// The webaccel node this runtime is ("local" unless it serves a head).
  std::string node_name = "local";
  /// On a node the head's model specs name the head's paths: serve only
  /// the files this node registered itself (by sha256) and refuse others.
  bool own_model_files_only = false;
};

/// Spawns a browser connection; it launches its browser at once.
browser_connection_actor
spawn_browser_connection(caf::actor_system& sys, browser_connection_config cfg);

} // namespace webaccel
