// Starts a browser through a W3C WebDriver remote end: chromedriver here, a
// Selenium Grid hub (unchanged) elsewhere. The session is created and the
// page opened on a thread of its own, so that a slow remote end blocks no
// actor; the same thread then keeps the session alive with a cheap command
// well inside the remote end's idle timeout; stopping deletes the session. A
// WebDriver browser has no local process: its death shows as the bridge
// closing.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/browser_kinds.hpp"
#include "config/runtime_config.hpp"
#include "transport/browser/browser_instance.hpp"
#include "transport/browser/webdriver_protocol.hpp"

namespace webaccel {

/// Opens a session on `settings.webdriver_url` and navigates it to
/// `page_url`. Returns at once; `on_exit` reports a session that could not
/// be made (and a session granted after `settings.session_timeout_ms` is
/// deleted), and one the remote end ended. While the browser lives, a cheap
/// command every `settings.keepalive_ms` keeps the remote end from ending
/// the session as idle. nullptr and `error` only for a URL that is not
/// http://.
std::unique_ptr<browser_instance>
launch_webdriver_browser(const launcher_config& settings, browser_engine engine,
                         const std::string& binary, const std::string& page_url,
                         const std::vector<std::string>& extra_args,
                         browser_instance::exit_handler on_exit,
                         std::string& error);

} // namespace webaccel
