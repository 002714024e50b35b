// The browser supervisor's behavior (see browser_supervisor.hpp). Over 400
// lines for a reason: launching, growing, restarting and retiring are steps
// of one state machine over the same slot table and waiting lists, and
// split across files they would each need the whole state; the table's
// queries are in supervisor/slots, the decisions in rules/pool_rules.
#include "actors/browser_supervisor.hpp"

#include <algorithm>

#include <chrono>
#include <map>
#include <random>
#include <vector>

#include <caf/all.hpp>

#include "actors/countdown.hpp"
#include "actors/rules/pool_rules.hpp"
#include "actors/rules/source_choice.hpp"
#include "actors/supervisor/slots.hpp"
#include "config/logging.hpp"

namespace webaccel {

namespace {

using namespace supervisor;
using ms = std::chrono::milliseconds;

// Extra time granted to a request whose callee enforces its own deadline.
constexpr uint32_t slack_ms = 5000;

struct browser_supervisor_state {
  static inline const char* name = "browser_supervisor";

  explicit browser_supervisor_state() : intensity(restart_policy{}) {
    // nop
  }

  browser_supervisor_config cfg;
  std::string kind;
  slot_table slots;
  uint64_t next_slot = 1;
  /// Waiting to place a model, with what they said about it.
  std::vector<std::pair<caf::typed_response_promise<browser_connection_actor>,
                        placement_hint>>
    waiting;
  /// Waiting only to look at a browser (they add no load).
  std::vector<caf::typed_response_promise<browser_connection_actor>> lookers;
  /// Room requested from the pool and not answered yet.
  uint32_t acquiring = 0;
  restart_intensity intensity;
  std::minstd_rand rng;
  kind_stats counters;
  bool shutting_down = false;
};

using self_ptr
  = browser_supervisor_actor::stateful_pointer<browser_supervisor_state>;

/// Whether a browser is on its way (being started, or room for it asked
/// for); one in backoff is not: its restart may be seconds away yet.
bool launch_pending(const browser_supervisor_state& st) {
  if (st.acquiring > 0)
    return true;
  for (auto& [id, s] : st.slots)
    if (s.state == phase::launching)
      return true;
  return false;
}

/// Hands the browser of slot `id` to someone placing a model.
browser_connection_actor hand_out(browser_supervisor_state& st, uint64_t id,
                                  const placement_hint& hint,
                                  const std::string& why) {
  auto& s = st.slots.at(id);
  ++s.load;
  logger()->debug("{} browser {} takes {}: {}", st.kind, id, hint.model_key,
                  why);
  return s.conn;
}

void answer_waiting(self_ptr self) {
  auto& st = self->state;
  if (auto s = least_loaded(st.slots)) {
    for (auto& rp : st.lookers)
      rp.deliver(s->conn);
    st.lookers.clear();
  }
  uint64_t limit = uint64_t{st.cfg.memory_limit_mb} << 20;
  auto pending = launch_pending(st);
  std::vector<std::pair<caf::typed_response_promise<browser_connection_actor>,
                        placement_hint>>
    still;
  for (auto& [rp, hint] : st.waiting) {
    auto choice
      = choose_browser(candidates(st.slots, hint, st.cfg.healthy_score),
                       hint.model_bytes, limit, false);
    // A browser on its way will be idle: wait for it rather than share.
    auto shares = choice.basis == browser_choice::least_loaded
                  || choice.basis == browser_choice::past_budget;
    if (choice.action != browser_choice::use || (shares && pending))
      still.emplace_back(std::move(rp), std::move(hint));
    else
      rp.deliver(hand_out(st, choice.id, hint, choice.why));
  }
  st.waiting = std::move(still);
}

void fail_waiting(self_ptr self, const caf::error& err) {
  for (auto& [rp, hint] : self->state.waiting)
    rp.deliver(err);
  self->state.waiting.clear();
  for (auto& rp : self->state.lookers)
    rp.deliver(err);
  self->state.lookers.clear();
}

/// Starts the browser of slot `id` and waits for its handshake.
void launch(self_ptr self, uint64_t id) {
  auto& st = self->state;
  auto& s = st.slots[id];
  s.conn = spawn_browser_connection(self->system(), st.cfg.connection);
  s.state = phase::launching;
  s.started = self->clock().now();
  s.retiring = retire_reason::keep;
  s.load = 0;
  st.counters.launches++;
  self->monitor(s.conn);
  auto conn = s.conn;
  self
    ->request(conn, ms{st.cfg.connection.timeouts.launch_ms + slack_ms},
              ready_atom::value)
    .then(
      [=](browser_capabilities&) {
        auto i = self->state.slots.find(id);
        if (i == self->state.slots.end() || i->second.conn != conn)
          return;
        i->second.state = phase::ready;
        i->second.restarting = false;
        answer_waiting(self);
      },
      [=](caf::error& err) {
        // The down handler restarts it (or gives up).
        logger()->warn("{} did not come up: {}", self->state.kind,
                       render_error(err));
        caf::anon_send(conn, shutdown_atom::value);
      });
}

/// Asks the pool for room and starts one more browser if granted.
void grow(self_ptr self) {
  self->state.acquiring++;
  self
    ->request(self->state.cfg.pool, ms{slack_ms}, acquire_atom::value,
              self->state.kind)
    .then(
      [=](bool granted) {
        auto& st = self->state;
        st.acquiring--;
        if (st.shutting_down) {
          if (granted)
            caf::anon_send(st.cfg.pool, release_atom::value, st.kind);
          return;
        }
        if (granted) {
          launch(self, st.next_slot++);
          return;
        }
        // No room in the pool: share what is there, or fail.
        answer_waiting(self);
        if ((!st.waiting.empty() || !st.lookers.empty())
            && live_count(st.slots) == 0 && st.acquiring == 0)
          fail_waiting(self,
                       make_error(errc::browser_unavailable,
                                  "the pool is full (max_connections "
                                  "reached by other browser kinds); "
                                  "no "
                                    + st.kind + " browser can be started"));
      },
      [=](caf::error& err) {
        self->state.acquiring--;
        logger()->warn("pool did not grant room for a {} browser: {}",
                       self->state.kind, render_error(err));
      });
}

/// Keeps at least min_connections browsers starting or running.
void ensure_minimum(self_ptr self) {
  auto& st = self->state;
  while (!st.shutting_down
         && live_count(st.slots) + st.acquiring < st.cfg.min_connections)
    grow(self);
}

/// Stops every browser, fails waiters, answers `done` once all are gone.
void stop_all(self_ptr self, const caf::error& reason,
              std::function<void()> done) {
  auto& st = self->state;
  st.shutting_down = true;
  fail_waiting(self, reason);
  auto all = make_countdown(std::move(done));
  for (auto& [id, s] : st.slots) {
    if (!s.conn)
      continue;
    all->expect();
    self->request(s.conn, ms{30000}, shutdown_atom::value)
      .then([=](bool) { all->arrive(); }, [=](caf::error&) { all->arrive(); });
  }
  all->arm();
}

/// Starts the failed browser of slot `id` again, if it still waits out
/// its backoff.
void restart(self_ptr self, uint64_t id) {
  auto& st = self->state;
  auto i = st.slots.find(id);
  if (st.shutting_down || i == st.slots.end()
      || i->second.state != phase::backoff)
    return;
  st.counters.restarts++;
  launch(self, id); // Keeps the slot's count of restarts in a row.
  i->second.restarting = true;
}

/// A browser died on its own: restart it after a backoff, or give up.
void on_failure(self_ptr self, uint64_t id, const caf::error& reason) {
  auto& st = self->state;
  auto& s = st.slots[id];
  // The actor clock: the deterministic scheduler's in tests.
  auto now = self->clock().now();
  st.counters.failures++;
  if (!st.intensity.record(now)) {
    // A remote end that keeps refusing (down, no slot) leaves the browser
    // unavailable; anything else is a crash loop.
    auto code = category_of(reason) == errc::browser_unavailable
                  ? errc::browser_unavailable
                  : errc::browser_crash;
    auto err = make_error(
      code, st.kind + " browsers failed "
              + std::to_string(st.intensity.recent(now)) + " times within "
              + std::to_string(st.cfg.policy.restart.window_ms) + " ms (limit "
              + std::to_string(st.cfg.policy.restart.max_restarts)
              + "); last: " + render_error(reason));
    logger()->error("{} supervisor gives up: {}", st.kind, render_error(err));
    stop_all(self, err, [=] { self->quit(err); });
    return;
  }
  // A browser that ran for a while is not crash-looping: its restart need
  // not wait out a long backoff. One that fails while starting keeps
  // doubling it.
  if (now - s.started >= ms{st.cfg.policy.restart.stable_after_ms})
    s.consecutive_restarts = 0;
  std::uniform_real_distribution<double> jitter{0.0, 1.0};
  auto delay = restart_delay(st.cfg.policy.restart, s.consecutive_restarts,
                             jitter(st.rng));
  s.consecutive_restarts++;
  s.conn = nullptr;
  s.state = phase::backoff;
  if (!st.waiting.empty()) {
    // A placement waits for a browser (it found this one gone before we
    // did): restart now, as its connect request would have.
    logger()->warn("{} browser failed ({}); restarting now", st.kind,
                   render_error(reason));
    restart(self, id);
    return;
  }
  logger()->warn("{} browser failed ({}); restarting in {} ms", st.kind,
                 render_error(reason), delay.count());
  self->delayed_send(self, delay, restart_atom::value, id);
}

/// Checks one ready browser's stats against the policy.
void check_slot(self_ptr self, uint64_t id, const connection_stats& stats) {
  auto& st = self->state;
  auto i = st.slots.find(id);
  if (i == st.slots.end() || i->second.state != phase::ready)
    return;
  auto& s = i->second;
  s.last = stats;
  // A model just placed here may not have attached yet, but its page
  // session shows already.
  s.load = std::max(stats.models,
                    static_cast<uint32_t>(stats.loaded_models.size())
                      + stats.loading);
  browser_usage health;
  health.requests = stats.requests;
  health.in_flight = stats.in_flight;
  health.age = ms{static_cast<int64_t>(stats.age_ms)};
  health.idle = ms{static_cast<int64_t>(stats.idle_ms)};
  // The page's heap lives inside the processes /proc measured; it is the
  // only figure where /proc cannot see the browser (WebDriver launches).
  health.memory_bytes = std::max(stats.process_bytes, stats.page_heap_bytes);
  std::string why;
  auto above_minimum = live_count(st.slots) > st.cfg.min_connections;
  auto reason = should_retire(health, st.cfg.policy, st.cfg.memory_limit_mb,
                              above_minimum, why);
  if (reason == retire_reason::keep)
    return;
  s.retiring = reason;
  s.state = phase::draining;
  // A draining browser no longer takes room in the pool: its replacement
  // may start while it finishes.
  caf::anon_send(st.cfg.pool, release_atom::value, st.kind);
  caf::anon_send(s.conn, drain_atom::value, st.kind + " browser " + why,
                 reason != retire_reason::idle);
  ensure_minimum(self);
}

/// The health monitor found a browser sick: it retires now, and what is in
/// flight on it fails over to recovery (it might never finish there).
void recycle(self_ptr self, const browser_connection_actor& conn,
             uint8_t category, const std::string& why) {
  auto& st = self->state;
  auto id = find_slot(st.slots, conn.address());
  if (id == 0 || st.shutting_down)
    return;
  auto& s = st.slots[id];
  if (s.state != phase::draining)
    caf::anon_send(st.cfg.pool, release_atom::value, st.kind);
  s.retiring = retire_reason::health;
  s.state = phase::draining;
  caf::anon_send(conn, recycle_atom::value, category, why);
  ensure_minimum(self);
}

void check(self_ptr self) {
  auto& st = self->state;
  if (st.shutting_down)
    return;
  for (auto& [id, s] : st.slots) {
    if (s.state != phase::ready)
      continue;
    auto slot_id = id;
    self->request(s.conn, ms{slack_ms}, stats_atom::value)
      .then([=](connection_stats& stats) { check_slot(self, slot_id, stats); },
            [](caf::error&) {});
  }
  ensure_minimum(self);
  self->delayed_send(self, ms{st.cfg.policy.heartbeat_ms}, check_atom::value);
}

browser_supervisor_actor::behavior_type
browser_supervisor(self_ptr self, browser_supervisor_config cfg) {
  auto& init = self->state;
  init.cfg = std::move(cfg);
  init.kind = init.cfg.connection.kind;
  init.intensity = restart_intensity{init.cfg.policy.restart};
  init.rng.seed(static_cast<std::minstd_rand::result_type>(init.cfg.seed));
  self->set_down_handler([=](const caf::down_msg& msg) {
    auto& st = self->state;
    auto id = find_slot(st.slots, msg.source);
    if (id == 0 || st.shutting_down)
      return;
    if (auto reason = st.slots[id].retiring; reason != retire_reason::keep) {
      st.counters.retired[to_string(reason)]++;
      st.slots.erase(id); // Its room went back when it started draining.
      ensure_minimum(self);
      answer_waiting(self);
      return;
    }
    on_failure(self, id, msg.reason);
  });
  ensure_minimum(self);
  self->delayed_send(self, ms{init.cfg.policy.heartbeat_ms}, check_atom::value);
  return {
    [=](connect_atom,
        placement_hint& hint) -> caf::result<browser_connection_actor> {
      auto& st = self->state;
      if (st.shutting_down)
        return make_error(errc::shutting_down,
                          st.kind + " browsers are shutting down");
      if (!hint.placing) {
        if (auto s = least_loaded(st.slots))
          return s->conn;
        // Wait for one (starting it if none is on its way); a looker adds
        // no load.
        auto rp = self->make_response_promise<browser_connection_actor>();
        st.lookers.push_back(rp);
        if (live_count(st.slots) + st.acquiring == 0)
          grow(self);
        return rp;
      }
      auto can_grow = live_count(st.slots) + st.acquiring
                      < st.cfg.max_connections;
      auto choice = choose_browser(
        candidates(st.slots, hint, st.cfg.healthy_score), hint.model_bytes,
        uint64_t{st.cfg.memory_limit_mb} << 20, can_grow);
      if (choice.action == browser_choice::use)
        return hand_out(st, choice.id, hint, choice.why);
      auto rp = self->make_response_promise<browser_connection_actor>();
      st.waiting.emplace_back(rp, std::move(hint));
      // A failed browser's restart serves it: now, if it waits out a backoff
      // (someone needs it; the intensity limit still bounds crash loops), or
      // once it is up. Growing as well would start two browsers at once.
      if (auto id = slot_in_backoff(st.slots))
        restart(self, id);
      else if (choice.action == browser_choice::grow
               && !restart_launching(st.slots))
        grow(self);
      return rp;
    },
    [=](bid_atom, const placement_hint& hint) {
      auto& st = self->state;
      auto can_grow = live_count(st.slots) + st.acquiring
                      < st.cfg.max_connections;
      auto ready = candidates(st.slots, hint, st.cfg.healthy_score);
      return make_bid(choose_browser(ready, hint.model_bytes,
                                     uint64_t{st.cfg.memory_limit_mb} << 20,
                                     can_grow),
                      ready);
    },
    [=](check_atom) { check(self); },
    [=](list_atom) {
      std::vector<browser_connection_actor> out;
      for (auto& [id, s] : self->state.slots)
        if (s.state == phase::ready)
          out.push_back(s.conn);
      return out;
    },
    [=](recycle_atom, const browser_connection_actor& conn, uint8_t category,
        const std::string& why) { recycle(self, conn, category, why); },
    [=](restart_atom, uint64_t id) { restart(self, id); },
    [=](stats_atom) -> caf::result<kind_stats> {
      // Fresh figures from every running browser, then the snapshot.
      auto rp = self->make_response_promise<kind_stats>();
      auto all = make_countdown([=]() mutable {
        rp.deliver(
          snapshot(self->state.slots, self->state.counters, self->state.kind));
      });
      for (auto& [id, s] : self->state.slots) {
        if (s.state == phase::backoff)
          continue;
        all->expect();
        auto slot_id = id;
        self->request(s.conn, ms{slack_ms}, stats_atom::value)
          .then(
            [=](connection_stats& stats) mutable {
              if (auto i = self->state.slots.find(slot_id);
                  i != self->state.slots.end())
                i->second.last = std::move(stats);
              all->arrive();
            },
            [=](caf::error&) { all->arrive(); });
      }
      all->arm();
      return rp;
    },
    [=](fault_atom, int32_t pid, const std::string& fault,
        uint32_t count) -> caf::result<bool> {
      // Each connection checks the pid itself (it knows its process).
      std::vector<browser_connection_actor> conns;
      for (auto& [id, s] : self->state.slots)
        if (s.conn)
          conns.push_back(s.conn);
      return ask_any(self, conns, ms{slack_ms}, fault_atom::value, pid, fault,
                     count);
    },
    [=](shutdown_atom) -> caf::result<bool> {
      auto rp = self->make_response_promise<bool>();
      stop_all(self, make_error(errc::shutting_down, "runtime shut down"),
               [=]() mutable {
                 rp.deliver(true);
                 self->quit();
               });
      return rp;
    },
  };
}

} // namespace

browser_supervisor_actor
spawn_browser_supervisor(caf::actor_system& sys,
                         browser_supervisor_config cfg) {
  return sys.spawn(browser_supervisor, std::move(cfg));
}

} // namespace webaccel
