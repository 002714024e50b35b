// How each browser engine is started here (FACTS.md): command-line flags,
// Firefox's user.js preferences and environment. Pure functions, so tests
// can read exactly what a browser gets.
#pragma once

#include <string>
#include <vector>

#include "config/browser_kinds.hpp"
#include "transport/browser/process.hpp"

namespace webaccel {

/// Chromium's flags for a profile directory and URL, then `extra`.
std::vector<std::string> chromium_flags(const std::string& profile_dir,
                                        const std::string& url,
                                        const std::vector<std::string>& extra);

/// Firefox's command line for a profile directory and URL, then `extra`.
std::vector<std::string> firefox_args(const std::string& profile_dir,
                                      const std::string& url,
                                      const std::vector<std::string>& extra);

/// The user.js that enables WebGPU and turns off every network-facing
/// service (telemetry, updates, normandy, safebrowsing, remote settings).
std::string firefox_user_prefs();

/// Environment for an engine's process with this profile: caches, crash
/// databases and temporary files (TMPDIR) inside the profile; for Firefox, a
/// Vulkan driver for WebGPU where one is installed (`vulkan_icd`, "" = none
/// found).
std::vector<std::string> browser_environment(browser_engine engine,
                                             const std::string& profile_dir,
                                             const std::string& vulkan_icd);

/// A software Vulkan driver Firefox can use for WebGPU without a GPU:
/// Chromium's SwiftShader, else Mesa's lavapipe; "" if neither is here.
std::string find_software_vulkan_icd();

/// Everything to start `browser` on `url` in `profile_dir` (which must
/// exist); writes Firefox's user.js there. "" in `error` on success.
process_options
local_launch_options(const installed_browser& browser,
                     const std::string& profile_dir, const std::string& url,
                     const std::vector<std::string>& extra, std::string& error);

} // namespace webaccel
