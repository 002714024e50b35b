#include "actors/runtime.hpp"
#include "actors/rules/canary.hpp"

#include "actors/runtime_impl.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>

#include <unistd.h>

#include <caf/all.hpp>
#include <caf/detail/simple_actor_clock.hpp>
#include <nlohmann/json.hpp>

#include "actors/browser_inventory.hpp"
#include "actors/pool_supervisor.hpp"
#include "actors/rules/deadlines.hpp"
#include "config/default_config.hpp"
#include "config/logging.hpp"
#include "messages/type_ids.hpp"
#include "transport/blocking_pool.hpp"
#include "transport/browser/local_launcher.hpp"
#include "transport/browser/webdriver_launcher.hpp"
#include "transport/net/http_server.hpp"

namespace webaccel {

namespace {

using ms = std::chrono::milliseconds;

// Time granted beyond a request's own deadline before the host gives up.
constexpr uint32_t host_slack_ms = 10000;

caf::actor_system_config& tune(caf::actor_system_config& cfg,
                               const runtime_config& rc) {
  if (uses_nodes(rc))
    tune_for_nodes(cfg, rc.nodes);
  // Work stealing polls with 50 us sleeps by default; messages from Beast's
  // and the host's threads then wait ~120 us. No moderate polling cuts a
  // WebSocket->actor->WebSocket hop from ~170 us to ~55 us (FACTS.md).
  cfg.set("work-stealing.moderate-poll-attempts", 0);
  cfg.add_message_types<caf::id_block::webaccel>();
  cfg.add_error_category(caf::atom("webaccel"),
                         [](uint8_t code, caf::atom_value,
                            const caf::message& ctx) {
                           return render_error(static_cast<errc>(code), ctx);
                         });
  return cfg;
}

launcher_factory
make_launcher_factory(std::map<std::string, browser_config> browsers,
                      browser_inventory inventory) {
  return [browsers, inventory](const std::string& kind,
                               std::string& error) -> browser_launcher {
    auto i = browsers.find(kind);
    if (i == browsers.end()) {
      error = "browser '" + kind + "' is not configured";
      return nullptr;
    }
    if (auto m = inventory.missing.find(kind); m != inventory.missing.end()) {
      error = m->second;
      return nullptr;
    }
    auto& bc = i->second;
    auto browser = inventory.installed.at(kind);
    if (bc.launcher.type == "webdriver")
      return [browser, bc](const std::string& page,
                           browser_instance::exit_handler on_exit,
                           std::string& err) {
        return launch_webdriver_browser(bc.launcher, browser.engine,
                                        bc.executable, page, bc.extra_args,
                                        std::move(on_exit), err);
      };
    return [browser, extra = bc.extra_args](
             const std::string& url, browser_instance::exit_handler on_exit,
             std::string& err) {
      return launch_local_browser(browser, url, extra, std::move(on_exit), err);
    };
  };
}

/// The page server's TLS identity when the config asks for HTTPS; null
/// otherwise. @throws config_error naming the file that is wrong.
std::shared_ptr<const tls_identity>
page_server_identity(const runtime_config& cfg) {
  if (!cfg.tls.enabled)
    return nullptr;
  auto id = std::make_shared<tls_identity>();
  std::string error;
  if (cfg.tls.certificate.empty()) {
    std::vector<std::string> hosts{"localhost", "127.0.0.1"};
    if (cfg.host != "0.0.0.0" && cfg.host != "::" && cfg.host != "127.0.0.1")
      hosts.push_back(cfg.host);
    if (!generate_tls_identity(hosts, *id, error))
      throw config_error("server.tls: " + error);
  } else if (!load_tls_identity(cfg.tls.certificate, cfg.tls.key, *id, error)) {
    throw config_error("server.tls: " + error);
  }
  return id;
}

/// Tells the browsers we start to trust exactly `id`'s key. Chromium takes
/// the key's hash; Firefox has no such switch (see the README).
void trust_page_server(std::map<std::string, browser_config>& browsers,
                       const browser_inventory& inventory,
                       const tls_identity& id) {
  for (auto& [kind, bc] : browsers) {
    auto found = inventory.installed.find(kind);
    if (found != inventory.installed.end()
        && found->second.engine == browser_engine::chromium)
      bc.extra_args.push_back("--ignore-certificate-errors-spki-list="
                              + id.spki_sha256);
  }
}

void check_assets(const runtime_config& cfg) {
  namespace fs = std::filesystem;
  if (!fs::exists(fs::path{cfg.assets_dir} / "index.html"))
    throw config_error("assets_dir: " + cfg.assets_dir
                       + " has no index.html (is it browser_assets/?)");
  if (!fs::exists(fs::path{cfg.assets_dir}
                  / "node_modules/onnxruntime-web/dist/ort.wasm.min.mjs"))
    throw config_error("assets_dir: onnxruntime-web is not installed in "
                       + cfg.assets_dir
                       + "/node_modules; run the setup command (npm ci)");
}

/// Asks the root and waits for its answer. @throws failure
template <class T, class... Ts>
T ask_root(runtime::impl& rt, Ts&&... xs) {
  if (!rt.running)
    throw failure{errc::shutting_down, "the runtime was shut down"};
  caf::scoped_actor self{rt.sys};
  std::optional<T> out;
  caf::error err;
  self->request(rt.pool, ms{30000}, std::forward<Ts>(xs)...)
    .receive([&](T& x) { out = std::move(x); },
             [&](caf::error& e) { err = std::move(e); });
  if (!out)
    throw to_failure(err);
  return std::move(*out);
}

/// What the metrics DB's runs table says about this run.
run_info describe_run(const runtime_config& c) {
  run_info run;
  run.started_at = wall_clock_s();
  run.host = host_name();
  run.pid = getpid();
  run.version = webaccel_version;
  run.command = c.metrics.command;
  nlohmann::json summary;
  summary["browsers"] = nlohmann::json::array();
  for (auto& [kind, bc] : c.browsers)
    summary["browsers"].push_back(kind);
  summary["models"] = nlohmann::json::array();
  for (auto& [name, entry] : c.models)
    summary["models"].push_back(name);
  summary["priority_list"] = c.default_preferences.priority_list;
  summary["max_connections"] = c.pool.max_connections;
  run.config = summary.dump();
  return run;
}

/// A DB this build must not write (newer, or another program's) stops the
/// start; one it cannot write now only degrades the store.
void check_metrics_db(const metrics_policy& p) {
  if (!p.enabled || p.db.empty())
    return;
  try {
    metrics_db probe{{p.db, p.retention_days, p.inference_log}};
  } catch (const store_error& e) {
    if (e.refused())
      throw config_error(std::string{"metrics.db: "} + e.what());
  }
}

} // namespace

runtime::impl::impl(runtime_config c)
  : cfg(std::move(c)), sys(tune(sys_cfg, cfg)) {
  // nop
}

// -- runtime ------------------------------------------------------------------

runtime::runtime(runtime_config cfg) {
  // Only webaccel's own logger: the host's spdlog setup is not ours.
  set_log_level(cfg.log_level);
  verify_model_files(cfg);
  check_assets(cfg);
  if (!cfg.nodes.local_browsers && cfg.nodes.listen_port == 0)
    throw config_error("nodes.local_browsers: false leaves this runtime no "
                       "browsers at all; a head that takes nodes needs "
                       "nodes.port");
  check_metrics_db(cfg.metrics);
  if (auto stale = remove_stale_scratch_dirs(); stale > 0)
    logger()->info("removed {} browser profile dirs left by runtimes that were "
                   "killed",
                   stale);
  impl_ = std::make_shared<impl>(std::move(cfg));
  auto& c = impl_->cfg;
  impl_->browsers = take_browser_inventory(c);
  auto identity = page_server_identity(c);
  if (identity)
    trust_page_server(c.browsers, impl_->browsers, *identity);
  http_server_options opts{c.host, c.port, c.assets_dir, c.max_message_bytes,
                           identity};
  impl_->server = http_server::start(opts);
  logger()->info("serving {} on {}", c.assets_dir, impl_->server->origin());
  pool_config pc;
  pc.connection.routes = std::shared_ptr<http_routes>(impl_->server,
                                                      &impl_->server->routes());
  pc.connection.origin = impl_->server->origin();
  pc.connection.timeouts = c.timeouts;
  pc.connection.pool = c.pool;
  pc.connection.recovery = c.recovery;
  pc.connection.limits.max_message_bytes = c.max_message_bytes;
  pc.connection.classifier
    = std::make_shared<const error_classifier>(c.classification_rules);
  pc.connection.node_name = c.nodes.name;
  pc.connection.own_model_files_only = !c.nodes.join.empty();
  if (pc.connection.own_model_files_only)
    serve_own_model_files(*impl_);
  pc.connection.run_blocking
    = [pool = impl_->blocking](std::function<void()> call) {
        // A pool stopped at shutdown: the call runs here, as it used to.
        if (!pool->post(call))
          call();
      };
  pc.recovery = c.recovery;
  pc.metrics.policy = c.metrics;
  pc.metrics.run = describe_run(c);
  pc.make_launcher = make_launcher_factory(c.browsers, impl_->browsers);
  pc.policy = c.pool;
  pc.seed = static_cast<uint64_t>(
    std::chrono::steady_clock::now().time_since_epoch().count());
  pc.router.models = c.models;
  // A head with --no-browsers runs none of its own.
  for (auto& [kind, found] : impl_->browsers.installed) {
    if (!c.nodes.local_browsers)
      continue;
    auto& bc = c.browsers.at(kind);
    auto limit = c.pool.memory_limits_mb.find(kind);
    auto& sizes = pc.kinds[kind];
    sizes.min_connections = bc.min_connections;
    sizes.max_connections = bc.max_connections;
    sizes.memory_limit_mb
      = limit == c.pool.memory_limits_mb.end() ? 0u : limit->second;
    sizes.version = found.version;
    if (sizes.memory_limit_mb > 0)
      pc.health.memory_limits[kind] = uint64_t{sizes.memory_limit_mb} << 20;
    pc.router.browsers.push_back(kind);
  }
  pc.health.policy = c.health;
  pc.health.breaker_failures = c.recovery.breaker_failures;
  pc.health.breaker_cooldown_ms = c.recovery.breaker_cooldown_ms;
  pc.health.canary = canary_spec(c.assets_dir, pc.health.canary_off);
  pc.router.missing_browsers = impl_->browsers.missing;
  for (auto& [family, kinds] : c.family_browsers)
    pc.router.browser_preferences[family] = kinds;
  pc.router.idle_unload_ms = c.model_idle_unload_ms;
  pc.router.timeouts = c.timeouts;
  // A head's nodes may run kinds this machine lacks: the pool says, per
  // placement, whether any node offers one.
  if (c.nodes.listen_port != 0)
    for (auto& [kind, bc] : c.browsers)
      if (std::find(pc.router.browsers.begin(), pc.router.browsers.end(), kind)
          == pc.router.browsers.end())
        pc.router.browsers.push_back(kind);
  impl_->pool = spawn_pool_supervisor(impl_->sys, std::move(pc));
  impl_->running = true;
  if (c.nodes.listen_port != 0) {
    try {
      take_nodes(*impl_);
    } catch (...) {
      shutdown(); // Else the actor system would wait for the tree forever.
      throw;
    }
  }
}

runtime::~runtime() {
  shutdown();
}

pool_stats runtime::stats() {
  return ask_root<pool_stats>(*impl_, stats_atom::value);
}

metrics_summary runtime::get_metrics() {
  return ask_root<metrics_summary>(*impl_, metrics_atom::value);
}

health_report runtime::health() {
  return ask_root<health_report>(*impl_, health_atom::value);
}

std::vector<infer_outcome> runtime::execute_concurrent(
  std::vector<std::pair<model_handle, infer_request>> work) {
  std::vector<infer_outcome> out(work.size());
  std::mutex mtx;
  std::condition_variable cv;
  size_t left = work.size();
  for (size_t i = 0; i < work.size(); ++i) {
    work[i].first.infer_async(std::move(work[i].second),
                              [&, i](infer_result* result,
                                     const failure* error) {
                                std::lock_guard<std::mutex> guard{mtx};
                                if (result != nullptr)
                                  out[i].result = std::move(*result);
                                else
                                  out[i].error = *error;
                                if (--left == 0)
                                  cv.notify_all();
                              });
  }
  std::unique_lock<std::mutex> lock{mtx};
  cv.wait(lock, [&] { return left == 0; });
  return out;
}

std::vector<infer_outcome>
runtime::run_batch(const model_handle& model,
                   std::vector<infer_request> requests) {
  std::vector<std::pair<model_handle, infer_request>> work;
  work.reserve(requests.size());
  for (auto& r : requests)
    work.emplace_back(model, std::move(r));
  return execute_concurrent(std::move(work));
}

bool runtime::unload(const model_handle& model) {
  return ask_root<bool>(*impl_, unload_atom::value, model.impl_->actor);
}

bool runtime::inject_fault(int32_t pid, const std::string& fault,
                           uint32_t count) {
  if (!impl_->running)
    throw failure{errc::shutting_down, "the runtime was shut down"};
  if (!impl_->cfg.recovery.fault_injection)
    throw failure{errc::invalid_request, "fault injection is off "
                                         "(recovery.fault_injection in the "
                                         "config)"};
  return ask_root<bool>(*impl_, fault_atom::value, pid, fault, count);
}

const std::map<std::string, installed_browser>&
runtime::installed_browsers() const {
  return impl_->browsers.installed;
}

const std::map<std::string, std::string>& runtime::missing_browsers() const {
  return impl_->browsers.missing;
}

runtime_census runtime::census() const {
  runtime_census out;
  if (auto clock
      = dynamic_cast<caf::detail::simple_actor_clock*>(&impl_->sys.clock()))
    out.pending_timers = clock->schedule().size();
  out.actors = impl_->sys.registry().running();
  out.blocking_threads = impl_->blocking->threads();
  return out;
}

const runtime_config& runtime::config() const {
  return impl_->cfg;
}

uint16_t runtime::port() const {
  return impl_->server->port();
}

browser_capabilities runtime::connect_browser(const std::string& kind) {
  if (!impl_->running)
    throw failure{errc::shutting_down, "the runtime was shut down"};
  caf::scoped_actor self{impl_->sys};
  std::optional<browser_capabilities> out;
  caf::error err;
  auto wait = ms{impl_->cfg.timeouts.launch_ms + host_slack_ms};
  self
    ->request(impl_->pool, wait, connect_atom::value, kind,
              placement_hint::to_look())
    .receive(
      [&](browser_connection_actor& conn) {
        self->request(conn, wait, ready_atom::value)
          .receive([&](browser_capabilities& caps) { out = std::move(caps); },
                   [&](caf::error& e) { err = std::move(e); });
      },
      [&](caf::error& e) { err = std::move(e); });
  if (!out)
    throw to_failure(err);
  return std::move(*out);
}

model_handle runtime::get_model(model_family family, const std::string& name,
                                std::optional<hardware_preferences> prefs) {
  if (!impl_->running)
    throw failure{errc::shutting_down, "the runtime was shut down"};
  model_request req{family, name,
                    prefs.value_or(impl_->cfg.default_preferences)};
  caf::scoped_actor self{impl_->sys};
  std::optional<model_actor> out;
  caf::error err;
  auto wait = ms{impl_->cfg.timeouts.launch_ms + impl_->cfg.timeouts.load_ms
                 + host_slack_ms};
  self->request(impl_->pool, wait, get_atom::value, std::move(req))
    .receive([&](model_actor& m) { out = std::move(m); },
             [&](caf::error& e) { err = std::move(e); });
  if (!out)
    throw to_failure(err);
  auto h = std::make_shared<model_handle::impl>();
  h->rt = impl_;
  h->actor = std::move(*out);
  h->name = name;
  return model_handle{std::move(h)};
}

void runtime::shutdown() {
  if (!impl_ || !impl_->running.exchange(false))
    return;
  stop_taking_nodes(*impl_);
  {
    caf::scoped_actor self{impl_->sys};
    self->request(impl_->pool, ms{60000}, shutdown_atom::value)
      .receive([](bool) {},
               [](caf::error& err) {
                 logger()->warn("shutdown incomplete: {}", render_error(err));
               });
  }
  impl_->pool = nullptr;
  impl_->blocking->stop();
  impl_->server->stop();
}

} // namespace webaccel
