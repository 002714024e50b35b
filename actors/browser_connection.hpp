// The actor that owns one browser process and its page: launches it with a
// one-time bridge token, waits for the page's hello, sends load and infer
// commands with request ids and deadlines, and fails everything in flight
// with a categorized error when the browser exits or the bridge closes.
// Spawned and supervised by the pool_supervisor.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "messages/interfaces.hpp"
#include "transport/process.hpp"
#include "transport/wire_format.hpp"

namespace webaccel {

class http_routes;

/// Starts the browser process on a URL (real launcher or a test double).
using browser_launcher = std::function<std::unique_ptr<process>(
  const std::string& url, process::exit_handler on_exit, std::string& error)>;

/// Everything a browser connection needs to know.
struct browser_connection_config {
  /// Browser kind, e.g. "chromium".
  std::string kind;
  browser_launcher launch;
  /// Where tokens and model files are registered.
  std::shared_ptr<http_routes> routes;
  /// "http://127.0.0.1:PORT" of the runtime's server.
  std::string origin;
  uint32_t launch_timeout_ms = 60000;
  uint32_t load_timeout_ms = 120000;
  uint32_t infer_timeout_ms = 30000;
  wire::limits limits;
};

/// Spawns a browser connection; it launches its browser at once.
browser_connection_actor spawn_browser_connection(caf::actor_system& sys,
                                                  browser_connection_config cfg);

} // namespace webaccel
