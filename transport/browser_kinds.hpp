// The browser kinds webaccel can drive, and how to find them on this
// machine. A kind is what configs and placement name ("chromium",
// "firefox"); its engine decides how it is launched.
#pragma once

#include <chrono>
#include <optional>
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

/// Finds `kind`: at `configured` if that is set, else by its executable
/// names on PATH; asks it for its version. nullopt and `error` (what was
/// looked for, or why it does not run) if it is not usable.
std::optional<installed_browser>
detect_browser(const std::string& kind, const std::string& configured,
               std::string& error,
               std::chrono::milliseconds timeout = std::chrono::seconds{20});

/// The version in a browser's `--version` output ("Mozilla Firefox
/// 153.7.0esr" -> "153.7.0esr"); "" if there is none.
std::string version_from_banner(const std::string& banner);

/// First executable named `name` on PATH; "" if none.
std::string find_on_path(const std::string& name);

} // namespace webaccel
