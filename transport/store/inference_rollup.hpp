// Inferences summed per (second, model, browser, platform): what the DB
// stores by default, and what the live figures are built from (with one
// "second" for the whole run). A row keeps counts, latency sums, the
// maximum and a latency histogram, so rows of many seconds merge exactly.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>

#include "messages/metrics_events.hpp"
#include "transport/store/latency_histogram.hpp"

namespace webaccel {

struct rollup_key {
  int64_t second = 0;
  std::string model;
  std::string browser;
  std::string platform;

  bool operator<(const rollup_key& other) const {
    return std::tie(second, model, browser, platform)
           < std::tie(other.second, other.model, other.browser, other.platform);
  }
};

struct rollup_row {
  uint64_t requests = 0;
  uint64_t failures = 0;
  /// Page runs: a batch of 8 requests is 8 requests and 1 batch.
  uint64_t batches = 0;
  uint64_t simulated = 0;
  /// Sums over successful requests, in milliseconds.
  double total_ms = 0;
  double queue_ms = 0;
  double transfer_ms = 0;
  double compute_ms = 0;
  double max_ms = 0;
  /// Total latency of successful requests.
  latency_histogram latency;
  /// Failed requests by error category.
  std::map<std::string, uint64_t> failed_by;

  void add(const inference_event& e);
  void merge(const rollup_row& other);
};

using rollup_table = std::map<rollup_key, rollup_row>;

/// Adds `e` to its row: by the second it happened in, or all in second 0
/// when `by_second` is false.
void add_to_rollup(rollup_table& table, const inference_event& e,
                   bool by_second);

} // namespace webaccel
