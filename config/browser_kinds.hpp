// The browser kinds webaccel can drive: data that configs, placement and
// the launchers share. A kind is what configs and placement name
// ("chromium", "firefox"); its engine decides how it is launched. Finding a
// kind on this machine is transport/browser/browser_detection.
#pragma once

#include <string>
#include <vector>

namespace webaccel {

enum class browser_engine { chromium, firefox };

const char* to_string(browser_engine engine);

/// One kind of browser and the executable names it is installed under.
struct browser_kind {
  std::string name;
  browser_engine engine;
  /// Looked up on PATH in this order.
  std::vector<std::string> executables;
};

/// chromium, chrome (google-chrome), edge (microsoft-edge), firefox
/// (firefox, firefox-esr).
const std::vector<browser_kind>& known_browser_kinds();

/// The kind named `name`, or nullptr.
const browser_kind* find_browser_kind(const std::string& name);

/// A browser found on this machine.
struct installed_browser {
  std::string kind;
  browser_engine engine;
  std::string executable;
  /// As the browser prints it, e.g. "156.0.8078.79" or "153.7.0esr".
  std::string version;
};

} // namespace webaccel
