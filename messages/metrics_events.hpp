// What the runtime records about itself while it runs: browser launches and
// ends, model loads, inferences, recovery attempts, health samples and cache
// lookups. Actors push them into the metrics sink (transport/store); the
// metrics store aggregates them and writes them to SQLite. Times are wall
// clock, in seconds since the Unix epoch, stamped where the event happened.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

namespace webaccel {

/// Seconds since the Unix epoch, now.
double wall_clock_s();

struct browser_event {
  enum class what : uint8_t {
    /// The page said hello: the browser is usable.
    ready,
    /// The connection ended; `why` says how.
    ended,
  };
  double at = 0;
  what event = what::ready;
  /// The connection's id (unique within a run).
  uint64_t connection = 0;
  std::string kind;
  std::string version;
  int64_t pid = 0;
  /// Platforms the probe found, comma-separated ("webgpu,wasm").
  std::string platforms;
  /// The WebGPU adapter ("" without one).
  std::string adapter;
  /// Ended: the error category or retire reason ("browser_crash",
  /// "lifetime", "shutdown", ...), and the message.
  std::string category;
  std::string why;
  /// Ended: how long it ran, from launch.
  double age_ms = 0;
  uint64_t requests = 0;
};

struct load_event {
  double at = 0;
  std::string model;
  std::string precision;
  std::string platform;
  std::string browser;
  uint64_t connection = 0;
  bool ok = true;
  /// The error category and message of a failed load.
  std::string category;
  std::string error;
  double load_ms = 0;
  double warmup_ms = 0;
};

struct inference_event {
  double at = 0;
  std::string model;
  std::string browser;
  std::string platform;
  bool ok = true;
  /// The error category of a failed request.
  std::string category;
  /// Requests that ran together with this one (1 = alone); the first of a
  /// batch says `first_of_batch` so that batches are counted once.
  uint32_t batch_size = 1;
  bool first_of_batch = true;
  bool simulated = false;
  double total_ms = 0;
  double queue_ms = 0;
  double transfer_ms = 0;
  double compute_ms = 0;
};

struct recovery_event {
  double at = 0;
  std::string model;
  std::string category;
  std::string strategy;
  /// "recovered", "failed" (this attempt; the chain goes on) or
  /// "exhausted" (the chain ended without a placement).
  std::string outcome;
  double duration_ms = 0;
  /// 1 for the first attempt of a recovery case.
  uint32_t attempt = 1;
  std::string detail;
};

struct health_sample {
  double at = 0;
  uint64_t connection = 0;
  std::string kind;
  uint64_t memory_bytes = 0;
  uint64_t heap_bytes = 0;
  double heartbeat_ms = 0;
  /// 0 (dead) to 100 (healthy), with the reasons for what it lost.
  double score = 100;
  std::string reasons;
};

struct cache_event {
  std::string model;
  bool hit = false;
};

using metrics_event = std::variant<browser_event, load_event, inference_event,
                                   recovery_event, health_sample, cache_event>;

} // namespace webaccel
