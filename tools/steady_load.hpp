// Steady load for the benchmarks (bench recovery, bench soak): closed-loop
// clients that each send a request, wait for its answer and send the next,
// until told to stop. Every request is numbered, so that an answer that never
// comes (lost) and an answer that comes twice (duplicated) both show.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/runtime.hpp"

namespace webaccel {

struct load_tally {
  uint64_t sent = 0;
  /// Results (simulated ones included) and failures: each request's first
  /// callback.
  uint64_t answered = 0;
  uint64_t failed = 0;
  /// Callbacks after a request's first.
  uint64_t duplicated = 0;
  /// Results marked `simulated: true`.
  uint64_t simulated = 0;
  /// Failures by error category.
  std::map<std::string, uint64_t> failures;
  /// The first few failure messages.
  std::vector<std::string> first_errors;
  /// End-to-end latency of the answered requests (if kept).
  std::vector<double> latency_ms;

  /// Requests sent that have had no callback yet.
  uint64_t outstanding() const {
    return sent - answered - failed;
  }
};

/// `cfg` with only `kind`'s browsers, `browsers` of them kept running and
/// never closed for idleness; room for `spare` more while old ones drain.
runtime_config fixed_pool_config(runtime_config cfg, const std::string& kind,
                                 size_t browsers, size_t spare = 0);

/// The request the benchmarks send tiny BERT: one sentence, with the
/// deadline `timeout_ms` (0 = the configured one).
infer_request bert_sentence(uint32_t timeout_ms = 0);

class steady_load {
public:
  /// Client i sends to models[i % models.size()] the requests `make` builds.
  /// Without `keep_latencies` the load holds no memory per request (for
  /// soak runs that measure the process's own memory).
  steady_load(std::vector<model_handle> models,
              std::function<infer_request()> make, size_t clients,
              bool keep_latencies = true);

  /// Stops the clients; waits for nothing (answers still due are dropped).
  ~steady_load();

  steady_load(const steady_load&) = delete;
  steady_load& operator=(const steady_load&) = delete;

  /// Stops sending new requests and waits up to `patience` for the
  /// outstanding ones; returns the tally so far.
  load_tally finish(std::chrono::milliseconds patience);

  /// The tally so far.
  load_tally tally() const;

  struct shared;

private:
  std::shared_ptr<shared> state_;
};

} // namespace webaccel
