// Starts headless Chromium on a URL with the flags this machine needs
// (FACTS.md): a fresh profile directory, no background networking, WebGPU
// enabled (SwiftShader where there is no GPU), WebNN exposed for probing.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "transport/process.hpp"

namespace webaccel {

/// Finds a Chromium executable: `configured` if set, else the first of
/// chromium, chromium-browser, google-chrome on PATH. nullopt if none.
std::optional<std::string> find_chromium(const std::string& configured);

/// The command-line flags used for a profile directory and URL.
std::vector<std::string> chromium_flags(const std::string& profile_dir,
                                        const std::string& url,
                                        const std::vector<std::string>& extra);

/// Launches Chromium on `url` in a fresh profile directory that is removed
/// when the process stops. Returns nullptr and sets `error` on failure.
std::unique_ptr<process> launch_chromium(const std::string& executable,
                                         const std::string& url,
                                         const std::vector<std::string>& extra,
                                         process::exit_handler on_exit,
                                         std::string& error);

} // namespace webaccel
