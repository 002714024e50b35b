// The metrics store: drains the metrics sink every flush_ms, keeps the live
// figures, and writes each batch to the SQLite DB in one transaction. It
// runs detached, on a thread of its own, so that SQLite never blocks a CAF
// worker. A DB that cannot be opened or written makes the store degraded:
// inference goes on, the live figures stay exact, and the reason shows in
// get_metrics(). Without a DB it is a plain actor. Supervised by the root;
// the sink outlives a restart.
#pragma once

#include <memory>

#include <caf/fwd.hpp>

#include "config/metrics_policy.hpp"
#include "messages/interfaces.hpp"
#include "transport/store/metrics_db.hpp"
#include "transport/store/metrics_sink.hpp"

namespace webaccel {

struct metrics_store_config {
  metrics_policy policy;
  std::shared_ptr<metrics_sink> sink;
  /// Written to the DB's runs table.
  run_info run;
};

metrics_store_actor spawn_metrics_store(caf::actor_system& sys,
                                        metrics_store_config cfg);

} // namespace webaccel
