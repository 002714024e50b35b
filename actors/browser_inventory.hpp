// Which of the configured browser kinds this machine really has, found
// once when a runtime starts (or `webaccel doctor` runs).
#pragma once

#include <map>
#include <string>

#include "config/browser_kinds.hpp"
#include "config/runtime_config.hpp"

namespace webaccel {

struct browser_inventory {
  /// Usable kinds.
  std::map<std::string, installed_browser> installed;
  /// Configured kinds that cannot be used here, and why.
  std::map<std::string, std::string> missing;
};

/// Looks for every kind in `cfg.browsers` that launches locally; kinds
/// launched through WebDriver are taken as available (the remote end
/// decides). Logs each missing kind once: as a warning if the config named
/// it, else quietly.
browser_inventory take_browser_inventory(const runtime_config& cfg);

} // namespace webaccel
