// Where and how the runtime records its history: plain data read from the
// config's "metrics" section; the metrics store applies it.
#pragma once

#include <cstdint>
#include <string>

namespace webaccel {

struct metrics_policy {
  /// The SQLite file ("" = none: get_metrics() is live only). `--db FILE`
  /// sets it.
  std::string db;
  /// False: no DB even if `db` names one.
  bool enabled = true;
  /// Rows older than this many days are deleted (0 = kept forever).
  uint32_t retention_days = 30;
  /// Also one row per inference (rollups per second are always written).
  bool inference_log = false;
  /// Events are written in one transaction this often.
  uint32_t flush_ms = 1000;
  /// Events held between writes; beyond this they are dropped and counted.
  uint32_t queue_limit = 100000;
  /// What this run is, for the DB's runs table ("run", "bench recovery",
  /// ...; "embedded" for a host program).
  std::string command = "embedded";
};

} // namespace webaccel
