#include "config/runtime_config.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "config/browser_kinds.hpp"
#include "config/default_config.hpp"
#include "config/json_input.hpp"
#include "config/json_reader.hpp"
#include "config/model_registry_reader.hpp"
#include "config/pool_config_reader.hpp"
#include "config/sha256.hpp"

namespace webaccel {

namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

void check_platforms(const std::string& path,
                     const std::vector<std::string>& list) {
  if (list.empty())
    fail(path, "must name at least one platform");
  for (size_t i = 0; i < list.size(); ++i)
    if (list[i] != "webgpu" && list[i] != "webnn" && list[i] != "wasm")
      fail(path + "[" + std::to_string(i) + "]",
           "unknown platform '" + list[i]
             + "' (expected webgpu, webnn or wasm)");
}

hardware_preferences read_preferences(const json& x, const std::string& path) {
  hardware_preferences prefs;
  object_reader r{x, path};
  r.get("priority_list", prefs.priority_list);
  check_platforms(r.child("priority_list"), prefs.priority_list);
  r.get("browser", prefs.browser);
  r.get("precision", prefs.precision);
  check_precision(r.child("precision"), prefs.precision);
  r.get("mixed_precision", prefs.mixed_precision);
  r.get("precompile_shaders", prefs.precompile_shaders);
  r.get("parallel_loading", prefs.parallel_loading);
  r.get("fallback_to_simulation", prefs.fallback_to_simulation);
  r.reject_unknown_keys();
  return prefs;
}

/// Page-error rules: [{"name", "message", "phase", "category"}].
std::vector<classification_rule>
read_classification_rules(const json& x, const std::string& path) {
  // The categories a rule may name, by their names in messages/error.hpp.
  std::map<std::string, errc> categories;
  for (auto code :
       {errc::connection, errc::browser_crash, errc::out_of_memory,
        errc::timeout, errc::unsupported_operation, errc::browser_capability,
        errc::model_incompatible, errc::invalid_request})
    categories.emplace(to_string(code), code);
  if (!x.is_array())
    fail(path, "expected an array of {name, message, phase, category}, got "
                 + type_name(x));
  std::vector<classification_rule> out;
  for (size_t i = 0; i < x.size(); ++i) {
    object_reader r{x[i], path + "[" + std::to_string(i) + "]"};
    classification_rule rule;
    std::string phase, category;
    r.get("name", rule.name);
    r.get("message", rule.message);
    r.get("phase", phase);
    r.get("category", category);
    r.reject_unknown_keys();
    if (rule.name.empty() && rule.message.empty())
      fail(r.child("message"), "a rule needs a name or a message to match");
    if (phase == "load")
      rule.phase = page_phase::load;
    else if (phase == "infer")
      rule.phase = page_phase::infer;
    else if (!phase.empty())
      fail(r.child("phase"),
           "unknown phase '" + phase + "' (expected load or infer)");
    auto c = categories.find(category);
    if (c == categories.end()) {
      std::string known;
      for (auto& entry : categories)
        known += (known.empty() ? "" : ", ") + entry.first;
      fail(r.child("category"), "unknown category '" + category
                                  + "' (expected one of " + known + ")");
    }
    rule.category = c->second;
    out.push_back(std::move(rule));
  }
  return out;
}

/// {"generate": true} or {"certificate": FILE, "key": FILE}.
tls_config read_tls(const json& j, const std::string& path,
                    const std::string& base_dir) {
  object_reader r{j, path};
  tls_config out;
  bool generate = false;
  r.get("generate", generate);
  r.get("certificate", out.certificate);
  r.get("key", out.key);
  r.reject_unknown_keys();
  bool files = !out.certificate.empty() || !out.key.empty();
  if (generate && files)
    fail(path, "give either \"generate\": true or a certificate and its "
               "key, not both");
  if (!generate && !files)
    fail(path, "expected \"generate\": true, or \"certificate\" and "
               "\"key\" (PEM files)");
  if (files && out.certificate.empty())
    fail(r.child("certificate"), "a key needs its certificate (PEM file)");
  if (files && out.key.empty())
    fail(r.child("key"), "a certificate needs its private key (PEM file)");
  if (files) {
    out.certificate = resolve_path(base_dir, out.certificate);
    out.key = resolve_path(base_dir, out.key);
  }
  out.enabled = true;
  return out;
}

} // namespace

