#include "transport/store/metrics_db.hpp"

#include <chrono>
#include <filesystem>
#include <thread>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "transport/store/event_visitor.hpp"
#include "transport/store/inference_rollup.hpp"
#include "transport/store/schema.hpp"

namespace webaccel {

namespace {

int64_t as_int(uint64_t x) {
  return static_cast<int64_t>(x);
}

} // namespace

/// Prepared once, reused for every batch.
struct metrics_db::statements {
  explicit statements(sqlite_db& db)
    : browser_ready(db.prepare(
      "INSERT INTO browsers (run_id, connection, kind, version, pid, "
      "platforms, adapter, ready_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
      "ON CONFLICT (run_id, connection) DO UPDATE SET version = ?4, pid = ?5, "
      "platforms = ?6, adapter = ?7, ready_at = ?8")),
      browser_ended(db.prepare(
        "INSERT INTO browsers (run_id, connection, kind, version, pid, "
        "ended_at, age_ms, requests, end_category, end_reason) VALUES (?1, "
        "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (run_id, "
        "connection) DO UPDATE SET ended_at = ?6, age_ms = ?7, requests = ?8, "
        "end_category = ?9, end_reason = ?10")),
      load(db.prepare(
        "INSERT INTO model_loads (run_id, at, model, precision, platform, "
        "browser, connection, ok, category, error, load_ms, warmup_ms) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)")),
      rollup(db.prepare(
        "INSERT INTO inferences (run_id, second, model, browser, platform, "
        "requests, failures, batches, total_ms, queue_ms, transfer_ms, "
        "compute_ms, max_ms, latency, simulated, failed_by) VALUES (?1, ?2, "
        "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)")),
      each(db.prepare(
        "INSERT INTO inference_log (run_id, at, model, browser, platform, ok, "
        "category, batch_size, simulated, total_ms, queue_ms, transfer_ms, "
        "compute_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
        "?12, ?13)")),
      recovery(db.prepare(
        "INSERT INTO recoveries (run_id, at, model, category, strategy, "
        "outcome, duration_ms, attempt, detail) VALUES (?1, ?2, ?3, ?4, ?5, "
        "?6, ?7, ?8, ?9)")),
      health(db.prepare(
        "INSERT INTO health_samples (run_id, at, connection, kind, "
        "memory_bytes, heap_bytes, heartbeat_ms, score, reasons) VALUES (?1, "
        "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")),
      counter(db.prepare(
        "INSERT INTO counters (run_id, name, value) VALUES (?1, ?2, ?3) ON "
        "CONFLICT (run_id, name) DO UPDATE SET value = ?3")) {
    // nop
  }

