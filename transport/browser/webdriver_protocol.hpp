// The W3C WebDriver protocol's bodies as pure functions: what we send to
// create a session (the engine's capabilities, tagged with its owner for a
// Grid's status) and how a remote end's answer reads. A remote end is
// outside input: its answer is read without exceptions and within depth
// bounds (config/json_input.hpp). The launcher (webdriver_launcher) and
// the Grid bench use these.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/browser_kinds.hpp"

namespace webaccel {

/// The body of `POST /session` for an engine: W3C capabilities with the
/// engine's options (Chromium flags; Firefox prefs for WebGPU). `binary`
/// "" lets the remote end pick the browser. `launch` tags the session as
/// this one launch's (see grid_owner).
std::string
webdriver_new_session_body(browser_engine engine, const std::string& binary,
                           const std::vector<std::string>& extra_args,
                           const std::string& launch = "");

/// The session id in a `POST /session` reply; nullopt and the remote end's
/// own error text in `error` otherwise.
std::optional<std::string> webdriver_session_id(unsigned status,
                                                const std::string& body,
                                                std::string& error);

} // namespace webaccel