runtime_config parse_config(std::string_view json_text,
                            const std::string& base_dir,
                            const std::string& origin) {
  auto read = json_input::parse(json_text, {json_input::max_depth,
                                            /*comments=*/true});
  if (!read)
    throw config_error(origin + ": " + read.error);
  auto& doc = read.doc;
  runtime_config cfg;
  object_reader top{doc, "$"};
  std::string ignored_schema;
  top.get("$schema", ignored_schema);
  if (auto server = top.find("server")) {
    object_reader r{*server, "$.server"};
    r.get("host", cfg.host);
    r.get_int("port", cfg.port, 0, 65535);
    r.get_int("max_message_bytes", cfg.max_message_bytes, 1024,
              uint64_t{1} << 30);
    if (auto tls = r.find("tls"))
      cfg.tls = read_tls(*tls, r.child("tls"), base_dir);
    r.reject_unknown_keys();
  }
  if (auto api = top.find("api")) {
    object_reader r{*api, "$.api"};
    if (auto tls = r.find("tls"))
      cfg.api_tls = read_tls(*tls, r.child("tls"), base_dir);
    r.reject_unknown_keys();
  }
  top.get("assets_dir", cfg.assets_dir);
  cfg.assets_dir = resolve_path(base_dir, cfg.assets_dir);
  top.get("log_level", cfg.log_level);
  static const std::set<std::string> levels = {"trace", "debug", "info",
                                               "warn",  "error", "off"};
  if (levels.count(cfg.log_level) == 0)
    fail("$.log_level", "unknown level '" + cfg.log_level
                          + "' (expected trace, debug, info, warn, error "
                            "or off)");
  if (auto models = top.find("models"))
    cfg.models = read_models(*models, "$.models", base_dir);
  if (auto browsers = top.find("browsers")) {
    cfg.browsers = read_browsers(*browsers, "$.browsers");
    cfg.browsers_explicit = true;
  }
  if (auto pool = top.find("pool"))
    cfg.pool = read_pool(*pool, "$.pool");
  if (auto placement = top.find("placement")) {
    object_reader r{*placement, "$.placement"};
    for (auto& [name, value] : placement->items()) {
      auto family = parse_model_family(name);
      if (!family)
        fail(r.child(name), "unknown family '" + name
                              + "' (expected audio, vision, text_embedding, "
                                "text_generation or multimodal)");
      std::vector<std::string> kinds;
      r.get(name, kinds);
      if (kinds.empty())
        fail(r.child(name), "must name at least one browser kind");
      for (size_t i = 0; i < kinds.size(); ++i)
        if (find_browser_kind(kinds[i]) == nullptr)
          fail(r.child(name) + "[" + std::to_string(i) + "]",
               "unknown browser kind '" + kinds[i] + "'");
      cfg.family_browsers[*family] = std::move(kinds);
    }
  }
  if (auto prefs = top.find("default_preferences"))
    cfg.default_preferences = read_preferences(*prefs, "$.default_preferences");
  if (auto t = top.find("timeouts")) {
    object_reader r{*t, "$.timeouts"};
    constexpr uint64_t hour_ms = 3600 * 1000;
    r.get_int("launch_ms", cfg.timeouts.launch_ms, 100, hour_ms);
    r.get_int("load_ms", cfg.timeouts.load_ms, 100, hour_ms);
    r.get_int("infer_ms", cfg.timeouts.infer_ms, 1, hour_ms);
    r.get_int("reference_input_bytes", cfg.timeouts.reference_input_bytes, 1,
              uint64_t{1} << 40);
    if (auto m = r.find("family_multipliers")) {
      object_reader mr{*m, r.child("family_multipliers")};
      for (auto& [name, value] : m->items()) {
        auto family = parse_model_family(name);
        if (!family)
          fail(mr.child(name), "unknown family '" + name + "'");
        if (!value.is_number() || value.get<double>() < 1.0
            || value.get<double>() > 100.0)
          fail(mr.child(name),
               "expected a number from 1 to 100, got " + value.dump());
        cfg.timeouts.family_multipliers[*family] = value.get<double>();
      }
    }
    r.reject_unknown_keys();
  }
  if (auto mc = top.find("model_cache")) {
    object_reader r{*mc, "$.model_cache"};
    r.get_int("idle_unload_ms", cfg.model_idle_unload_ms, 0,
              7 * 24 * 3600 * 1000ull);
    r.reject_unknown_keys();
  }
  if (auto rec = top.find("recovery")) {
    object_reader r{*rec, "$.recovery"};
    if (auto rules = r.find("classification_rules"))
      cfg.classification_rules
        = read_classification_rules(*rules, r.child("classification_rules"));
    auto& rp = cfg.recovery;
    r.get_int("retries", rp.retries, 0, 10);
    r.get_int("backoff_base_ms", rp.backoff_base_ms, 1, 600000);
    r.get_int("backoff_max_ms", rp.backoff_max_ms, 1, 3600000);
    r.get_int("max_wait_ms", rp.max_wait_ms, 1000, 3600000);
    r.get_int("max_redispatches", rp.max_redispatches, 0, 100);
    r.get_int("breaker_failures", rp.breaker_failures, 0, 1000000);
    r.get_int("breaker_cooldown_ms", rp.breaker_cooldown_ms, 1, 3600000);
    r.get("fault_injection", rp.fault_injection);
    if (rp.backoff_max_ms < rp.backoff_base_ms)
      fail(r.child("backoff_max_ms"), "must not be below backoff_base_ms ("
                                        + std::to_string(rp.backoff_base_ms)
                                        + ")");
    r.reject_unknown_keys();
  }
  if (auto m = top.find("metrics")) {
    object_reader r{*m, "$.metrics"};
    auto& mp = cfg.metrics;
    r.get("db", mp.db);
    mp.db = resolve_path(base_dir, mp.db);
    r.get("enabled", mp.enabled);
    r.get_int("retention_days", mp.retention_days, 0, 36500);
    r.get("inference_log", mp.inference_log);
    r.get_int("flush_ms", mp.flush_ms, 10, 60000);
    r.get_int("queue_limit", mp.queue_limit, 100, 10000000);
    r.reject_unknown_keys();
  }
  if (auto n = top.find("nodes")) {
    object_reader r{*n, "$.nodes"};
    auto& np = cfg.nodes;
    r.get_int("port", np.listen_port, 0, 65535);
    r.get("host", np.listen_host);
    r.get("secret_file", np.secret_file);
    np.secret_file = resolve_path(base_dir, np.secret_file);
    r.get("name", np.name);
    r.get("join", np.join);
    r.get("local_browsers", np.local_browsers);
    r.get_int("heartbeat_ms", np.heartbeat_ms, 50, 60000);
    r.get_int("timeout_ms", np.timeout_ms, 100, 600000);
    r.reject_unknown_keys();
    std::string why;
    if (!valid_node_name(np.name, why))
      fail(r.child("name"), why);
    std::string host;
    uint16_t port = 0;
    if (!np.join.empty() && !parse_head_address(np.join, host, port, why))
      fail(r.child("join"), why);
    if (np.timeout_ms <= np.heartbeat_ms)
      fail(r.child("timeout_ms"), "must be longer than heartbeat_ms ("
                                    + std::to_string(np.heartbeat_ms) + ")");
    // (A head without the secret's file is refused when it starts: the
    // command line may still give it.)
  }
  if (auto h = top.find("health")) {
    object_reader r{*h, "$.health"};
    auto& hp = cfg.health;
    r.get_int("interval_ms", hp.interval_ms, 0, 600000);
    r.get_int("canary_every_ms", hp.canary_every_ms, 100, 3600000);
    r.get_int("canary_timeout_ms", hp.canary_timeout_ms, 10, 600000);
    r.get_int("canary_failures", hp.canary_failures, 1, 100);
    r.get_int("slow_heartbeat_ms", hp.slow_heartbeat_ms, 1, 600000);
    r.get_int("min_requests", hp.min_requests, 1, 1000000);
    r.get_number("bad_error_rate", hp.bad_error_rate, 0.0, 1.0);
    r.get_number("memory_growth_mib_per_min", hp.memory_growth_mib_per_min, 0.0,
                 1e6);
    r.get_number("memory_high", hp.memory_high, 0.0, 1.0);
    r.get_number("recycle_below", hp.recycle_below, 0.0, 100.0);
    r.get_number("prefer_above", hp.prefer_above, 0.0, 100.0);
    r.reject_unknown_keys();
  }
  if (auto d = top.find("demo")) {
    if (!d->is_array())
      fail("$.demo",
           "expected an array of {model, text, file}, got " + type_name(*d));
    for (size_t i = 0; i < d->size(); ++i) {
      object_reader r{(*d)[i], "$.demo[" + std::to_string(i) + "]"};
      demo_item item;
      r.get("model", item.model);
      r.get("text", item.text);
      r.get("file", item.file);
      item.file = resolve_path(base_dir, item.file);
      r.reject_unknown_keys();
      if (cfg.models.count(item.model) == 0)
        fail(r.child("model"),
             "names no model in $.models: '" + item.model + "'");
      cfg.demo.push_back(std::move(item));
    }
  }
  top.reject_unknown_keys();
  if (!cfg.browsers_explicit)
    cfg.browsers = all_browser_kinds();
  check_pool(cfg.browsers, cfg.pool);
  return cfg;
}

