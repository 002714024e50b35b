// Starts a browser through a W3C WebDriver remote end: chromedriver here, a
// Selenium Grid hub (unchanged) elsewhere. The session is created and the
// page opened on a thread of its own, so that a slow remote end blocks no
// actor; stopping deletes the session. A WebDriver browser has no local
// process: its death shows as the bridge closing.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/browser_kinds.hpp"
#include "transport/browser/browser_instance.hpp"

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

/// Opens a session on `webdriver_url` and navigates it to `page_url`.
/// Returns at once; `on_exit` reports a session that could not be made
/// (and a session granted after `session_timeout` is deleted).
/// nullptr and `error` only for a URL that is not http://.
std::unique_ptr<browser_instance>
launch_webdriver_browser(const std::string& webdriver_url,
                         browser_engine engine, const std::string& binary,
                         const std::string& page_url,
                         const std::vector<std::string>& extra_args,
                         std::chrono::milliseconds session_timeout,
                         browser_instance::exit_handler on_exit,
                         std::string& error);

} // namespace webaccel
