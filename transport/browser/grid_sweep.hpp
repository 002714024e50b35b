// What a launch asks a WebDriver remote end (a Selenium Grid) before its
// session: one GET /status tells whether it can take the session, and
// lists every session with its owner (grid_status.hpp). Those a dead
// webaccel runtime left are deleted: the first launch on each remote end in
// a process sweeps it once, before it asks for its own session.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "transport/browser/grid_status.hpp"
#include "transport/net/http_client.hpp"

namespace webaccel {

/// Whether a process of this pid exists (it may be another program).
bool process_alive(int32_t pid);

/// Deletes the orphans of `me` that `status` lists on `remote`; how many
/// were ended. Blocking: call off actor threads.
size_t end_orphan_sessions(const http_endpoint& remote,
                           const grid_status& status, const grid_owner& me);

/// Remembers that the launch with token `launch` gave up waiting for its
/// session: the Grid may still grant the request from its queue, later,
/// to nobody. end_abandoned_sessions ends such sessions when it sees them.
void abandon_launch(const std::string& launch);

/// Deletes the sessions of abandoned launches of this process that
/// `status` lists on `remote`; how many. Every launch calls it with the
/// status it read, so a late session lives until the next launch at most.
/// Blocking.
size_t end_abandoned_sessions(const http_endpoint& remote,
                              const grid_status& status);

/// abandon_launch, then end_abandoned_sessions with a fresh GET /status.
void give_up_launch(const http_endpoint& remote, const std::string& launch);

/// What a remote end says before a session is asked of it: its status, or
/// why it cannot take one for `browser_name` now (down: no answer to GET
/// /status; or grid_refusal's reasons). Logs when every slot is busy (the
/// request then waits in the Grid's queue). Blocking.
struct remote_check {
  std::optional<grid_status> status;
  /// Empty when it can take the session.
  std::string refusal;
};
remote_check check_remote(const http_endpoint& remote,
                          const std::string& browser_name);

/// end_orphan_sessions for this process with the `status` just read, once
/// per remote end: later calls for the same host and port return at once,
/// also while it runs.
void sweep_orphans_once(const http_endpoint& remote, const grid_status& status);

} // namespace webaccel
