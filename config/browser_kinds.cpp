#include "config/browser_kinds.hpp"

namespace webaccel {

const char* to_string(browser_engine engine) {
  return engine == browser_engine::chromium ? "chromium" : "firefox";
}

const std::vector<browser_kind>& known_browser_kinds() {
  static const std::vector<browser_kind> kinds = {
    {"chromium", browser_engine::chromium, {"chromium", "chromium-browser"}},
    {"chrome",
     browser_engine::chromium,
     {"google-chrome", "google-chrome-stable", "google-chrome-beta"}},
    {"edge",
     browser_engine::chromium,
     {"microsoft-edge", "microsoft-edge-stable", "microsoft-edge-beta"}},
    {"firefox", browser_engine::firefox, {"firefox", "firefox-esr"}},
  };
  return kinds;
}

const browser_kind* find_browser_kind(const std::string& name) {
  for (auto& kind : known_browser_kinds())
    if (kind.name == name)
      return &kind;
  return nullptr;
}

} // namespace webaccel
