// Builds get_metrics()'s figures. The live runtime feeds it every event;
// a DB read feeds it the stored rows. Either way the same sums and merged
// histograms make the same figures.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "messages/metrics_events.hpp"
#include "messages/metrics_summary.hpp"
#include "transport/store/inference_rollup.hpp"

namespace webaccel {

class metrics_aggregate {
public:
  /// Any event as it happens (the live runtime).
  void add(const metrics_event& event);

  /// Stored rows (a DB read). `second` of the key is ignored.
  void add_rollup(const rollup_key& key, const rollup_row& row);
  void add_load(const load_event& e);
  void add_browser_launch(const std::string& kind);
  void add_browser_end(const std::string& kind, const std::string& reason);
  void add_recovery(const recovery_event& e);
  void add_cache(uint64_t hits, uint64_t misses);

  /// The figures over [from_s, to_s]; throughput is per second of it.
  metrics_summary summary(double from_s, double to_s, uint64_t runs) const;

private:
  struct recovery_sums {
    recovery_figures figures;
    double recovered_ms = 0;
  };
  rollup_table rollups_;
  load_figures loads_;
  double load_ms_ = 0;
  double warmup_ms_ = 0;
  uint64_t warmups_ = 0;
  std::map<std::string, browser_figures> browsers_;
  std::map<std::string, recovery_sums> recoveries_;
  uint64_t cache_hits_ = 0;
  uint64_t cache_misses_ = 0;
};

/// Figures of one row (or of merged rows) over `seconds`.
request_figures figures_of(const rollup_row& row, double seconds);

} // namespace webaccel
