#include "actors/router.hpp"

#include <chrono>
#include <map>
#include <set>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/model.hpp"

namespace webaccel {

namespace {

using ms = std::chrono::milliseconds;

// Extra time granted to a request whose callee enforces its own deadline.
constexpr uint32_t slack_ms = 5000;

struct router_state {
  static inline const char* name = "router";
  router_config cfg;
  pool_supervisor_actor pool;
  std::map<std::string, model_actor> cache;
  /// Requests waiting for a model that is being placed, by cache key.
  std::map<std::string, std::vector<caf::typed_response_promise<model_actor>>> pending;
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
caf::expected<model_spec> lookup(const router_config& cfg, const model_request& req) {
  auto i = cfg.models.find(req.name);
  if (i == cfg.models.end()) {
    std::string known;
    for (auto& [name, spec] : cfg.models)
      known += (known.empty() ? "" : ", ") + name;
    return make_error(errc::invalid_request,
                      "unknown model '" + req.name + "' (known: " + known + ")");
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
                        + " variant (available: " + entry.variant_names() + ")");
  auto spec = make_spec(entry, *variant);
  spec.warmup = prefs.precompile_shaders;
  spec.parallel_loading = prefs.parallel_loading;
  return spec;
}

/// Loads `spec` on the connection and caches the new model instance.
void load_on(self_ptr self, const std::string& key, model_spec spec,
             browser_connection_actor conn, browser_capabilities caps,
             std::string platform) {
  auto& cfg = self->state.cfg;
  spdlog::info("loading {} ({}) on {} {} ({})", spec.name, spec.variant.precision,
               caps.browser, caps.browser_version, platform);
  self
    ->request(conn, ms{cfg.load_timeout_ms + slack_ms}, load_atom::value, spec, platform)
    .then(
      [=](loaded_model& loaded) {
        spdlog::info("loaded {} in {:.0f} ms", spec.name, loaded.load_ms);
        auto& c = self->state.cfg;
        model_placement placement{spec,
                                  conn,
                                  caps,
                                  std::move(loaded),
                                  c.infer_timeout_ms,
                                  self->state.pool,
                                  c.launch_timeout_ms,
                                  c.load_timeout_ms};
        auto instance = spawn_model(self->system(), std::move(placement));
        self->monitor(instance);
        self->state.cache[key] = instance;
        finish(self, key, instance);
      },
      [=](caf::error& err) { finish(self, key, err); });
}

/// Places a request that missed the cache.
void place(self_ptr self, const std::string& key, const model_request& req,
           model_spec spec) {
  auto& cfg = self->state.cfg;
  auto kinds = candidate_browsers(req, cfg.browser_preferences, cfg.browsers);
  if (kinds.empty()) {
    finish(self, key,
           make_error(errc::browser_unavailable,
                      req.preferences.browser.empty()
                        ? "no configured browser suits "
                            + std::string{to_string(req.family)} + " models"
                        : "browser '" + req.preferences.browser
                            + "' is not configured"));
    return;
  }
  // Later issues walk the whole candidate list on failure (recovery).
  auto kind = kinds.front();
  auto prefs = req.preferences;
  self
    ->request(self->state.pool, ms{cfg.launch_timeout_ms + slack_ms},
              connect_atom::value, kind, true)
    .then(
      [=](browser_connection_actor& conn) {
        self->request(conn, ms{slack_ms}, ready_atom::value)
          .then(
            [=](browser_capabilities& caps) {
              std::string why;
              auto platform = choose_platform(prefs.priority_list, caps, why);
              if (!platform) {
                finish(self, key,
                       make_error(errc::browser_capability, kind
                                                              + " offers none "
                                                                "of the "
                                                                "requested "
                                                                "platforms: "
                                                              + why));
                return;
              }
              load_on(self, key, spec, conn, caps, *platform);
            },
            [=](caf::error& err) { finish(self, key, err); });
      },
      [=](caf::error& err) { finish(self, key, err); });
}

router_actor::behavior_type router(self_ptr self, router_config cfg,
                                   pool_supervisor_actor pool) {
  self->state.cfg = std::move(cfg);
  self->state.pool = std::move(pool);
  self->set_down_handler([=](const caf::down_msg& msg) {
    auto& cache = self->state.cache;
    for (auto i = cache.begin(); i != cache.end(); ++i)
      if (i->second.address() == msg.source) {
        spdlog::info("model instance {} is gone: {}", i->first,
                     render_error(msg.reason));
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
      if (auto i = self->state.cache.find(key); i != self->state.cache.end())
        return i->second;
      auto rp = self->make_response_promise<model_actor>();
      auto& waiting = self->state.pending[key];
      waiting.push_back(rp);
      if (waiting.size() == 1)
        place(self, key, req, std::move(*spec));
      return rp;
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
                          pool_supervisor_actor pool) {
  return sys.spawn(router, std::move(cfg), std::move(pool));
}

} // namespace webaccel
