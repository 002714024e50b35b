// Finds the browser kinds (config/browser_kinds) on this machine: by a
// configured path or their executable names on PATH, and asks each for its
// version. Runs a child process per browser: call it at start-up, not on
// an actor's worker thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "config/browser_kinds.hpp"

namespace webaccel {

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
