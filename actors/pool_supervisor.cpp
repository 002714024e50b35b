// The root's behavior (see pool_supervisor.hpp). Over 500 lines for a
// reason: most handlers are one-line forwards to the child that answers
// (router, recovery supervisor, metrics store, browser supervisors, a
// head's nodes), and supervising those children (start, restart within the
// intensity, the ordered shutdown) needs their handles in one place; the
// restart bookkeeping is in rules/pool_rules, what it does with nodes
// (bids, stats, health) in pool/nodes.
#include "actors/pool_supervisor.hpp"

#include <chrono>
#include <map>
#include <vector>

#include <caf/all.hpp>

#include "actors/browser_supervisor.hpp"
#include "actors/countdown.hpp"
#include "actors/metrics_store.hpp"
#include "actors/pool/nodes.hpp"
#include "actors/recovery_supervisor.hpp"
#include "actors/rules/pool_rules.hpp"
#include "config/logging.hpp"

namespace webaccel {

namespace {

using ms = std::chrono::milliseconds;

/// One browser kind as the root sees it.
struct kind_entry {
  explicit kind_entry(const restart_policy& policy) : intensity(policy) {
    // nop
  }

  browser_supervisor_actor supervisor;
  /// Room for browsers granted to the supervisor and not given back.
  uint32_t held = 0;
  uint64_t escalations = 0;
  restart_intensity intensity;
  /// Why the kind was given up on ("" = it was not).
  std::string disabled;
};

/// The router or the recovery supervisor as the root supervises it.
template <class Handle>
struct supervised_child {
  explicit supervised_child(const restart_policy& policy) : intensity(policy) {
    // nop
  }

  Handle actor;
  restart_intensity intensity;
  uint64_t restarts = 0;
};

struct pool_supervisor_state {
  static inline const char* name = "pool_supervisor";

  pool_supervisor_state()
    : router(restart_policy{}),
      recovery(restart_policy{}),
      metrics(restart_policy{}),
      health(restart_policy{}) {
    // nop
  }