runtime_config load_config_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    throw config_error(path + ": cannot read the config file");
  std::stringstream buf;
  buf << in.rdbuf();
  auto base = fs::absolute(fs::path{path}).parent_path().string();
  return parse_config(buf.str(), base, path);
}

runtime_config default_config() {
  return parse_config(embedded_default_config, default_config_base_dir(),
                      "<embedded default config>");
}

void apply_environment(runtime_config& cfg) {
  if (auto port = std::getenv("WEBACCEL_PORT")) {
    char* end = nullptr;
    auto v = std::strtoul(port, &end, 10);
    if (*port == '\0' || *end != '\0' || v > 65535)
      throw config_error("WEBACCEL_PORT: expected a port number 0..65535, "
                         "got '"
                         + std::string{port} + "'");
    cfg.port = static_cast<uint16_t>(v);
  }
  if (auto dir = std::getenv("WEBACCEL_ASSETS_DIR"))
    cfg.assets_dir = dir;
  if (auto level = std::getenv("WEBACCEL_LOG_LEVEL"))
    cfg.log_level = level;
}

void verify_model_files(const runtime_config& cfg) {
  for (auto& [name, entry] : cfg.models) {
    for (auto* file : files_of(entry)) {
      std::error_code ec;
      auto size = fs::file_size(file->path, ec);
      if (ec)
        throw config_error("model '" + name + "': cannot read " + file->path
                           + " (" + ec.message()
                           + "); run the setup command to fetch it");
      if (size != file->size_bytes)
        throw config_error("model '" + name + "': " + file->path + " has "
                           + std::to_string(size) + " bytes, expected "
                           + std::to_string(file->size_bytes));
      auto digest = sha256_file_hex(file->path);
      if (!digest || *digest != file->sha256)
        throw config_error("model '" + name + "': sha256 of " + file->path
                           + " is " + digest.value_or("unreadable")
                           + ", expected " + file->sha256);
    }
  }
}

} // namespace webaccel
