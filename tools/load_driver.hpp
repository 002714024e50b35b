// Drives load for the benchmarks: `count` requests with `inflight` of them
// outstanding at any time (closed-loop clients), spread over models.
#pragma once

#include <functional>
#include <vector>

#include "actors/runtime.hpp"

namespace webaccel {

struct load_result {
  double seconds = 0;
  /// Per request: end-to-end time minus the page's compute.
  std::vector<double> overhead_ms;
  std::vector<double> total_ms;
  /// The page's compute for each request.
  std::vector<double> compute_ms;
  /// Where the overhead went, per request: the host's side (the caller to
  /// the model actor and back, and the actor hops around the page round
  /// trip), the wire (WebSocket and the browser's own IPC both ways), and
  /// the page's handling besides compute (decode, preprocessing, encode).
  std::vector<double> host_ms;
  std::vector<double> wire_ms;
  std::vector<double> page_ms;
  /// Requests that shared a page batch with others.
  size_t batched = 0;
};

/// Runs `count` requests, request i on models[i % models.size()], built by
/// `make(i)`, keeping `inflight` outstanding. @throws std::runtime_error on
/// the first failed request
load_result drive_load(const std::vector<model_handle>& models,
                       const std::function<infer_request(size_t)>& make,
                       size_t count, size_t inflight);

double requests_per_second(const load_result& r, size_t count);

} // namespace webaccel
