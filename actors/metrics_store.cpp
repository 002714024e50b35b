#include "actors/metrics_store.hpp"

#include <chrono>
#include <optional>

#include <caf/all.hpp>

#include "config/logging.hpp"
#include "transport/store/metrics_aggregate.hpp"

namespace webaccel {

namespace {

using ms = std::chrono::milliseconds;

/// Old rows are pruned this often (and at start).
constexpr auto prune_every = std::chrono::hours{1};

struct metrics_store_state {
  static inline const char* name = "metrics_store";
  metrics_store_config cfg;
  std::optional<metrics_db> db;
  store_status status;
  caf::actor_clock::time_point last_prune;
};

using self_ptr = metrics_store_actor::stateful_pointer<metrics_store_state>;

void degrade(self_ptr self, const std::string& why) {
  auto& st = self->state;
  if (!st.status.degraded)
    logger()->error("metrics store degraded, inference goes on without "
                    "history: {}",
                    why);
  st.status.degraded = true;
  st.status.reason = why;
}

void open_db(self_ptr self) {
  auto& st = self->state;
  auto& p = st.cfg.policy;
  try {
    metrics_db_options opts;
    opts.path = p.db;
    opts.retention_days = p.retention_days;
    opts.inference_log = p.inference_log;
    st.db.emplace(opts);
    auto& mem = *st.cfg.memory;
    if (mem.run_id == 0 || !st.db->resume_run(mem.run_id))
      mem.run_id = st.db->begin_run(st.cfg.run);
    st.db->prune(wall_clock_s());
    st.last_prune = self->clock().now();
    if (st.status.degraded)
      logger()->info("metrics store writes {} again", p.db);
    st.status.degraded = false;
    st.status.reason.clear();
  } catch (const store_error& e) {
    st.db.reset();
    degrade(self, e.what());
  }
}

std::map<std::string, uint64_t> counters(const metrics_store_state& st) {
  auto& mem = *st.cfg.memory;
  return {{"cache_hits", mem.cache_hits},
          {"cache_misses", mem.cache_misses},
          {"dropped_events", st.cfg.sink->dropped() + mem.unwritten}};
}

void flush(self_ptr self) {
  auto& st = self->state;
  auto& mem = *st.cfg.memory;
  auto events = st.cfg.sink->take();
  for (auto& e : events) {
    if (auto c = std::get_if<cache_event>(&e))
      (c->hit ? mem.cache_hits : mem.cache_misses)++;
    mem.live.add(e);
  }
  if (!st.status.enabled)
    return;
  if (!st.db)
    open_db(self); // Degraded: try again, the disk may have room now.
  if (!st.db) {
    mem.unwritten += events.size();
    return;
  }
  try {
    st.db->write(events, counters(st));
    mem.written += events.size();
    for (auto& e : events)
      mem.inferences_written += std::holds_alternative<inference_event>(e);
    if (!events.empty())
      logger()->debug("metrics store committed {} events; {} inferences of "
                      "this run in the DB",
                      events.size(), mem.inferences_written);
    if (self->clock().now() - st.last_prune >= prune_every) {
      st.last_prune = self->clock().now();
      st.db->prune(wall_clock_s());
    }
    if (st.status.degraded) {
      logger()->info("metrics store writes {} again", st.cfg.policy.db);
      st.status.degraded = false;
      st.status.reason.clear();
    }
  } catch (const store_error& e) {
    mem.unwritten += events.size();
    degrade(self, e.what());
  }
}

metrics_summary live_summary(self_ptr self) {
  auto& st = self->state;
  auto& mem = *st.cfg.memory;
  auto out = mem.live.summary(st.cfg.run.started_at, wall_clock_s(), 1);
  out.store = st.status;
  out.store.written = mem.written;
  out.store.dropped = st.cfg.sink->dropped() + mem.unwritten;
  if (st.db)
    out.store.db_bytes = st.db->file_bytes();
  return out;
}

metrics_store_actor::behavior_type metrics_store_fn(self_ptr self,
                                                    metrics_store_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  if (!st.cfg.memory)
    st.cfg.memory = std::make_shared<metrics_store_memory>();
  auto& p = st.cfg.policy;
  st.status.enabled = p.enabled && !p.db.empty();
  st.status.path = st.status.enabled ? p.db : std::string{};
  if (st.status.enabled)
    open_db(self);
  self->delayed_send(self, ms{p.flush_ms}, flush_atom::value);
  return {
    [=](metrics_atom) {
      // What the sink holds counts too: the figures are as of now.
      flush(self);
      return live_summary(self);
    },
    [=](flush_atom) {
      flush(self);
      self->delayed_send(self, ms{self->state.cfg.policy.flush_ms},
                         flush_atom::value);
    },
    [=](shutdown_atom) {
      flush(self);
      auto& now = self->state;
      if (now.db) {
        try {
          now.db->end_run(wall_clock_s());
        } catch (const store_error& e) {
          degrade(self, e.what());
        }
        now.db.reset();
      }
      self->quit();
      return true;
    },
  };
}

} // namespace

metrics_store_actor spawn_metrics_store(caf::actor_system& sys,
                                        metrics_store_config cfg) {
  // Only SQLite blocks: without a DB the store is a plain actor (which also
  // keeps it on the deterministic scheduler in tests).
  if (cfg.policy.enabled && !cfg.policy.db.empty())
    return sys.spawn<caf::detached>(metrics_store_fn, std::move(cfg));
  return sys.spawn(metrics_store_fn, std::move(cfg));
}

} // namespace webaccel
