#include "config/pool_config_reader.hpp"

#include "config/browser_kinds.hpp"
#include "config/json_reader.hpp"

namespace webaccel {

namespace {

constexpr uint64_t day_ms = 24ull * 3600 * 1000;

std::string known_kind_names() {
  std::string out;
  for (auto& kind : known_browser_kinds())
    out += (out.empty() ? "" : ", ") + kind.name;
  return out;
}

void check_kind(const std::string& path, const std::string& kind) {
  if (find_browser_kind(kind) == nullptr)
    fail(path, "unknown browser kind '" + kind + "' (expected "
                 + known_kind_names() + ")");
}

launcher_config read_launcher(const nlohmann::json& x,
                              const std::string& path) {
  launcher_config out;
  object_reader r{x, path};
  r.get("type", out.type);
  r.get("webdriver_url", out.webdriver_url);
  r.get_int("session_timeout_ms", out.session_timeout_ms, 1000, 3600000);
  r.get_int("keepalive_ms", out.keepalive_ms, 0, 3600000);
  if (out.keepalive_ms > 0 && out.keepalive_ms < 1000)
    fail(r.child("keepalive_ms"), "must be 0 (off) or at least 1000, got "
                                    + std::to_string(out.keepalive_ms));
  r.reject_unknown_keys();
  if (out.type != "process" && out.type != "webdriver")
    fail(r.child("type"),
         "unknown launcher '" + out.type + "' (expected process or webdriver)");
  if (out.type == "webdriver") {
    if (out.webdriver_url.rfind("http://", 0) != 0)
      fail(r.child("webdriver_url"), "a webdriver launcher needs an http:// "
                                     "URL of its remote end, got '"
                                       + out.webdriver_url + "'");
  } else if (!out.webdriver_url.empty()) {
    fail(r.child("webdriver_url"), "only a webdriver launcher has a URL");
  }
  return out;
}

restart_policy read_restart(const nlohmann::json& x, const std::string& path) {
  restart_policy out;
  object_reader r{x, path};
  r.get_int("backoff_base_ms", out.backoff_base_ms, 0, day_ms);
  r.get_int("backoff_max_ms", out.backoff_max_ms, 0, day_ms);
  r.get_int("stable_after_ms", out.stable_after_ms, 0, day_ms);
  r.get_int("max_restarts", out.max_restarts, 0, 1000000);
  r.get_int("window_ms", out.window_ms, 1, day_ms);
  r.reject_unknown_keys();
  if (out.backoff_max_ms < out.backoff_base_ms)
    fail(r.child("backoff_max_ms"), "must not be below backoff_base_ms");
  return out;
}

} // namespace

std::map<std::string, browser_config> read_browsers(const nlohmann::json& x,
                                                    const std::string& path) {
  object_reader r{x, path};
  std::map<std::string, browser_config> out;
  for (auto& [kind, value] : x.items()) {
    check_kind(r.child(kind), kind);
    r.find(kind);
    browser_config bc;
    object_reader br{value, r.child(kind)};
    br.get("executable", bc.executable);
    br.get("extra_args", bc.extra_args);
    br.get_int("min_connections", bc.min_connections, 0, 64);
    br.get_int("max_connections", bc.max_connections, 1, 64);
    if (auto launcher = br.find("launcher"))
      bc.launcher = read_launcher(*launcher, br.child("launcher"));
    br.reject_unknown_keys();
    if (bc.min_connections > bc.max_connections)
      fail(br.child("min_connections"), "must not exceed max_connections ("
                                          + std::to_string(bc.max_connections)
                                          + ")");
    out.emplace(kind, std::move(bc));
  }
  if (out.empty())
    fail(path,
         "must name at least one browser kind (" + known_kind_names() + ")");
  return out;
}

pool_policy read_pool(const nlohmann::json& x, const std::string& path) {
  pool_policy out;
  object_reader r{x, path};
  r.get_int("max_connections", out.max_connections, 1, 256);
  r.get_int("idle_timeout_ms", out.idle_timeout_ms, 0, day_ms);
  r.get_int("recycle_after_requests", out.recycle_after_requests, 0,
            uint64_t{1} << 62);
  r.get_int("max_lifetime_ms", out.max_lifetime_ms, 0, 30 * day_ms);
  if (auto limits = r.find("memory_limits_mb")) {
    object_reader lr{*limits, r.child("memory_limits_mb")};
    out.memory_limits_mb.clear();
    for (auto& [kind, value] : limits->items()) {
      check_kind(lr.child(kind), kind);
      uint32_t mb = 0;
      lr.get_int(kind, mb, 0, 1u << 20);
      if (mb != 0)
        out.memory_limits_mb[kind] = mb;
    }
  }
  r.get_int("heartbeat_ms", out.heartbeat_ms, 10, day_ms);
  r.get_int("heartbeat_timeout_ms", out.heartbeat_timeout_ms, 10, day_ms);
  r.get_int("drain_timeout_ms", out.drain_timeout_ms, 0, day_ms);
  if (auto restart = r.find("restart"))
    out.restart = read_restart(*restart, r.child("restart"));
  r.reject_unknown_keys();
  if (out.heartbeat_timeout_ms < out.heartbeat_ms)
    fail(r.child("heartbeat_timeout_ms"), "must not be below heartbeat_ms ("
                                            + std::to_string(out.heartbeat_ms)
                                            + ")");
  return out;
}

std::map<std::string, browser_config> all_browser_kinds() {
  std::map<std::string, browser_config> out;
  for (auto& kind : known_browser_kinds())
    out.emplace(kind.name, browser_config{});
  return out;
}

void check_pool(const std::map<std::string, browser_config>& browsers,
                const pool_policy& pool) {
  uint32_t min_total = 0;
  for (auto& [kind, bc] : browsers)
    min_total += bc.min_connections;
  if (min_total > pool.max_connections)
    fail("$.pool.max_connections", "is " + std::to_string(pool.max_connections)
                                     + ", below the sum of the browsers' "
                                       "min_connections ("
                                     + std::to_string(min_total) + ")");
}

} // namespace webaccel