  sqlite_statement browser_ready;
  sqlite_statement browser_ended;
  sqlite_statement load;
  sqlite_statement rollup;
  sqlite_statement each;
  sqlite_statement recovery;
  sqlite_statement health;
  sqlite_statement counter;
};

metrics_db::metrics_db(metrics_db_options opts)
  : opts_(std::move(opts)), db_(opts_.path, true) {
  db_.exec("PRAGMA busy_timeout = " + std::to_string(opts_.busy_timeout_ms));
  // WAL: readers never block the writer, and a killed process loses no
  // committed transaction. NORMAL syncs at checkpoints, not every commit:
  // a power cut may lose the last commits, a crash of the process none.
  switch_to_wal();
  db_.exec("PRAGMA synchronous = NORMAL");
  db_.exec("PRAGMA foreign_keys = ON");
  upgrade_metrics_schema(db_);
  st_ = std::make_unique<statements>(db_);
}

metrics_db::~metrics_db() = default;

void metrics_db::switch_to_wal() {
  // Switching needs the file to itself, and SQLite answers "locked" at once
  // instead of calling the busy handler when another runtime opens the same
  // new file at this moment: try again until the busy timeout.
  auto give_up = std::chrono::steady_clock::now()
                 + std::chrono::milliseconds{opts_.busy_timeout_ms};
  for (;;) {
    try {
      auto mode = db_.prepare("PRAGMA journal_mode = WAL");
      auto got = mode.step() ? mode.column_text(0) : std::string{};
      if (got != "wal")
        throw store_error("metrics DB " + opts_.path
                          + ": cannot switch to WAL mode (journal_mode is "
                          + got + ")");
      return;
    } catch (const store_error&) {
      if (std::chrono::steady_clock::now() >= give_up)
        throw;
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
  }
}

int64_t metrics_db::begin_run(const run_info& run) {
  auto insert = db_.prepare(
    "INSERT INTO runs (started_at, host, pid, version, command, config) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  insert.bind(1, run.started_at)
    .bind(2, run.host)
    .bind(3, run.pid)
    .bind(4, run.version)
    .bind(5, run.command)
    .bind(6, run.config.empty() ? std::string{"{}"} : run.config);
  insert.run();
  run_id_ = db_.last_insert_id();
  return run_id_;
}

bool metrics_db::resume_run(int64_t id) {
  auto q = db_.prepare("SELECT count(*) FROM runs WHERE id = ?1");
  q.bind(1, id);
  if (!q.step() || q.column_int(0) == 0)
    return false;
  run_id_ = id;
  return true;
}

void metrics_db::write(const std::vector<metrics_event>& events,
                       const std::map<std::string, uint64_t>& counters) {
  auto& s = *st_;
  rollup_table rollups;
  sqlite_transaction tx{db_};
  for (auto& event : events) {
    std::visit(event_visitor{
                 [&](const browser_event& e) {
                   auto& q = e.event == browser_event::what::ready
                               ? s.browser_ready
                               : s.browser_ended;
                   q.bind(1, run_id_)
                     .bind(2, as_int(e.connection))
                     .bind(3, e.kind)
                     .bind(4, e.version)
                     .bind(5, e.pid);
                   if (e.event == browser_event::what::ready)
                     q.bind(6, e.platforms).bind(7, e.adapter).bind(8, e.at);
                   else
                     q.bind(6, e.at)
                       .bind(7, e.age_ms)
                       .bind(8, as_int(e.requests))
                       .bind(9, e.category)
                       .bind(10, e.why);
                   q.run();
                 },
                 [&](const load_event& e) {
                   s.load.bind(1, run_id_)
                     .bind(2, e.at)
                     .bind(3, e.model)
                     .bind(4, e.precision)
                     .bind(5, e.platform)
                     .bind(6, e.browser)
                     .bind(7, as_int(e.connection))
                     .bind(8, int64_t{e.ok})
                     .bind(9, e.category)
                     .bind(10, e.error)
                     .bind(11, e.load_ms)
                     .bind(12, e.warmup_ms)
                     .run();
                 },
                 [&](const inference_event& e) {
                   add_to_rollup(rollups, e, true);
                   if (!opts_.inference_log)
                     return;
                   s.each.bind(1, run_id_)
                     .bind(2, e.at)
                     .bind(3, e.model)
                     .bind(4, e.browser)
                     .bind(5, e.platform)
                     .bind(6, int64_t{e.ok})
                     .bind(7, e.category)
                     .bind(8, int64_t{e.batch_size})
                     .bind(9, int64_t{e.simulated})
                     .bind(10, e.total_ms)
                     .bind(11, e.queue_ms)
                     .bind(12, e.transfer_ms)
                     .bind(13, e.compute_ms)
                     .run();
                 },
                 [&](const recovery_event& e) {
                   s.recovery.bind(1, run_id_)
                     .bind(2, e.at)
                     .bind(3, e.model)
                     .bind(4, e.category)
                     .bind(5, e.strategy)
                     .bind(6, e.outcome)
                     .bind(7, e.duration_ms)
                     .bind(8, int64_t{e.attempt})
                     .bind(9, e.detail)
                     .run();
                 },
                 [&](const health_sample& e) {
                   s.health.bind(1, run_id_)
                     .bind(2, e.at)
                     .bind(3, as_int(e.connection))
                     .bind(4, e.kind)
                     .bind(5, as_int(e.memory_bytes))
                     .bind(6, as_int(e.heap_bytes))
                     .bind(7, e.heartbeat_ms)
                     .bind(8, e.score)
                     .bind(9, e.reasons)
                     .run();
                 },
                 [&](const cache_event&) {
                   // Counted by the store; written as counters below.
                 },
               },
               event);
  }
  // A second split over two batches is two rows; readers sum them.
  for (auto& [key, row] : rollups) {
    s.rollup.bind(1, run_id_)
      .bind(2, key.second)
      .bind(3, key.model)
      .bind(4, key.browser)
      .bind(5, key.platform)
      .bind(6, as_int(row.requests))
      .bind(7, as_int(row.failures))
      .bind(8, as_int(row.batches))
      .bind(9, row.total_ms)
      .bind(10, row.queue_ms)
      .bind(11, row.transfer_ms)
      .bind(12, row.compute_ms)
      .bind(13, row.max_ms)
      .bind(14, row.latency.to_text())
      .bind(15, as_int(row.simulated))
      .bind(16, nlohmann::json(row.failed_by).dump())
      .run();
  }
  for (auto& [name, value] : counters)
    s.counter.bind(1, run_id_).bind(2, name).bind(3, as_int(value)).run();
  tx.commit();
}

void metrics_db::end_run(double at) {
  auto q = db_.prepare("UPDATE runs SET ended_at = ?1 WHERE id = ?2");
  q.bind(1, at).bind(2, run_id_).run();
}

uint64_t metrics_db::prune(double now) {
  if (opts_.retention_days == 0)
    return 0;
  auto cutoff = now - double(opts_.retention_days) * 86400.0;
  uint64_t removed = 0;
  sqlite_transaction tx{db_};
  auto remove = [&](const std::string& sql) {
    auto q = db_.prepare(sql);
    q.bind(1, cutoff).run();
    removed += static_cast<uint64_t>(db_.changes());
  };
  remove("DELETE FROM inferences WHERE second < ?1");
  remove("DELETE FROM inference_log WHERE at < ?1");
  remove("DELETE FROM model_loads WHERE at < ?1");
  remove("DELETE FROM recoveries WHERE at < ?1");
  remove("DELETE FROM health_samples WHERE at < ?1");
  remove("DELETE FROM browsers WHERE coalesce(ended_at, ready_at, 0) < ?1 "
         "AND run_id <> "
         + std::to_string(run_id_));
  // Runs that ended before the cutoff and have nothing left.
  remove("DELETE FROM counters WHERE run_id IN (SELECT id FROM runs WHERE "
         "ended_at < ?1)");
  remove("DELETE FROM runs WHERE ended_at < ?1 AND id NOT IN (SELECT run_id "
         "FROM browsers UNION SELECT run_id FROM model_loads UNION SELECT "
         "run_id FROM inferences UNION SELECT run_id FROM recoveries UNION "
         "SELECT run_id FROM health_samples UNION SELECT run_id FROM "
         "inference_log)");
  tx.commit();
  return removed;
}

uint64_t metrics_db::file_bytes() const {
  namespace fs = std::filesystem;
  std::error_code ec;
  uint64_t total = 0;
  for (auto suffix : {"", "-wal"}) {
    auto size = fs::file_size(opts_.path + suffix, ec);
    if (!ec)
      total += size;
  }
  return total;
}

} // namespace webaccel
