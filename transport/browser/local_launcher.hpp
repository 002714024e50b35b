// Starts a browser installed on this machine as a child process group, in a
// fresh profile directory that is removed when the process stops.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/browser_kinds.hpp"
#include "transport/browser/browser_instance.hpp"
#include "transport/browser/process.hpp"

namespace webaccel {

/// A local process group as a browser instance.
std::unique_ptr<browser_instance>
as_browser_instance(std::unique_ptr<process> proc);

/// Launches `browser` on `url`. Returns nullptr and sets `error` on failure.
std::unique_ptr<browser_instance>
launch_local_browser(const installed_browser& browser, const std::string& url,
                     const std::vector<std::string>& extra,
                     browser_instance::exit_handler on_exit,
                     std::string& error);

} // namespace webaccel
