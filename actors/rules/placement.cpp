#include "actors/rules/placement.hpp"

#include <algorithm>

namespace webaccel {

browser_preference_table default_browser_preferences() {
  return {
    {model_family::audio, {"firefox", "chromium"}},
    {model_family::text_embedding, {"edge", "chromium"}},
    {model_family::vision, {"chromium", "firefox"}},
    {model_family::text_generation, {"chromium"}},
    {model_family::multimodal, {"chromium"}},
  };
}

std::vector<std::string>
candidate_browsers(const model_request& req,
                   const browser_preference_table& table,
                   const std::vector<std::string>& available) {
  auto is_available = [&](const std::string& kind) {
    return std::find(available.begin(), available.end(), kind)
           != available.end();
  };
  std::vector<std::string> out;
  if (!req.preferences.browser.empty()) {
    if (is_available(req.preferences.browser))
      out.push_back(req.preferences.browser);
    return out;
  }
  if (auto i = table.find(req.family); i != table.end())
    for (auto& kind : i->second)
      if (is_available(kind))
        out.push_back(kind);
  return out;
}

std::optional<std::string>
choose_platform(const std::vector<std::string>& priority_list,
                const browser_capabilities& caps, std::string& why) {
  why.clear();
  for (auto& platform : priority_list) {
    auto support = caps.platform(platform);
    if (support != nullptr && support->available)
      return platform;
    if (!why.empty())
      why += "; ";
    why += platform + ": "
           + (support == nullptr ? std::string{"unknown platform"}
                                 : support->reason);
  }
  return std::nullopt;
}

} // namespace webaccel
