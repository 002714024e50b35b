// The embedding API: what a host application links against. A `runtime`
// starts the actor system, the HTTP/WebSocket server and the pool
// supervisor from a config; `get_model` returns a handle whose `infer`
// runs the model in a real browser. No CAF or Beast types appear here.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/browser_kinds.hpp"
#include "config/runtime_config.hpp"
#include "messages/capabilities.hpp"
#include "messages/error.hpp"
#include "messages/health_report.hpp"
#include "messages/inference.hpp"
#include "messages/metrics_summary.hpp"
#include "messages/model.hpp"
#include "messages/pool_stats.hpp"
#include "messages/tensor.hpp"

namespace webaccel {

/// A failed runtime call: the error category and what happened.
class failure : public std::runtime_error {
public:
  failure(errc code, const std::string& what)
    : std::runtime_error(std::string{to_string(code)} + ": " + what),
      code_(code) {
    // nop
  }

  errc code() const {
    return code_;
  }

private:
  errc code_;
};

/// Receives exactly one of a result or a failure.
using infer_callback
  = std::function<void(infer_result* result, const failure* error)>;

/// A loaded model instance. Cheap to copy; do not use after the runtime
/// that made it was shut down (calls then fail with `shutting_down`).
class model_handle {
public:
  /// Runs one inference and waits for the answer. @throws failure
  infer_result infer(infer_request req) const;

  /// The same for tensors only.
  infer_result infer(std::vector<tensor> inputs, uint32_t timeout_ms = 0) const;

  /// Runs one inference; `done` is called on a runtime thread.
  void infer_async(infer_request req, infer_callback done) const;

  /// The same for tensors only.
  void infer_async(std::vector<tensor> inputs, infer_callback done,
                   uint32_t timeout_ms = 0) const;

  const std::string& name() const;

  struct impl;
  explicit model_handle(std::shared_ptr<impl> ptr);

private:
  friend class runtime;
  std::shared_ptr<impl> impl_;
};

/// One request's outcome when many run at once: a result or a failure.
struct infer_outcome {
  std::optional<infer_result> result;
  std::optional<failure> error;

  bool ok() const {
    return result.has_value();
  }
};

/// What a runtime holds right now, for soak runs: what must stay flat
/// under steady load.
struct runtime_census {
  /// Timers and request timeouts pending in CAF's clock. Read without the
  /// clock's lock: exact when the runtime is quiet, off by the few being
  /// added at that instant under load.
  size_t pending_timers = 0;
  /// Actors alive.
  size_t actors = 0;
  /// Threads of the blocking pool (they stay until shutdown).
  size_t blocking_threads = 0;
};

/// One webaccel runtime. Not copyable; shuts down in its destructor.
class runtime {
public:
  /// Verifies model files, starts the server and the actor tree.
  /// @throws config_error for bad config or model files,
  ///         std::runtime_error if the server cannot start
  explicit runtime(runtime_config cfg);

  ~runtime();

  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  /// Starts (or reuses) a browser of `kind` and returns what its page
  /// probed. @throws failure
  browser_capabilities connect_browser(const std::string& kind);

  /// Returns the cached instance of a model, placing and loading it first
  /// if needed. Without `prefs` the config's default preferences apply.
  /// @throws failure
  model_handle
  get_model(model_family family, const std::string& name,
            std::optional<hardware_preferences> prefs = std::nullopt);

  /// Runs every (model, request) pair at once and waits for all; the
  /// outcomes are in the order of `work`. One failing does not fail the
  /// others.
  std::vector<infer_outcome>
  execute_concurrent(std::vector<std::pair<model_handle, infer_request>> work);

  /// Runs every request on `model` at once; a model with dynamic batching
  /// runs them in batches of up to its max_batch_size. Outcomes in order.
  std::vector<infer_outcome> run_batch(const model_handle& model,
                                       std::vector<infer_request> requests);

  /// Forgets a model instance and releases its page sessions; later calls
  /// on `model` fail with invalid_request. False if it was not cached
  /// (unloaded before). @throws failure
  bool unload(const model_handle& model);

  /// The browser pool: each kind's browsers, their health and usage,
  /// restart/recycle counters, and the model cache's hits, misses,
  /// unloads and idle evictions. @throws failure
  pool_stats stats();

  /// get_metrics: what ran where, how fast, what failed and what recovered,
  /// since this runtime started (average load and inference times,
  /// throughput, platform distribution, per browser and per model, cache
  /// hits and misses, recoveries), and how its metrics DB is doing.
  /// @throws failure
  metrics_summary get_metrics();

  /// What the health monitor knows: each browser's score and its reasons,
  /// heartbeat, memory and its trend, error rate, latency percentiles,
  /// circuit breaker and canaries per platform; latency and errors per
  /// platform; how many browsers it had recycled. `enabled` is false when
  /// `health.interval_ms` is 0. @throws failure
  health_report health();

  /// Tests and `bench recovery` only, with `recovery.fault_injection` on:
  /// makes the browser whose main process is `pid` fail. "kill": kill -9
  /// its process group; "crash": kill -9 its page's renderer; in the page,
  /// for its next `count` inferences: "hang" (no answer), "oom" (an
  /// allocation failure), "unsupported" (an unsupported-operator error);
  /// "close": the page closes its bridge; "freeze": its JavaScript stays
  /// busy for `count` seconds; "wedge": from now on every inference hangs
  /// (the health monitor's canaries too) while heartbeats are answered. With
  /// pid 0: "kill-router", "kill-recovery", "kill-metrics" and "kill-health"
  /// kill that actor, which the root starts again. False if no browser has that
  /// pid.
  /// @throws failure (faults off, unknown fault)
  bool inject_fault(int32_t pid, const std::string& fault, uint32_t count = 1);

  /// Timers, actors and blocking threads (see runtime_census).
  runtime_census census() const;

  /// Browser kinds found on this machine (kind -> executable, version).
  const std::map<std::string, installed_browser>& installed_browsers() const;

  /// Configured kinds that cannot be used here, and why.
  const std::map<std::string, std::string>& missing_browsers() const;

  /// Stops every model and browser and the server. Idempotent.
  void shutdown();

  const runtime_config& config() const;

  /// Port of the HTTP/WebSocket server.
  uint16_t port() const;

  /// A head's port for webaccel nodes (0 if it takes none).
  uint16_t node_port() const;

  /// A node (nodes.join set): joins the head and offers it this runtime's
  /// browsers until the link ends or `stop` turns true (checked every
  /// 200 ms). Returns why it ended ("" once stopped); a head that cannot
  /// be reached or is lost is worth another try. Blocks the calling thread.
  /// @throws failure if the head refuses the join (the secret differs, a
  /// bad name), config_error for the secret's file or the address
  std::string offer_to_head(const std::atomic<bool>& stop);

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace webaccel
