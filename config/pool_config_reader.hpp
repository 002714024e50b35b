// Reads the config's "browsers" and "pool" sections.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "config/runtime_config.hpp"

namespace webaccel {

/// "browsers": { "<kind>": { executable, extra_args, min_connections,
/// max_connections, launcher: { type, webdriver_url } } }. @throws config_error
std::map<std::string, browser_config> read_browsers(const nlohmann::json& x,
                                                    const std::string& path);

/// "pool": { max_connections, idle_timeout_ms, recycle_after_requests,
/// max_lifetime_ms, memory_limits_mb: { kind: MiB }, heartbeat_ms,
/// heartbeat_timeout_ms, drain_timeout_ms, restart: { ... } }.
/// @throws config_error
pool_policy read_pool(const nlohmann::json& x, const std::string& path);

/// Every browser kind with default settings.
std::map<std::string, browser_config> all_browser_kinds();

/// Checks the sections against each other (min <= max, limits name known
/// kinds). @throws config_error
void check_pool(const std::map<std::string, browser_config>& browsers,
                const pool_policy& pool);

} // namespace webaccel
