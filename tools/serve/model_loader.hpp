// Keeps the models `webaccel serve` was asked to serve loaded. At start it
// loads each; a load that fails (no browser can take it yet, a head whose
// nodes have not joined) is tried again when the pool's capacity changes (a
// node joins or rejoins, a browser kind comes back) and otherwise after a
// backoff. Which models are asked for is the model table's (the repository
// API's load and unload change it). One thread, under the thread barrier;
// the decisions are load_retries', a plain class.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "tools/serve/model_table.hpp"

namespace webaccel {

/// When to try a failed load again (times in ms on any one clock).
class load_retries {
public:
  load_retries(int64_t first_ms = 5000, int64_t max_ms = 60000)
    : first_ms_(first_ms), max_ms_(max_ms) {
    // nop
  }

  /// A load of `name` failed at `now_ms`, with the pool at `capacity`.
  void failed(const std::string& name, int64_t now_ms, uint64_t capacity);

  /// Whether a failure of `name` is on record.
  bool known(const std::string& name) const;

  /// It loaded, or is no longer asked for: forget it.
  void forget(const std::string& name);

  /// Whether to try `name` again: never tried, its backoff has passed, or
  /// the pool's capacity changed since it failed.
  bool due(const std::string& name, int64_t now_ms, uint64_t capacity) const;

  /// The wait before `name`'s next try (0 if it has not failed).
  int64_t wait_ms(const std::string& name) const;

  /// The wait before the next try after `failures` failures in a row.
  int64_t backoff_ms(uint32_t failures) const;

private:
  struct attempt {
    uint32_t failures = 0;
    int64_t at_ms = 0;
    uint64_t capacity = 0;
  };

  int64_t first_ms_;
  int64_t max_ms_;
  std::map<std::string, attempt> failed_;
};

/// What the pool can place models on, as one number that changes when a
/// node joins, rejoins or is lost, or a browser kind is disabled.
uint64_t pool_capacity(const pool_stats& stats);

class model_loader {
public:
  /// Starts loading what `models` asks for; checks every `interval`.
  /// `on_ready` is called once, the first time every model asked for is
  /// ready.
  model_loader(runtime& rt, model_table& models, std::function<void()> on_ready,
               std::chrono::milliseconds interval = std::chrono::seconds{1});

  /// Stops and joins (a load in progress finishes first).
  ~model_loader();

  model_loader(const model_loader&) = delete;
  model_loader& operator=(const model_loader&) = delete;

  void stop();

private:
  void loop();
  void round();

  runtime& rt_;
  model_table& models_;
  std::function<void()> on_ready_;
  std::chrono::milliseconds interval_;
  load_retries retries_;
  std::mutex mtx_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace webaccel
