// The recovery supervisor's behavior (see recovery_supervisor.hpp). Over
// 400 lines for a reason: a case's steps (report, next strategy, attempt,
// outcome, retry backoff, give-up, the record of each) are one state
// machine over the open cases; the chains and the targets they pick are in
// rules/recovery_chain.
#include "actors/recovery_supervisor.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <random>

#include <caf/all.hpp>

#include "actors/rules/recovery_chain.hpp"
#include "config/logging.hpp"

namespace webaccel {

namespace {

using clock_type = std::chrono::steady_clock;

/// Samples kept per category for the time-to-recover percentiles.
constexpr size_t max_time_samples = 10000;

/// One failure being recovered from.
struct open_case {
  recovery_case first;
  errc category = errc::none;
  std::vector<recovery_strategy> chain;
  /// The strategy to use next, and retries used so far.
  size_t position = 0;
  uint32_t retries = 0;
  /// Where the model failed; strategies move it from here.
  placement_target current;
  browser_connection_actor failed_connection;
  std::vector<placement_target> tried;
  /// What was tried and how it went, in words.
  std::vector<std::string> attempts;
  /// A step handed out whose outcome is not known yet, and where it went.
  std::optional<recovery_strategy> pending;
  /// A retry waiting out its backoff: where it goes.
  placement_target retry_target;
  /// When the case opened, on the actor clock.
  clock_type::time_point started;
  caf::typed_response_promise<recovery_step> promise;
};

struct recovery_supervisor_state {
  static inline const char* name = "recovery_supervisor";
  recovery_supervisor_config cfg;
  pool_supervisor_actor pool;
  std::map<uint64_t, open_case> cases;
  uint64_t next_case = 1;
  /// What browsers of each kind probed, as seen in reports and attempts.
  std::map<std::string, browser_capabilities> probed;
  std::minstd_rand rng;
  recovery_stats counters;
  std::map<std::string, std::vector<double>> recovery_ms;
};

using self_ptr
  = recovery_supervisor_actor::stateful_pointer<recovery_supervisor_state>;

double ms_since(self_ptr self, clock_type::time_point t) {
  return std::chrono::duration<double, std::milli>(self->clock().now() - t)
    .count();
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (auto& p : parts)
    out += (out.empty() ? "" : "; ") + p;
  return out;
}

recovery_options options_for(const recovery_supervisor_state& st,
                             const open_case& c) {
  recovery_options out;
  auto& req = c.first.request;
  if (auto i = st.cfg.models.find(req.name); i != st.cfg.models.end())
    out.variants = i->second.variants;
  out.priority_list = req.preferences.priority_list;
  out.kinds = candidate_browsers(req, st.cfg.browser_preferences,
                                 st.cfg.browsers);
  out.probed = st.probed;
  out.tried = c.tried;
  return out;
}

/// The spec of the variant `target` names; nullopt if the model has none.
std::optional<model_spec> spec_for(const recovery_supervisor_state& st,
                                   const open_case& c,
                                   const placement_target& target) {
  auto& req = c.first.request;
  auto i = st.cfg.models.find(req.name);
  if (i == st.cfg.models.end())
    return std::nullopt;
  auto variant = i->second.variant(target.precision, target.mixed_precision);
  if (variant == nullptr || variant->mixed_precision != target.mixed_precision)
    return std::nullopt;
  auto spec = make_spec(i->second, *variant);
  spec.warmup = req.preferences.precompile_shaders;
  spec.parallel_loading = req.preferences.parallel_loading;
  return spec;
}

void record_time(self_ptr self, errc category, double ms) {
  auto& samples = self->state.recovery_ms[to_string(category)];
  if (samples.size() >= max_time_samples)
    samples.erase(samples.begin());
  samples.push_back(ms);
}

/// Records how a step of case `c` went (recovered, failed, skipped) or
/// that its chain is exhausted.
void record_step(self_ptr self, const open_case& c, const std::string& strategy,
                 const char* outcome, std::string detail = {}) {
  auto& sink = self->state.cfg.metrics;
  if (!sink)
    return;
  recovery_event e;
  e.at = wall_clock_s();
  e.model = c.first.request.name;
  e.category = to_string(c.category);
  e.strategy = strategy;
  e.outcome = outcome;
  e.duration_ms = ms_since(self, c.started);
  e.attempt = static_cast<uint32_t>(c.attempts.size());
  e.detail = std::move(detail);
  sink->push(std::move(e));
}

/// The case's step worked: the model runs again.
void succeed(self_ptr self, uint64_t id) {
  auto& st = self->state;
  auto i = st.cases.find(id);
  if (i == st.cases.end())
    return;
  auto& c = i->second;
  auto took = ms_since(self, c.started);
  if (c.pending)
    st.counters.strategies[to_string(*c.pending)].succeeded++;
  st.counters.recovered++;
  record_time(self, c.category, took);
  record_step(self, c, c.pending ? to_string(*c.pending) : "?", "recovered",
              c.current.to_string());
  logger()->info("{} recovered from {} in {:.0f} ms by {} ({})",
                 c.first.request.name, to_string(c.category), took,
                 c.pending ? to_string(*c.pending) : "?",
                 c.current.to_string());
  st.cases.erase(i);
}

/// Every strategy failed or did not apply: answer with the typed error.
void exhaust(self_ptr self, uint64_t id, const std::string& why) {
  auto& st = self->state;
  auto i = st.cases.find(id);
  if (i == st.cases.end())
    return;
  auto& c = i->second;
  st.counters.exhausted++;
  auto err = make_error(
    c.category,
    c.first.request.name + ": recovery from " + to_string(c.category) + " ("
      + c.first.error + ") failed" + (why.empty() ? "" : " (" + why + ")")
      + "; attempts: "
      + (c.attempts.empty() ? std::string{"none"} : join(c.attempts)));
  logger()->warn("{}", render_error(err));
  record_step(self, c, "", "exhausted", why);
  c.promise.deliver(err);
  st.cases.erase(i);
}

void run_next(self_ptr self, uint64_t id);

/// An attempt placed the model, or failed to.
void on_attempt(self_ptr self, uint64_t id, recovery_strategy s,
                placement_target target, model_spec spec,
                caf::expected<placed> r) {
  auto& st = self->state;
  auto i = st.cases.find(id);
  if (i == st.cases.end())
    return; // Shut down meanwhile.
  auto& c = i->second;
  c.tried.push_back(target);
  auto name = to_string(s);
  if (!r) {
    st.counters.strategies[name].failed++;
    st.counters.failures[to_string(category_of(r.error()))]++;
    c.attempts.push_back(std::string{name} + " to " + target.to_string()
                         + " failed: " + render_error(r.error()));
    record_step(self, c, name, "failed", c.attempts.back());
    run_next(self, id);
    return;
  }
  st.probed[target.kind] = r->browser;
  c.pending = s;
  c.current = target;
  recovery_step step;
  step.id = id;
  step.strategy = name;
  step.target = target;
  step.connection = r->connection;
  step.browser = r->browser;
  step.loaded = std::move(r->loaded);
  step.spec = std::move(spec);
  step.why = c.first.failed.to_string() + " failed with "
             + render_error(c.category, caf::make_message(c.first.error))
             + "; recovered by " + name + " to " + target.to_string()
             + (c.attempts.empty() ? "" : " (after: " + join(c.attempts) + ")");
  auto promise = c.promise;
  // A load that worked is the test of a placement step.
  if (c.first.loading)
    succeed(self, id);
  promise.deliver(std::move(step));
}

/// Tries the placement a strategy chose.
void attempt(self_ptr self, uint64_t id, recovery_strategy s,
             placement_target target) {
  auto& st = self->state;
  auto& c = st.cases.at(id);
  auto spec = spec_for(st, c, target);
  if (!spec) {
    c.attempts.push_back(std::string{to_string(s)} + ": the model has no "
                         + target.precision + " variant");
    run_next(self, id);
    return;
  }
  browser_connection_actor prefer;
  if (s == recovery_strategy::restart_browser && c.failed_connection) {
    // Kill it (its other models recover on their own); the pool starts
    // another.
    caf::anon_send(c.failed_connection, shutdown_atom::value);
    c.failed_connection = nullptr;
  } else if (s != recovery_strategy::another_browser
             && target.kind == c.current.kind) {
    // Another platform or variant, or a retry: on the same browser while
    // it lives (the pool would rather start a new one for an unknown key).
    prefer = c.failed_connection;
  }
  logger()->info("{}: recovering from {} by {} to {}", c.first.request.name,
                 to_string(c.category), to_string(s), target.to_string());
  attempt_placement(
    self, st.pool, *spec, target.kind, target.platform, st.cfg.timeouts,
    [=](caf::expected<placed> r) {
      on_attempt(self, id, s, target, *spec, std::move(r));
    },
    prefer);
}

/// Takes the case's next strategy that applies and tries it.
void run_next(self_ptr self, uint64_t id) {
  auto& st = self->state;
  auto& c = st.cases.at(id);
  c.pending.reset();
  auto waited = ms_since(self, c.started);
  if (waited > st.cfg.policy.max_wait_ms) {
    exhaust(self, id,
            "gave up after " + std::to_string(static_cast<int64_t>(waited))
              + " ms");
    return;
  }
  while (c.position < c.chain.size()) {
    auto s = c.chain[c.position];
    if (s == recovery_strategy::retry && c.retries < st.cfg.policy.retries) {
      std::uniform_real_distribution<double> jitter{0.0, 1.0};
      auto delay = retry_delay(st.cfg.policy, c.retries, jitter(st.rng));
      c.retries++;
      st.counters.attempts++;
      c.retry_target = c.current;
      c.attempts.push_back("retry " + std::to_string(c.retries) + " after "
                           + std::to_string(delay.count()) + " ms");
      self->delayed_send(self, delay, restart_atom::value, id);
      return;
    }
    c.position++;
    if (s == recovery_strategy::retry)
      continue; // Retries used up.
    auto target = next_target(s, c.current, options_for(st, c));
    if (auto why = std::get_if<std::string>(&target)) {
      st.counters.strategies[to_string(s)].skipped++;
      c.attempts.push_back(std::string{to_string(s)} + " skipped: " + *why);
      record_step(self, c, to_string(s), "skipped", *why);
      continue;
    }
    st.counters.attempts++;
    attempt(self, id, s, std::get<placement_target>(target));
    return;
  }
  exhaust(self, id, {});
}

/// A new failure, or the failure of a case's last step.
caf::result<recovery_step> on_report(self_ptr self, recovery_case& report) {
  auto& st = self->state;
  auto category = static_cast<errc>(report.category);
  st.counters.failures[to_string(category)]++;
  if (!report.browser.browser.empty())
    st.probed[report.failed.kind] = report.browser;
  auto known = st.cases.find(report.id);
  if (report.id != 0 && known != st.cases.end()) {
    auto& c = known->second;
    if (c.pending) {
      st.counters.strategies[to_string(*c.pending)].failed++;
      c.attempts.push_back(
        std::string{to_string(*c.pending)} + " to " + report.failed.to_string()
        + " failed: "
        + render_error(category, caf::make_message(report.error)));
      record_step(self, c, to_string(*c.pending), "failed", c.attempts.back());
    }
    c.current = report.failed;
    c.failed_connection = report.connection;
    c.promise = self->make_response_promise<recovery_step>();
    auto rp = c.promise;
    run_next(self, report.id);
    return rp;
  }
  auto& chain = strategy_chain(category);
  if (chain.empty())
    return make_error(category, report.error);
  auto id = st.next_case++;
  st.counters.cases++;
  open_case c;
  c.started = self->clock().now();
  c.category = category;
  c.chain = chain;
  c.current = report.failed;
  c.tried.push_back(report.failed);
  c.failed_connection = report.connection;
  c.promise = self->make_response_promise<recovery_step>();
  c.first = std::move(report);
  c.first.id = id;
  logger()->info("{} failed on {} with {} ({}); recovering",
                 c.first.request.name, c.current.to_string(),
                 to_string(category), c.first.error);
  auto rp = c.promise;
  st.cases.emplace(id, std::move(c));
  run_next(self, id);
  return rp;
}

recovery_times summarize(std::vector<double> samples) {
  recovery_times out;
  if (samples.empty())
    return out;
  std::sort(samples.begin(), samples.end());
  auto at = [&](double q) {
    auto i
      = static_cast<size_t>(q * static_cast<double>(samples.size() - 1) + 0.5);
    return samples[std::min(i, samples.size() - 1)];
  };
  out.count = samples.size();
  out.p50_ms = at(0.5);
  out.p95_ms = at(0.95);
  out.max_ms = samples.back();
  return out;
}

recovery_supervisor_actor::behavior_type
recovery_supervisor(self_ptr self, recovery_supervisor_config cfg,
                    pool_supervisor_actor pool) {
  self->state.rng.seed(static_cast<std::minstd_rand::result_type>(cfg.seed));
  self->state.cfg = std::move(cfg);
  self->state.pool = std::move(pool);
  return {
    [=](recover_atom, recovery_case& report) {
      return on_report(self, report);
    },
    [=](recovered_atom, uint64_t id, bool ok) {
      auto& st = self->state;
      if (ok) {
        succeed(self, id);
      } else if (st.cases.erase(id) > 0) {
        st.counters.abandoned++;
      }
    },
    [=](restart_atom, uint64_t id) {
      auto& st = self->state;
      if (auto i = st.cases.find(id); i != st.cases.end())
        attempt(self, id, recovery_strategy::retry, i->second.retry_target);
    },
    [=](stats_atom) {
      auto out = self->state.counters;
      for (auto& [category, samples] : self->state.recovery_ms)
        out.time_to_recover[category] = summarize(samples);
      return out;
    },
    [=](shutdown_atom) -> bool {
      for (auto& [id, c] : self->state.cases)
        c.promise.deliver(make_error(errc::shutting_down, "runtime shut down"));
      self->state.cases.clear();
      self->quit();
      return true;
    },
  };
}

} // namespace

recovery_supervisor_actor
spawn_recovery_supervisor(caf::actor_system& sys,
                          recovery_supervisor_config cfg,
                          pool_supervisor_actor pool) {
  return sys.spawn(recovery_supervisor, std::move(cfg), std::move(pool));
}

} // namespace webaccel