  pool_config cfg;
  supervised_child<router_actor> router;
  supervised_child<recovery_supervisor_actor> recovery;
  supervised_child<metrics_store_actor> metrics;
  supervised_child<health_monitor_actor> health;
  /// The router's cache, as it told us: handed to a router started again.
  model_cache instances;
  std::map<std::string, kind_entry> kinds;
  /// The webaccel nodes that joined (a head's; none elsewhere).
  node_sources nodes;
  uint64_t spawned = 0;
  bool shutting_down = false;
};

using self_ptr = pool_supervisor_actor::stateful_pointer<pool_supervisor_state>;

kind_entry& entry_for(pool_supervisor_state& st, const std::string& kind) {
  auto i = st.kinds.find(kind);
  if (i == st.kinds.end())
    i = st.kinds.emplace(kind, kind_entry{st.cfg.policy.restart}).first;
  return i->second;
}

/// Starts the browser supervisor of `kind`; sets `error` if the kind
/// cannot be launched.
browser_supervisor_actor
start_supervisor(self_ptr self, const std::string& kind, std::string& error) {
  auto& st = self->state;
  // The launcher knows why a kind cannot be used (not configured, not
  // installed); ask it first.
  auto launch = st.cfg.make_launcher(kind, error);
  if (!launch)
    return {};
  auto sizes = st.cfg.kinds.find(kind);
  if (sizes == st.cfg.kinds.end()) {
    error = "browser '" + kind + "' is not available to this runtime";
    return {};
  }
  browser_supervisor_config cfg;
  cfg.connection = st.cfg.connection;
  cfg.connection.kind = kind;
  cfg.connection.version = sizes->second.version;
  cfg.connection.launch = std::move(launch);
  cfg.min_connections = sizes->second.min_connections;
  cfg.max_connections = sizes->second.max_connections;
  cfg.memory_limit_mb = sizes->second.memory_limit_mb;
  cfg.policy = st.cfg.policy;
  if (st.cfg.health.policy.interval_ms > 0)
    cfg.healthy_score = st.cfg.health.policy.prefer_above;
  cfg.pool = self;
  cfg.seed = st.cfg.seed + ++st.spawned;
  auto sup = spawn_browser_supervisor(self->system(), std::move(cfg));
  self->monitor(sup);
  auto& entry = entry_for(st, kind);
  entry.supervisor = sup;
  entry.held = 0;
  return sup;
}

uint32_t room_in_use(const pool_supervisor_state& st) {
  uint32_t n = 0;
  for (auto& [kind, entry] : st.kinds)
    n += entry.held;
  return n;
}

/// The supervisor of this runtime's own browsers of `kind`, started if it
/// is not running; null, with `why_not`, if the kind cannot run here.
browser_supervisor_actor
local_supervisor(self_ptr self, const std::string& kind, std::string& why_not) {
  auto& st = self->state;
  auto& entry = entry_for(st, kind);
  if (!entry.disabled.empty()) {
    why_not = entry.disabled;
    return {};
  }
  if (!entry.supervisor && !start_supervisor(self, kind, why_not)) {
    st.kinds.erase(kind);
    return {};
  }
  return entry.supervisor;
}

/// A browser supervisor quit on its own: it gave up on its browsers.
void on_escalation(self_ptr self, const std::string& kind,
                   const caf::error& reason) {
  auto& st = self->state;
  auto& entry = entry_for(st, kind);
  entry.supervisor = nullptr;
  entry.held = 0;
  entry.escalations++;
  if (!entry.intensity.record(self->clock().now())) {
    entry.disabled = kind + " disabled after its supervisor gave up "
                     + std::to_string(entry.escalations)
                     + " times; last: " + render_error(reason);
    logger()->error("{}", entry.disabled);
    return;
  }
  logger()->warn("{} supervisor gave up ({}); starting it again", kind,
                 render_error(reason));
  std::string error;
  if (!start_supervisor(self, kind, error))
    entry.disabled = kind + " cannot be restarted: " + error;
}

/// Starts the recovery supervisor (again).
void start_recovery(self_ptr self) {
  auto& c = self->state.cfg;
  recovery_supervisor_config rc;
  rc.policy = c.recovery;
  rc.models = c.router.models;
  rc.browser_preferences = c.router.browser_preferences;
  rc.browsers = c.router.browsers;
  rc.timeouts = c.router.timeouts;
  rc.seed = c.seed ^ 0x9e3779b97f4a7c15ull;
  rc.metrics = c.metrics.sink;
  auto& child = self->state.recovery;
  child.actor = spawn_recovery_supervisor(self->system(), std::move(rc), self);
  self->monitor(child.actor);
}

/// Starts the metrics store (again); the sink and its events stay.
void start_metrics(self_ptr self) {
  auto& child = self->state.metrics;
  child.actor = spawn_metrics_store(self->system(), self->state.cfg.metrics);
  self->monitor(child.actor);
}

/// Starts the health monitor (again), unless the config turned it off.
void start_health(self_ptr self) {
  auto& st = self->state;
  if (st.cfg.health.policy.interval_ms == 0)
    return;
  st.health.actor = spawn_health_monitor(self->system(), st.cfg.health, self);
  self->monitor(st.health.actor);
}

/// The browser supervisors that run now.
std::vector<browser_supervisor_actor>
supervisors(const pool_supervisor_state& st) {
  std::vector<browser_supervisor_actor> out;
  for (auto& [kind, entry] : st.kinds)
    if (entry.supervisor)
      out.push_back(entry.supervisor);
  return out;
}

/// Every ready browser of every kind.
caf::result<std::vector<browser_connection_actor>>
list_browsers(self_ptr self) {
  using list = std::vector<browser_connection_actor>;
  auto rp = self->make_response_promise<list>();
  auto out = std::make_shared<list>();
  auto all = make_countdown([=]() mutable { rp.deliver(*out); });
  for (auto& sup : supervisors(self->state)) {
    all->expect();
    self->request(sup, ms{10000}, list_atom::value)
      .then(
        [=](list& xs) {
          out->insert(out->end(), xs.begin(), xs.end());
          all->arrive();
        },
        [=](caf::error&) { all->arrive(); });
  }
  all->arm();
  return rp;
}

/// Starts the router (again), with the instances the last one cached.
void start_router(self_ptr self) {
  auto& st = self->state;
  st.router.actor = spawn_router(self->system(), st.cfg.router, self,
                                 st.instances);
  self->monitor(st.router.actor);
}

void shut_down(self_ptr self, caf::typed_response_promise<bool> rp);

/// A child died: start it again within the restart intensity, else give
/// up on the whole tree (nothing works without a router or a recovery).
template <class Child, class Start>
void restart_child(self_ptr self, Child& child, const char* what,
                   const caf::error& reason, Start start) {
  child.actor = nullptr;
  if (!child.intensity.record(self->clock().now())) {
    logger()->critical("the {} failed {} times within {} ms; the runtime "
                       "stops. Last: {}",
                       what, child.restarts + 1,
                       self->state.cfg.policy.restart.window_ms,
                       render_error(reason));
    shut_down(self, {});
    return;
  }
  child.restarts++;
  logger()->error("the {} failed ({}); starting it again", what,
                  render_error(reason));
  start();
}

/// Stops the router and every browser supervisor; answers `rp` when done.
void shut_down(self_ptr self, caf::typed_response_promise<bool> rp) {
  auto& st = self->state;
  st.shutting_down = true;
  // The metrics store last, so that it writes how everything ended.
  auto all = make_countdown([=]() mutable {
    auto done = [=]() mutable {
      if (rp.pending())
        rp.deliver(true);
      self->quit();
    };
    auto& store = self->state.metrics.actor;
    if (!store) {
      done(); // It failed past its restart limit.
      return;
    }
    self->request(store, ms{30000}, shutdown_atom::value)
      .then([=](bool) mutable { done(); },
            [=](caf::error&) mutable { done(); });
  });
  // The health monitor first: it must not judge browsers that stop.
  if (st.health.actor)
    self->send_exit(st.health.actor, caf::exit_reason::user_shutdown);
  auto stop_supervisors = [=] {
    for (auto& [kind, entry] : self->state.kinds) {
      if (!entry.supervisor)
        continue;
      all->expect();
      self->request(entry.supervisor, ms{60000}, shutdown_atom::value)
        .then([=](bool) { all->arrive(); },
              [=](caf::error&) { all->arrive(); });
    }
    all->arm();
  };
  // The router first: its models leave their browsers before those stop.
  // Then recovery, so that nothing is placed any more.
  auto stop_recovery = [=] {
    self->request(self->state.recovery.actor, ms{10000}, shutdown_atom::value)
      .then([=](bool) { stop_supervisors(); },
            [=](caf::error&) { stop_supervisors(); });
  };
  self->request(st.router.actor, ms{10000}, shutdown_atom::value)
    .then([=](bool) { stop_recovery(); },
          [=](caf::error&) { stop_recovery(); });
}

pool_supervisor_actor::behavior_type pool_supervisor(self_ptr self,
                                                     pool_config cfg) {
  self->state.cfg = std::move(cfg);
  auto& init = self->state;
  init.router = supervised_child<router_actor>{init.cfg.policy.restart};
  init.recovery
    = supervised_child<recovery_supervisor_actor>{init.cfg.policy.restart};
  init.metrics = supervised_child<metrics_store_actor>{init.cfg.policy.restart};
  init.cfg.router.recovery_limits = init.cfg.recovery;
  // One sink for the whole tree; it outlives restarts of the store.
  if (!init.cfg.metrics.sink)
    init.cfg.metrics.sink
      = std::make_shared<metrics_sink>(init.cfg.metrics.policy.queue_limit);
  if (!init.cfg.metrics.memory)
    init.cfg.metrics.memory = std::make_shared<metrics_store_memory>();
  init.cfg.connection.metrics = init.cfg.metrics.sink;
  init.cfg.router.metrics = init.cfg.metrics.sink;
  init.cfg.health.sink = init.cfg.metrics.sink;
  init.health = supervised_child<health_monitor_actor>{init.cfg.policy.restart};
  start_metrics(self);
  start_recovery(self);
  start_router(self);
  start_health(self);
  self->set_down_handler([=](const caf::down_msg& msg) {
    auto& st = self->state;
    if (st.shutting_down)
      return;
    if (msg.source == st.router.actor.address()) {
      restart_child(self, st.router, "router", msg.reason,
                    [=] { start_router(self); });
      return;
    }
    if (msg.source == st.recovery.actor.address()) {
      restart_child(self, st.recovery, "recovery supervisor", msg.reason,
                    [=] { start_recovery(self); });
      return;
    }
    if (msg.source == st.metrics.actor.address()) {
      restart_child(self, st.metrics, "metrics store", msg.reason,
                    [=] { start_metrics(self); });
      return;
    }
    if (msg.source == st.health.actor.address()) {
      restart_child(self, st.health, "health monitor", msg.reason,
                    [=] { start_health(self); });
      return;
    }
    for (auto& [kind, entry] : st.kinds)
      if (entry.supervisor && entry.supervisor.address() == msg.source) {
        on_escalation(self, kind, msg.reason);
        return;
      }
  });
  // Kinds with a minimum start at once.
  for (auto& [kind, sizes] : self->state.cfg.kinds)
    if (sizes.min_connections > 0) {
      std::string error;
      if (!start_supervisor(self, kind, error))
        logger()->warn("cannot keep {} browsers running: {}", kind, error);
    }
  return {
    [=](connect_atom, const std::string& kind,
        placement_hint& hint) -> caf::result<browser_connection_actor> {
      auto& st = self->state;
      if (st.shutting_down)
        return make_error(errc::shutting_down, "runtime is shutting down");
      std::string why_not;
      auto local = local_supervisor(self, kind, why_not);
      auto nodes = st.nodes.offering(kind);
      if (nodes.empty()) {
        if (!local)
          return make_error(
            errc::browser_unavailable,
            why_not + (st.nodes.empty() ? "" : "; no node offers it"));
        return self->delegate(local, connect_atom::value, std::move(hint));
      }
      if (!local && nodes.size() == 1)
        return self->delegate(nodes.front().pool, connect_atom::value, kind,
                              std::move(hint));
      auto rp = self->make_response_promise<browser_connection_actor>();
      auto wait = ms{st.cfg.connection.timeouts.launch_ms} + ms{10000};
      place_among(self, {local, std::move(nodes)}, kind, hint, ms{5000}, wait,
                  rp);
      return rp;
    },
    [=](bid_atom, const std::string& kind,
        placement_hint& hint) -> caf::result<placement_bid> {
      std::string why_not;
      auto local = local_supervisor(self, kind, why_not);
      if (!local)
        return make_error(errc::browser_unavailable, why_not);
      return self->delegate(local, bid_atom::value, std::move(hint));
    },
    [=](joined_atom, const std::string& name, uint64_t epoch,
        const std::string& host, const caf::actor& pool,
        const std::vector<std::string>& kinds) {
      self->state.nodes.join({name, epoch, host,
                              caf::actor_cast<pool_supervisor_actor>(pool),
                              kinds});
    },
    [=](lost_atom, const std::string& name, uint64_t epoch,
        const std::string& why) { self->state.nodes.lose(name, epoch, why); },
    [=](metrics_atom) {
      return self->delegate(self->state.metrics.actor, metrics_atom::value);
    },
    [=](list_atom) { return list_browsers(self); },
    [=](recycle_atom, const browser_connection_actor& conn, uint8_t category,
        const std::string& why) {
      // A node's browser: its own pool acts.
      if (conn.node() != self->node()) {
        if (auto node = self->state.nodes.on(conn.node()))
          caf::anon_send(node->pool, recycle_atom::value, conn, category, why);
        return;
      }
      // The supervisor that has it acts; the others do not know it.
      for (auto& sup : supervisors(self->state))
        caf::anon_send(sup, recycle_atom::value, conn, category, why);
    },
    [=](health_atom) -> caf::result<health_report> {
      auto& st = self->state;
      if (st.nodes.joined().empty()) {
        if (!st.health.actor)
          return health_report{}; // Turned off (or failed past its limit).
        return self->delegate(st.health.actor, health_atom::value);
      }
      auto rp = self->make_response_promise<health_report>();
      auto out = std::make_shared<health_report>();
      auto all = make_countdown([=]() mutable { rp.deliver(*out); });
      if (st.health.actor) {
        all->expect();
        self->request(st.health.actor, ms{10000}, health_atom::value)
          .then(
            [=](health_report& ours) {
              merge_health(*out, std::move(ours), "");
              all->arrive();
            },
            [=](caf::error&) { all->arrive(); });
      }
      add_node_health(self, st.nodes, out, all);
      all->arm();
      return rp;
    },
    [=](get_atom, model_request& req) {
      return self->delegate(self->state.router.actor, get_atom::value,
                            std::move(req));
    },
    [=](unload_atom, model_actor& instance) {
      return self->delegate(self->state.router.actor, unload_atom::value,
                            std::move(instance));
    },
    [=](recover_atom, recovery_case& report) {
      return self->delegate(self->state.recovery.actor, recover_atom::value,
                            std::move(report));
    },
    [=](recovered_atom, uint64_t id, bool ok) {
      caf::anon_send(self->state.recovery.actor, recovered_atom::value, id, ok);
    },
    [=](evicted_atom) {
      caf::anon_send(self->state.router.actor, evicted_atom::value);
    },
    [=](cached_atom, const std::string& key, const model_actor& instance) {
      self->state.instances[key] = instance;
    },
    [=](uncached_atom, const std::string& key) {
      self->state.instances.erase(key);
    },
    [=](acquire_atom, const std::string& kind) {
      auto& st = self->state;
      if (st.shutting_down || room_in_use(st) >= st.cfg.policy.max_connections)
        return false;
      entry_for(st, kind).held++;
      return true;
    },
    [=](release_atom, const std::string& kind) {
      auto& entry = entry_for(self->state, kind);
      if (entry.held > 0)
        entry.held--;
    },
    [=](stats_atom) -> caf::result<pool_stats> {
      auto& st = self->state;
      auto rp = self->make_response_promise<pool_stats>();
      auto out = std::make_shared<pool_stats>();
      out->max_connections = st.cfg.policy.max_connections;
      out->router_restarts = st.router.restarts;
      out->recovery_restarts = st.recovery.restarts;
      out->metrics_restarts = st.metrics.restarts;
      out->health_restarts = st.health.restarts;
      auto all = make_countdown([=]() mutable { rp.deliver(*out); });
      all->expect();
      self->request(st.recovery.actor, ms{10000}, stats_atom::value)
        .then(
          [=](recovery_stats& recovery) {
            out->recovery = std::move(recovery);
            all->arrive();
          },
          [=](caf::error&) { all->arrive(); });
      all->expect();
      self->request(st.router.actor, ms{10000}, stats_atom::value)
        .then(
          [=](model_cache_stats& models) {
            out->models = models;
            all->arrive();
          },
          [=](caf::error&) { all->arrive(); });
      for (auto& [kind, entry] : st.kinds) {
        if (!entry.supervisor) {
          kind_stats ks;
          ks.kind = kind;
          ks.escalations = entry.escalations;
          ks.disabled = entry.disabled;
          out->kinds.push_back(std::move(ks));
          continue;
        }
        all->expect();
        auto escalations = entry.escalations;
        self->request(entry.supervisor, ms{10000}, stats_atom::value)
          .then(
            [=](kind_stats& ks) mutable {
              ks.escalations = escalations;
              out->kinds.push_back(std::move(ks));
              all->arrive();
            },
            [=](caf::error&) { all->arrive(); });
      }
      add_node_stats(self, st.nodes, out, all);
      all->arm();
      return rp;
    },
    [=](fault_atom, int32_t pid, const std::string& fault,
        uint32_t count) -> caf::result<bool> {
      // Tests: the root's own children, to see it start them again.
      if (pid == 0 && self->state.cfg.recovery.fault_injection) {
        auto& st = self->state;
        if (fault == "kill-router" && st.router.actor) {
          self->send_exit(st.router.actor, caf::exit_reason::kill);
          return true;
        }
        if (fault == "kill-recovery" && st.recovery.actor) {
          self->send_exit(st.recovery.actor, caf::exit_reason::kill);
          return true;
        }
        if (fault == "kill-metrics" && st.metrics.actor) {
          self->send_exit(st.metrics.actor, caf::exit_reason::kill);
          return true;
        }
        if (fault == "kill-health" && st.health.actor) {
          self->send_exit(st.health.actor, caf::exit_reason::kill);
          return true;
        }
      }
      // Asks every kind; true if one of them has the browser.
      return ask_any(self, supervisors(self->state), ms{10000},
                     fault_atom::value, pid, fault, count);
    },
    [=](shutdown_atom) -> caf::result<bool> {
      auto rp = self->make_response_promise<bool>();
      shut_down(self, rp);
      return rp;
    },
  };
}

} // namespace

pool_supervisor_actor spawn_pool_supervisor(caf::actor_system& sys,
                                            pool_config cfg) {
  return sys.spawn(pool_supervisor, std::move(cfg));
}

} // namespace webaccel
