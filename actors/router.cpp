// The router's behavior (see router.hpp). Slightly over 400 lines: a
// placement is one chain of asynchronous steps (connect, wait for the page,
// load, recover), read best in one place; the decisions are in
// rules/placement.
#include "actors/router.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>

#include <caf/all.hpp>

#include "actors/model.hpp"
#include "config/logging.hpp"

namespace webaccel {

namespace {

using ms = std::chrono::milliseconds;

// Extra time granted to a request whose callee enforces its own deadline.
constexpr uint32_t slack_ms = 5000;

struct router_state {
  static inline const char* name = "router";
  router_config cfg;
  /// The same, shared with every model instance.
  std::shared_ptr<const router_config> settings;
  pool_supervisor_actor pool;
  std::map<std::string, model_actor> cache;
  model_cache_stats counters;
  /// What a browser of each kind probed (all of a kind have the same).
  std::map<std::string, browser_capabilities> kind_capabilities;
  /// Requests waiting for a model that is being placed, by cache key.
  std::map<std::string, std::vector<caf::typed_response_promise<model_actor>>>
    pending;
};

using self_ptr = router_actor::stateful_pointer<router_state>;

std::string cache_key(const model_request& req) {
  auto& prefs = req.preferences;
  std::string key = std::string{to_string(req.family)} + "/" + req.name + "/"
                    + prefs.browser + "/" + prefs.precision
                    + (prefs.mixed_precision ? "-mixed" : "")
                    + (prefs.precompile_shaders ? "/warm" : "")
                    + (prefs.parallel_loading ? "/parallel" : "") + "/";
  for (auto& p : req.preferences.priority_list)
    key += p + ",";
  return key;
}

/// Answers everyone waiting for `key`.
template <class T>
void finish(self_ptr self, const std::string& key, const T& outcome) {
  auto waiting = std::move(self->state.pending[key]);
  self->state.pending.erase(key);
  for (auto& rp : waiting)
    rp.deliver(outcome);
}

/// Checks a request against the registry; returns the spec of the variant
/// it asks for, or an error.
caf::expected<model_spec> lookup(const router_config& cfg,
                                 const model_request& req) {
  auto i = cfg.models.find(req.name);
  if (i == cfg.models.end()) {
    std::string known;
    for (auto& [name, spec] : cfg.models)
      known += (known.empty() ? "" : ", ") + name;
    return make_error(errc::invalid_request, "unknown model '" + req.name
                                               + "' (known: " + known + ")");
  }
  auto& entry = i->second;
  auto& prefs = req.preferences;
  if (entry.family != req.family)
    return make_error(errc::invalid_request,
                      "model '" + req.name + "' is a " + to_string(entry.family)
                        + " model, not " + to_string(req.family));
  auto variant = entry.variant(prefs.precision, prefs.mixed_precision);
  if (variant == nullptr)
    return make_error(errc::invalid_request,
                      "model '" + req.name + "' has no " + prefs.precision
                        + " variant (available: " + entry.variant_names()
                        + ")");
  auto spec = make_spec(entry, *variant);
  spec.warmup = prefs.precompile_shaders;
  spec.parallel_loading = prefs.parallel_loading;
  return spec;
}

/// Where a request stands while the router walks its choices.
struct placement_plan {
  std::string key;
  model_request req;
  model_spec spec;
  /// Browser kinds to try, in order.
  std::vector<std::string> kinds;
  size_t next_kind = 0;
  /// What was skipped and why; the provenance's placement line.
  std::vector<std::string> notes;
  /// The error of the last choice that failed.
  caf::error last_error;
};

using plan_ptr = std::shared_ptr<placement_plan>;

std::string ordinal(size_t i) {
  static const char* names[] = {"1st", "2nd", "3rd"};
  return i < 3 ? names[i] : std::to_string(i + 1) + "th";
}

std::string join(const std::vector<std::string>& parts,
                 const std::string& sep) {
  std::string out;
  for (auto& p : parts)
    out += (out.empty() ? "" : sep) + p;
  return out;
}

/// Why `kind` is tried: the request named it, or its rank for the family.
std::string why_kind(const placement_plan& plan, const router_config& cfg,
                     const std::string& kind) {
  auto family = to_string(plan.req.family);
  if (!plan.req.preferences.browser.empty())
    return kind + " (the request's browser)";
  auto i = cfg.browser_preferences.find(plan.req.family);
  if (i != cfg.browser_preferences.end())
    for (size_t n = 0; n < i->second.size(); ++n)
      if (i->second[n] == kind)
        return kind + " (" + ordinal(n) + " choice for " + family + ")";
  return kind;
}

void try_next_kind(self_ptr self, plan_ptr plan);

/// Starts the model instance on a page that loaded it.
void spawn_instance(self_ptr self, plan_ptr plan, browser_connection_actor conn,
                    browser_capabilities caps, loaded_model loaded,
                    model_spec spec, std::string why) {
  logger()->info("loaded {} in {:.0f} ms", spec.name, loaded.load_ms);
  auto notes = plan->notes;
  notes.push_back(std::move(why));
  model_placement placement;
  placement.spec = std::move(spec);
  placement.connection = std::move(conn);
  placement.browser = std::move(caps);
  placement.loaded = std::move(loaded);
  placement.why = join(notes, "; ");
  placement.request = plan->req;
  placement.pool = self->state.pool;
  placement.settings = self->state.settings;
  auto instance = spawn_model(self->system(), std::move(placement));
  self->monitor(instance);
  self->state.cache[plan->key] = instance;
  // The root keeps a copy, for a router started in our place.
  caf::anon_send(self->state.pool, cached_atom::value, plan->key, instance);
  finish(self, plan->key, instance);
}

/// The first choice failed with `err`: the recovery supervisor walks its
/// category's chain; the instance starts where a strategy worked.
void recover_placement(self_ptr self, plan_ptr plan, const std::string& kind,
                       browser_connection_actor conn, browser_capabilities caps,
                       const std::string& platform, const caf::error& err) {
  auto& c = self->state.cfg;
  if (!c.recover) {
    finish(self, plan->key, err);
    return;
  }
  recovery_case report;
  report.request = plan->req;
  report.failed = {kind, platform, plan->spec.variant.precision,
                   plan->spec.variant.mixed_precision};
  report.connection = std::move(conn);
  report.browser = std::move(caps);
  report.category = static_cast<uint8_t>(err.code());
  report.error = error_text(err.context());
  report.loading = true;
  self
    ->request(self->state.pool, ms{c.recovery_timeout_ms()},
              recover_atom::value, report)
    .then(
      [=](recovery_step& step) {
        spawn_instance(self, plan, step.connection, step.browser, step.loaded,
                       step.spec, step.why);
      },
      [=](caf::error& e) { finish(self, plan->key, e); });
}

/// Loads the model on the first platform of the request's list; a browser
/// without it, or a load that fails recoverably, goes to recovery.
void try_first_platform(self_ptr self, plan_ptr plan, const std::string& kind,
                        browser_connection_actor conn,
                        browser_capabilities caps) {
  auto& list = plan->req.preferences.priority_list;
  if (list.empty()) {
    finish(self, plan->key,
           make_error(errc::invalid_request, "the request's priority_list is "
                                             "empty"));
    return;
  }
  auto platform = list.front();
  auto support = caps.platform(platform);
  if (support == nullptr || !support->available) {
    auto reason = support == nullptr ? std::string{"unknown platform"}
                                     : support->reason;
    recover_placement(self, plan, kind, conn, caps, platform,
                      make_error(errc::browser_capability,
                                 kind + " lacks " + platform + ": " + reason));
    return;
  }
  auto chosen = why_kind(*plan, self->state.cfg, kind) + ", platform "
                + platform + " (1st of [" + join(list, ", ") + "])";
  auto& cfg = self->state.cfg;
  auto spec = plan->spec;
  logger()->info("loading {} ({}) on {} {} ({})", spec.name,
                 spec.variant.precision, caps.browser, caps.browser_version,
                 platform);
  self
    ->request(conn, ms{cfg.timeouts.load_ms + slack_ms}, load_atom::value, spec,
              platform)
    .then(
      [=](loaded_model& loaded) {
        spawn_instance(self, plan, conn, caps, std::move(loaded), spec, chosen);
      },
      [=](caf::error& err) {
        if (err.category() == caf::atom("webaccel")
            && is_recoverable_category(static_cast<errc>(err.code())))
          recover_placement(self, plan, kind, conn, caps, platform, err);
        else
          finish(self, plan->key, err);
      });
}

/// Asks the pool for a browser of the next kind.
void try_next_kind(self_ptr self, plan_ptr plan) {
  if (plan->next_kind >= plan->kinds.size()) {
    // The last choice's category, where it was one of ours.
    auto code = plan->last_error
                    && plan->last_error.category() == caf::atom("webaccel")
                  ? static_cast<errc>(plan->last_error.code())
                  : errc::browser_unavailable;
    finish(self, plan->key,
           make_error(code, "no browser could take " + plan->spec.name + ": "
                              + join(plan->notes, "; ")));
    return;
  }
  auto kind = plan->kinds[plan->next_kind++];
  auto& st = self->state;
  // The page key is known once the kind's platforms are (from an earlier
  // browser of that kind); it lets the pool prefer a warm browser.
  placement_hint hint;
  hint.model_bytes = plan->spec.total_bytes();
  if (auto known = st.kind_capabilities.find(kind);
      known != st.kind_capabilities.end()) {
    std::string ignored;
    if (auto platform = choose_platform(plan->req.preferences.priority_list,
                                        known->second, ignored))
      hint.model_key = plan->spec.page_key(*platform);
  }
  self
    ->request(st.pool, ms{st.cfg.timeouts.launch_ms + slack_ms},
              connect_atom::value, kind, hint)
    .then(
      [=](browser_connection_actor& conn) {
        self->request(conn, ms{slack_ms}, ready_atom::value)
          .then(
            [=](browser_capabilities& caps) {
              self->state.kind_capabilities[kind] = caps;
              try_first_platform(self, plan, kind, conn, caps);
            },
            [=](caf::error& err) {
              plan->notes.push_back(kind + " failed: " + render_error(err));
              plan->last_error = err;
              try_next_kind(self, plan);
            });
      },
      [=](caf::error& err) {
        plan->notes.push_back(kind + " unavailable: " + render_error(err));
        plan->last_error = err;
        try_next_kind(self, plan);
      });
}

/// Places a request that missed the cache.
void place(self_ptr self, const std::string& key, const model_request& req,
           model_spec spec) {
  auto& cfg = self->state.cfg;
  auto plan = std::make_shared<placement_plan>();
  plan->key = key;
  plan->req = req;
  plan->spec = std::move(spec);
  plan->kinds = candidate_browsers(req, cfg.browser_preferences, cfg.browsers);
  // Say which preferred kinds cannot be used here.
  std::vector<std::string> wanted;
  if (!req.preferences.browser.empty())
    wanted.push_back(req.preferences.browser);
  else if (auto i = cfg.browser_preferences.find(req.family);
           i != cfg.browser_preferences.end())
    wanted = i->second;
  for (auto& kind : wanted)
    if (std::find(plan->kinds.begin(), plan->kinds.end(), kind)
        == plan->kinds.end()) {
      auto missing = cfg.missing_browsers.find(kind);
      plan->notes.push_back(kind + " skipped: "
                            + (missing != cfg.missing_browsers.end()
                                 ? missing->second
                                 : "not configured"));
    }
  if (plan->kinds.empty()) {
    finish(self, key,
           make_error(
             errc::browser_unavailable,
             "no usable browser for " + std::string{to_string(req.family)}
               + " models"
               + (plan->notes.empty() ? "" : ": " + join(plan->notes, "; "))));
    return;
  }
  try_next_kind(self, plan);
}

router_actor::behavior_type router(self_ptr self, router_config cfg,
                                   pool_supervisor_actor pool,
                                   model_cache cached) {
  self->state.cfg = std::move(cfg);
  self->state.settings = std::make_shared<const router_config>(self->state.cfg);
  self->state.pool = std::move(pool);
  // A predecessor's instances: the hosts' handles keep working, and later
  // requests for them are hits.
  self->state.cache = std::move(cached);
  for (auto& [key, instance] : self->state.cache)
    self->monitor(instance);
  self->set_down_handler([=](const caf::down_msg& msg) {
    auto& cache = self->state.cache;
    for (auto i = cache.begin(); i != cache.end(); ++i)
      if (i->second.address() == msg.source) {
        logger()->info("model instance {} is gone: {}", i->first,
                       render_error(msg.reason));
        caf::anon_send(self->state.pool, uncached_atom::value, i->first);
        cache.erase(i);
        return;
      }
  });
  return {
    [=](get_atom, const model_request& req) -> caf::result<model_actor> {
      auto spec = lookup(self->state.cfg, req);
      if (!spec)
        return spec.error();
      auto key = cache_key(req);
      auto& st = self->state;
      if (auto i = st.cache.find(key); i != st.cache.end()) {
        st.counters.hits++;
        record(st.cfg.metrics, cache_event{req.name, true});
        return i->second;
      }
      auto rp = self->make_response_promise<model_actor>();
      auto& waiting = st.pending[key];
      waiting.push_back(rp);
      auto miss = waiting.size() == 1;
      // A request that joins a placement under way is a hit.
      (miss ? st.counters.misses : st.counters.hits)++;
      record(st.cfg.metrics, cache_event{req.name, !miss});
      if (miss)
        place(self, key, req, std::move(*spec));
      return rp;
    },
    [=](unload_atom, const model_actor& instance) -> bool {
      auto& cache = self->state.cache;
      for (auto i = cache.begin(); i != cache.end(); ++i)
        if (i->second == instance) {
          logger()->info("unloading model instance {}", i->first);
          self->demonitor(instance.address());
          caf::anon_send(instance, shutdown_atom::value);
          caf::anon_send(self->state.pool, uncached_atom::value, i->first);
          cache.erase(i);
          self->state.counters.unloads++;
          return true;
        }
      return false;
    },
    [=](evicted_atom) { self->state.counters.evictions++; },
    [=](stats_atom) {
      auto out = self->state.counters;
      out.instances = static_cast<uint32_t>(self->state.cache.size());
      return out;
    },
    [=](shutdown_atom) -> bool {
      for (auto& [key, instance] : self->state.cache)
        caf::anon_send(instance, shutdown_atom::value);
      self->state.cache.clear();
      for (auto& [key, waiting] : self->state.pending)
        for (auto& rp : waiting)
          rp.deliver(make_error(errc::shutting_down, "runtime shut down"));
      self->state.pending.clear();
      self->quit();
      return true;
    },
  };
}

} // namespace

router_actor spawn_router(caf::actor_system& sys, router_config cfg,
                          pool_supervisor_actor pool, model_cache cached) {
  return sys.spawn(router, std::move(cfg), std::move(pool), std::move(cached));
}

} // namespace webaccel
