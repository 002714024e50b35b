// The health monitor's behavior: a round every interval_ms (list the
// browsers, sample each, start the canaries that are due), and the answers
// fed to the ledger as they come. No request here carries a timer: the
// connection enforces the canary's deadline like any request's, and a
// connection that dies answers with an error.
#include "actors/health_monitor.hpp"

#include <caf/all.hpp>

#include "actors/rules/canary.hpp"
#include "actors/rules/health_ledger.hpp"
#include "config/logging.hpp"
#include "transport/store/latency_histogram.hpp"

namespace webaccel {

namespace {

using ms = std::chrono::milliseconds;

struct health_monitor_state {
  static inline const char* name = "health_monitor";

  health_monitor_config cfg;
  pool_supervisor_actor root;
  health_ledger ledger{health_policy{}, 0, ms{0}};
  /// The browsers of the last round, by actor id.
  std::map<uint64_t, browser_connection_actor> browsers;
  /// The last latency figures per browser, merged per platform for the
  /// report.
  std::map<uint64_t, std::vector<platform_latency>> latencies;
  uint64_t samples = 0;
};

using self_ptr = health_monitor_actor::stateful_pointer<health_monitor_state>;

/// All platforms of one browser in one histogram.
latency_histogram merged(const std::vector<platform_latency>& xs) {
  latency_histogram all;
  for (auto& x : xs) {
    latency_histogram h;
    if (h.from_text(x.histogram))
      all.merge(h);
  }
  return all;
}

/// Requests, failures and latency per platform over every browser.
std::vector<platform_health> by_platform(
  const std::map<uint64_t, std::vector<platform_latency>>& latencies) {
  std::map<std::string, std::pair<platform_health, latency_histogram>> by;
  for (auto& [id, xs] : latencies)
    for (auto& x : xs) {
      auto& [figures, hist] = by[x.platform];
      figures.platform = x.platform;
      figures.requests += x.requests;
      figures.failures += x.failures;
      latency_histogram h;
      if (h.from_text(x.histogram))
        hist.merge(h);
    }
  std::vector<platform_health> out;
  for (auto& [name, fh] : by) {
    auto figures = fh.first;
    figures.latency_p50_ms = fh.second.percentile(0.5);
    figures.latency_p99_ms = fh.second.percentile(0.99);
    out.push_back(std::move(figures));
  }
  return out;
}

void judge(self_ptr self, uint64_t id) {
  auto& st = self->state;
  auto i = st.browsers.find(id);
  if (i == st.browsers.end())
    return;
  caf::anon_send(i->second, health_atom::value, st.ledger.score(id),
                 st.ledger.breaker(id));
  auto order = st.ledger.take_recycle(id);
  if (order.why.empty())
    return;
  logger()->warn("health monitor recycles a browser: {}", order.why);
  caf::anon_send(st.root, recycle_atom::value, i->second, order.category,
                 order.why);
}

void on_stats(self_ptr self, uint64_t id, const connection_stats& stats) {
  auto& st = self->state;
  auto now = self->clock().now();
  auto hist = merged(stats.platforms);
  uint64_t limit = 0;
  if (auto l = st.cfg.memory_limits.find(stats.kind);
      l != st.cfg.memory_limits.end())
    limit = l->second;
  st.ledger.add_sample(id, stats, limit, hist.percentile(0.5),
                       hist.percentile(0.99), now);
  st.latencies[id] = stats.platforms;
  st.samples++;
  health_sample sample;
  sample.at = wall_clock_s();
  sample.connection = id;
  sample.kind = stats.kind;
  sample.memory_bytes = stats.process_bytes;
  sample.heap_bytes = stats.page_heap_bytes;
  sample.heartbeat_ms = stats.heartbeat_ms;
  sample.score = st.ledger.score(id);
  sample.reasons = st.ledger.reasons_text(id);
  record(st.cfg.sink, std::move(sample));
  judge(self, id);
}

/// The canary's deadline: canary_timeout_ms, or 4 times the p99 round trip
/// of the browser's requests on the platform if that is longer (a canary
/// may wait behind them).
uint32_t canary_timeout(const health_monitor_state& st, const canary_job& job) {
  double timeout = st.cfg.policy.canary_timeout_ms;
  if (auto i = st.latencies.find(job.browser); i != st.latencies.end())
    for (auto& x : i->second) {
      latency_histogram h;
      if (x.platform == job.platform && h.from_text(x.histogram))
        timeout = std::max(timeout, 4 * h.percentile(0.99));
    }
  return static_cast<uint32_t>(std::min(timeout, 600000.0));
}

/// A canary ran past its deadline. A page busy loading a model (WebGPU
/// compiles its shaders then, and a canary waits behind that) is late, not
/// wedged: the canary counts as skipped. A wedged page's loads end at
/// their own deadline, and the next canary is judged.
void judge_late_canary(self_ptr self, const browser_connection_actor& conn,
                       const canary_job& job, const std::string& error) {
  self->request(conn, ms{10000}, stats_atom::value)
    .then(
      [=](connection_stats& now) {
        auto& ledger = self->state.ledger;
        if (now.loading > 0) {
          ledger.canary_skipped(job, self->clock().now());
          return;
        }
        ledger.canary_done(job, canary_outcome::timed_out, 0, error,
                           self->clock().now());
        judge(self, job.browser);
      },
      [=](caf::error&) {
        self->state.ledger.canary_skipped(job, self->clock().now());
      });
}

void run_canary(self_ptr self, const canary_job& job) {
  auto& st = self->state;
  auto i = st.browsers.find(job.browser);
  if (i == st.browsers.end() || !st.cfg.canary)
    return;
  auto conn = i->second;
  auto skipped = [=](caf::error&) {
    // Gone, retiring, or the platform refused the load: not a verdict on
    // the page's inference.
    self->state.ledger.canary_skipped(job, self->clock().now());
  };
  self
    ->request(conn, caf::infinite, load_atom::value, *st.cfg.canary,
              job.platform)
    .then(
      [=](loaded_model& loaded) {
        auto sent = self->clock().now();
        auto req = canary_request(canary_timeout(self->state, job));
        self->request(conn, caf::infinite, infer_atom::value, loaded.key, req)
          .then(
            [=](page_result& res) {
              auto now = self->clock().now();
              auto wrong = check_canary(res);
              self->state.ledger.canary_done(
                job,
                wrong.empty() ? canary_outcome::ok : canary_outcome::failed,
                std::chrono::duration<double, std::milli>(now - sent).count(),
                wrong, now);
              judge(self, job.browser);
            },
            [=](caf::error& err) {
              auto now = self->clock().now();
              auto code = category_of(err);
              if (code != errc::timeout && code != errc::out_of_memory
                  && code != errc::unsupported_operation
                  && code != errc::protocol_violation) {
                self->state.ledger.canary_skipped(job, now);
                return;
              }
              if (code != errc::timeout) {
                self->state.ledger.canary_done(job, canary_outcome::failed, 0,
                                               render_error(err), now);
                judge(self, job.browser);
                return;
              }
              judge_late_canary(self, conn, job, render_error(err));
            });
      },
      skipped);
}

void look_at(self_ptr self, const std::vector<browser_connection_actor>& all) {
  auto& st = self->state;
  std::vector<uint64_t> ids;
  std::map<uint64_t, browser_connection_actor> now_live;
  for (auto& conn : all) {
    ids.push_back(conn.id());
    now_live.emplace(conn.id(), conn);
  }
  st.ledger.keep_only(ids);
  for (auto i = st.latencies.begin(); i != st.latencies.end();)
    i = now_live.count(i->first) ? std::next(i) : st.latencies.erase(i);
  st.browsers = std::move(now_live);
  for (auto& [id, conn] : st.browsers) {
    auto bid = id;
    if (!st.ledger.knows(id)) {
      // Its platforms, once: the page's hello has them.
      self->request(conn, caf::infinite, ready_atom::value)
        .then(
          [=](browser_capabilities& caps) {
            std::vector<std::string> platforms;
            if (self->state.cfg.canary)
              for (auto name : {"webgpu", "webnn", "wasm"})
                if (caps.platform(name)->available)
                  platforms.push_back(name);
            self->state.ledger.add_browser(bid, platforms, self->clock().now());
          },
          [](caf::error&) {});
      continue;
    }
    self->request(conn, caf::infinite, stats_atom::value)
      .then([=](connection_stats& stats) { on_stats(self, bid, stats); },
            [](caf::error&) {});
  }
  for (auto& job : st.ledger.due_canaries(self->clock().now()))
    run_canary(self, job);
}

health_monitor_actor::behavior_type health_monitor(self_ptr self,
                                                   health_monitor_config cfg,
                                                   pool_supervisor_actor root) {
  auto& init = self->state;
  init.cfg = std::move(cfg);
  init.root = std::move(root);
  init.ledger = health_ledger{init.cfg.policy, init.cfg.breaker_failures,
                              ms{init.cfg.breaker_cooldown_ms}};
  if (!init.cfg.canary_off.empty())
    logger()->warn("health monitor runs no canaries: {}", init.cfg.canary_off);
  // Its timer re-arms itself: it must not outlive the tree it looks at.
  self->monitor(init.root);
  self->set_down_handler([=](const caf::down_msg&) { self->quit(); });
  self->send(self, check_atom::value);
  return {
    [=](check_atom) {
      auto& st = self->state;
      self->request(st.root, caf::infinite, list_atom::value)
        .then(
          [=](std::vector<browser_connection_actor>& all) {
            look_at(self, all);
          },
          [](caf::error&) {});
      self->delayed_send(self, ms{st.cfg.policy.interval_ms},
                         check_atom::value);
    },
    [=](health_atom) {
      auto& st = self->state;
      health_report out;
      out.enabled = true;
      out.canary_off = st.cfg.canary_off;
      out.browsers = st.ledger.reports();
      out.recycled = st.ledger.recycled();
      out.samples = st.samples;
      out.canaries = st.ledger.canaries();
      out.canary_failures = st.ledger.canary_failures();
      out.platforms = by_platform(st.latencies);
      return out;
    },
  };
}

} // namespace

health_monitor_actor spawn_health_monitor(caf::actor_system& sys,
                                          health_monitor_config cfg,
                                          pool_supervisor_actor root) {
  return sys.spawn(health_monitor, std::move(cfg), std::move(root));
}

} // namespace webaccel
