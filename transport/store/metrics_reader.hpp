// Reads a metrics DB back: get_metrics()'s figures over a period, and the
// series `webaccel report` draws (throughput and memory over time, the
// browser timeline, recoveries). Opens the file like a writer would, so an
// older file is upgraded first; a newer one is refused.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "messages/metrics_summary.hpp"

namespace webaccel {

/// Requests per minute of one model on one browser and platform.
struct throughput_point {
  int64_t minute = 0;
  std::string model;
  std::string browser;
  std::string platform;
  uint64_t requests = 0;
  uint64_t failures = 0;
};

struct memory_point {
  double at = 0;
  uint64_t connection = 0;
  std::string kind;
  uint64_t memory_bytes = 0;
  uint64_t heap_bytes = 0;
  double score = 0;
};

/// One browser's life: from ready (0 if it never was) to its end (0 if it
/// still ran when the DB was last written).
struct browser_span {
  int64_t run_id = 0;
  uint64_t connection = 0;
  std::string kind;
  std::string version;
  std::string platforms;
  std::string adapter;
  double ready_at = 0;
  double ended_at = 0;
  uint64_t requests = 0;
  std::string end_category;
  std::string end_reason;
};

struct recovery_row {
  double at = 0;
  std::string model;
  std::string category;
  std::string strategy;
  std::string outcome;
  double duration_ms = 0;
  std::string detail;
};

struct metrics_history {
  metrics_summary summary;
  std::vector<throughput_point> throughput;
  std::vector<memory_point> memory;
  std::vector<browser_span> browsers;
  std::vector<recovery_row> recoveries;
};

/// Everything recorded at or after `since_s` (seconds since the epoch; 0 =
/// all). @throws store_error naming the file and the reason.
metrics_history read_metrics_history(const std::string& path, double since_s);

/// Just the figures.
metrics_summary read_metrics(const std::string& path, double since_s);

} // namespace webaccel
