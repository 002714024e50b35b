// The metrics store: drains the metrics sink every flush_ms, keeps the live
// figures, and writes each batch to the SQLite DB in one transaction. It
// runs detached, on a thread of its own, so that SQLite never blocks a CAF
// worker. A DB that cannot be opened or written makes the store degraded:
// inference goes on, the live figures stay exact, and the reason shows in
// get_metrics(). Without a DB it is a plain actor. Supervised by the root;
// the sink and the store's memory (the live figures, its counters and the
// run's row) outlive a restart, so a store started again goes on with the
// same run.
#pragma once

#include <memory>

#include <caf/fwd.hpp>

#include "config/metrics_policy.hpp"
#include "messages/interfaces.hpp"
#include "transport/store/metrics_aggregate.hpp"
#include "transport/store/metrics_db.hpp"
#include "transport/store/metrics_sink.hpp"

namespace webaccel {

/// What one store hands to the next: only one store runs at a time.
struct metrics_store_memory {
  metrics_aggregate live;
  uint64_t cache_hits = 0;
  uint64_t cache_misses = 0;
  /// Events written, and lost because a write failed.
  uint64_t written = 0;
  uint64_t unwritten = 0;
  /// Inferences this run has committed to the DB.
  uint64_t inferences_written = 0;
  /// The run's row in the DB (0 until one was written).
  int64_t run_id = 0;
};

struct metrics_store_config {
  metrics_policy policy;
  std::shared_ptr<metrics_sink> sink;
  /// Made by the first store if null; the root keeps it for the next.
  std::shared_ptr<metrics_store_memory> memory;
  /// Written to the DB's runs table.
  run_info run;
};

metrics_store_actor spawn_metrics_store(caf::actor_system& sys,
                                        metrics_store_config cfg);

} // namespace webaccel
