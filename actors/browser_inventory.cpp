#include "actors/browser_inventory.hpp"

#include "config/logging.hpp"
#include "transport/browser/browser_detection.hpp"

namespace webaccel {

browser_inventory take_browser_inventory(const runtime_config& cfg) {
  browser_inventory out;
  for (auto& [kind, bc] : cfg.browsers) {
    if (bc.launcher.type == "webdriver") {
      auto info = find_browser_kind(kind);
      // The version comes from the page's user agent once it says hello.
      out.installed[kind] = installed_browser{kind, info->engine, bc.executable,
                                              ""};
      continue;
    }
    std::string error;
    if (auto found = detect_browser(kind, bc.executable, error)) {
      out.installed[kind] = *found;
      continue;
    }
    out.missing[kind] = error;
    if (cfg.browsers_explicit)
      logger()->warn("{}: skipped: {}", kind, error);
    else
      logger()->info("{}: skipped: {}", kind, error);
  }
  return out;
}

} // namespace webaccel
