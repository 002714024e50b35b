// Placement rules as pure functions: which browser kinds suit a model
// family, and which platform of a browser serves a request. The router
// applies them; tests check them without actors.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "messages/capabilities.hpp"
#include "messages/model.hpp"

namespace webaccel {

/// Family -> browser kinds in order of preference.
using browser_preference_table
  = std::map<model_family, std::vector<std::string>>;

/// The defaults of DESIGN.md: audio -> firefox, chromium; text -> edge,
/// chromium; vision -> chromium, firefox; generation/multimodal -> chromium.
browser_preference_table default_browser_preferences();

/// Browser kinds to try for `req`, in order: the request's `browser` if set,
/// else the family's preferences, keeping only kinds in `available`.
std::vector<std::string>
candidate_browsers(const model_request& req,
                   const browser_preference_table& table,
                   const std::vector<std::string>& available);

/// The first platform of `priority_list` the browser really has; nullopt
/// and `why` (each platform's reason) if none.
std::optional<std::string>
choose_platform(const std::vector<std::string>& priority_list,
                const browser_capabilities& caps, std::string& why);

} // namespace webaccel
