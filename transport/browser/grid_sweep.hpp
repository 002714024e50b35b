// Ends the sessions a dead webaccel runtime left on a WebDriver remote end
// (a Selenium Grid): its status lists every session with its owner
// (grid_status.hpp), and those whose owner is gone are deleted. The first
// launch on each remote end in a process sweeps it once, before it asks
// for its own session.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "transport/browser/grid_status.hpp"
#include "transport/net/http_client.hpp"

namespace webaccel {

/// Whether a process of this pid exists (it may be another program).
bool process_alive(int32_t pid);

/// Deletes the orphans of `me` on `remote`; how many were ended, nullopt
/// and `error` if the status could not be read. Blocking: call off actor
/// threads.
std::optional<size_t> end_orphan_sessions(const http_endpoint& remote,
                                          const grid_owner& me,
                                          std::string& error);

/// Why `remote` cannot take a session for `browser_name` now: down (no
/// answer to GET /status), or grid_refusal's reasons. nullopt if it can.
/// Logs when every slot is busy (the request then waits in the Grid's
/// queue). Blocking.
std::optional<std::string> remote_refusal(const http_endpoint& remote,
                                          const std::string& browser_name);

/// end_orphan_sessions for this process, once per remote end: later calls
/// for the same host and port return at once, also while it runs.
void sweep_orphans_once(const http_endpoint& remote);

} // namespace webaccel
