// The metrics DB's layout and how older files are upgraded. The version is
// SQLite's user_version; application_id marks the file as ours. Migration
// n turns version n into n + 1, each in its own transaction, so a new file
// and an upgraded one get the very same statements.
//
// v1: runs, browsers, model_loads, inferences (per-second rollups),
//     recoveries.
// v2: health_samples, counters, inference_log (one row per request, when
//     configured), and inferences.simulated and inferences.failed_by.
#pragma once

#include <cstdint>

namespace webaccel {

class sqlite_db;

constexpr int64_t metrics_schema_version = 2;

/// 'wacc': what PRAGMA application_id says in our files.
constexpr int64_t metrics_application_id = 0x77616363;

/// Brings the file to metrics_schema_version. @throws store_error if the
/// file is another program's, or newer than this build knows.
void upgrade_metrics_schema(sqlite_db& db);

} // namespace webaccel
