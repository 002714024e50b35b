#include "transport/store/schema.hpp"

#include <string>
#include <vector>

#include "transport/store/sqlite_db.hpp"

namespace webaccel {

namespace {

// Never edit a migration that has shipped: add the next one.
const std::vector<const char*> migrations = {
  // 0 -> 1
  R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  started_at REAL NOT NULL,
  ended_at REAL,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  version TEXT NOT NULL,
  command TEXT NOT NULL,
  config TEXT NOT NULL
);
CREATE TABLE browsers (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  connection INTEGER NOT NULL,
  kind TEXT NOT NULL,
  version TEXT NOT NULL DEFAULT '',
  pid INTEGER NOT NULL DEFAULT 0,
  platforms TEXT NOT NULL DEFAULT '',
  adapter TEXT NOT NULL DEFAULT '',
  ready_at REAL,
  ended_at REAL,
  age_ms REAL,
  requests INTEGER NOT NULL DEFAULT 0,
  end_category TEXT,
  end_reason TEXT,
  PRIMARY KEY (run_id, connection)
);
CREATE TABLE model_loads (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  at REAL NOT NULL,
  model TEXT NOT NULL,
  precision TEXT NOT NULL,
  platform TEXT NOT NULL,
  browser TEXT NOT NULL,
  connection INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  category TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  load_ms REAL NOT NULL,
  warmup_ms REAL NOT NULL
);
CREATE TABLE inferences (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  second INTEGER NOT NULL,
  model TEXT NOT NULL,
  browser TEXT NOT NULL,
  platform TEXT NOT NULL,
  requests INTEGER NOT NULL,
  failures INTEGER NOT NULL,
  batches INTEGER NOT NULL,
  total_ms REAL NOT NULL,
  queue_ms REAL NOT NULL,
  transfer_ms REAL NOT NULL,
  compute_ms REAL NOT NULL,
  max_ms REAL NOT NULL,
  latency TEXT NOT NULL
);
CREATE INDEX inferences_by_second ON inferences(second);
CREATE TABLE recoveries (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  at REAL NOT NULL,
  model TEXT NOT NULL,
  category TEXT NOT NULL,
  strategy TEXT NOT NULL,
  outcome TEXT NOT NULL,
  duration_ms REAL NOT NULL,
  attempt INTEGER NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
)sql",
  // 1 -> 2
  R"sql(
ALTER TABLE inferences ADD COLUMN simulated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inferences ADD COLUMN failed_by TEXT NOT NULL DEFAULT '{}';
CREATE TABLE inference_log (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  at REAL NOT NULL,
  model TEXT NOT NULL,
  browser TEXT NOT NULL,
  platform TEXT NOT NULL,
  ok INTEGER NOT NULL,
  category TEXT NOT NULL DEFAULT '',
  batch_size INTEGER NOT NULL,
  simulated INTEGER NOT NULL,
  total_ms REAL NOT NULL,
  queue_ms REAL NOT NULL,
  transfer_ms REAL NOT NULL,
  compute_ms REAL NOT NULL
);
CREATE INDEX inference_log_by_time ON inference_log(at);
CREATE TABLE health_samples (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  at REAL NOT NULL,
  connection INTEGER NOT NULL,
  kind TEXT NOT NULL,
  memory_bytes INTEGER NOT NULL,
  heap_bytes INTEGER NOT NULL,
  heartbeat_ms REAL NOT NULL,
  score REAL NOT NULL,
  reasons TEXT NOT NULL DEFAULT ''
);
CREATE INDEX health_samples_by_time ON health_samples(at);
CREATE TABLE counters (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  name TEXT NOT NULL,
  value INTEGER NOT NULL,
  PRIMARY KEY (run_id, name)
);
)sql",
};

struct schema_identity {
  int64_t app = 0;
  int64_t version = 0;
  int64_t tables = 0;
};

/// Reads what the file says it is, in the caller's transaction (one
/// snapshot: another process's create or upgrade commits as a whole, never
/// between these reads). @throws store_error if it is not ours, or newer.
schema_identity check_identity(sqlite_db& db) {
  schema_identity id;
  id.app = db.query_int("PRAGMA application_id").value_or(0);
  id.version = db.query_int("PRAGMA user_version").value_or(0);
  id.tables
    = db.query_int("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
        .value_or(0);
  if (id.app != metrics_application_id && (id.app != 0 || id.tables != 0))
    throw store_error("metrics DB " + db.path()
                        + " is not a webaccel metrics DB (another program's "
                          "SQLite file); use another --db file",
                      true);
  if (id.version > metrics_schema_version)
    throw store_error("metrics DB " + db.path() + " has schema version "
                        + std::to_string(id.version) + ", newer than this "
                        + "webaccel's ("
                        + std::to_string(metrics_schema_version)
                        + "); use a newer webaccel or another --db file",
                      true);
  return id;
}

} // namespace

void upgrade_metrics_schema(sqlite_db& db) {
  static_assert(metrics_schema_version == 2, "add the migration");
  {
    // A read transaction first: a current file needs no write lock (a
    // report may read a file it cannot write).
    db.exec("BEGIN");
    schema_identity id;
    try {
      id = check_identity(db);
    } catch (...) {
      db.exec("ROLLBACK");
      throw;
    }
    db.exec("COMMIT");
    if (id.version == metrics_schema_version)
      return;
  }
  // Each step under the write lock, read again: another process may have
  // created or upgraded the file meanwhile.
  for (;;) {
    sqlite_transaction tx{db};
    auto version = check_identity(db).version;
    if (version == metrics_schema_version) {
      tx.commit();
      return;
    }
    db.exec(migrations[static_cast<size_t>(version)]);
    db.exec("PRAGMA user_version = " + std::to_string(version + 1));
    db.exec("PRAGMA application_id = "
            + std::to_string(metrics_application_id));
    tx.commit();
  }
}

} // namespace webaccel
