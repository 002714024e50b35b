// The metrics DB writer: one SQLite file in WAL mode, upgraded to the
// current schema on open, one row in `runs` per runtime that writes to it.
// write() stores a batch of events in one transaction; inferences become
// per-second rollups (or, configured so, one row each as well). Several
// runtimes may write one file: SQLite serialises their transactions, and
// each waits up to busy_timeout_ms for the others. Not thread-safe: the
// metrics store actor owns it on a thread of its own.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "messages/metrics_events.hpp"
#include "transport/store/sqlite_db.hpp"

namespace webaccel {

struct run_info {
  double started_at = 0;
  std::string host;
  int64_t pid = 0;
  std::string version;
  /// "run", "bench recovery", "serve", an embedding host's name, ...
  std::string command;
  /// What the run was configured with (JSON).
  std::string config;
};

struct metrics_db_options {
  std::string path;
  /// Rows older than this many days are deleted (0 = kept forever).
  uint32_t retention_days = 30;
  /// Also one row per inference in inference_log (rollups are always
  /// written).
  bool inference_log = false;
  /// How long a write waits for another runtime's transaction.
  uint32_t busy_timeout_ms = 5000;
};

class metrics_db {
public:
  /// Opens or creates the file and upgrades it. @throws store_error naming
  /// the file and the reason.
  explicit metrics_db(metrics_db_options opts);
  ~metrics_db();

  /// Adds this runtime's row in `runs`; later writes belong to it.
  int64_t begin_run(const run_info& run);

  /// Goes on writing the run with this id (a store started again, or one
  /// that could write again after a failure); false if the file has no
  /// such run (it was replaced meanwhile).
  bool resume_run(int64_t id);

  /// Writes `events` and the run's `counters` (cumulative values) in one
  /// transaction. @throws store_error; nothing of the batch is written
  /// then.
  void write(const std::vector<metrics_event>& events,
             const std::map<std::string, uint64_t>& counters);

  /// Stamps the run's end.
  void end_run(double at);

  /// Deletes rows older than the retention; returns how many.
  uint64_t prune(double now);

  int64_t run_id() const {
    return run_id_;
  }

  const std::string& path() const {
    return opts_.path;
  }

  /// The file's size plus its WAL's, in bytes.
  uint64_t file_bytes() const;

private:
  struct statements;

  void switch_to_wal();

  metrics_db_options opts_;
  sqlite_db db_;
  std::unique_ptr<statements> st_;
  int64_t run_id_ = 0;
};

} // namespace webaccel
