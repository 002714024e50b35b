// What a Selenium Grid 4 says about itself (`GET /status`): whether it is
// ready, its slots per browser on the nodes that are up, and the sessions
// running on them with the `webaccel:owner` capability our sessions carry.
// From that the pool sees the Grid's capacity and finds the sessions a
// runtime that died left behind (orphans), to end them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/browser_kinds.hpp"

namespace webaccel {

/// Who made a session: put in its capabilities as "webaccel:owner", and
/// read back from the Grid.
struct grid_owner {
  std::string host;
  int32_t pid = 0;
  /// When that runtime started (ms since the epoch): a pid that was reused
  /// by another runtime is not the same owner.
  int64_t started_ms = 0;
  /// One launch's own token: a session request we gave up on may still be
  /// granted later, and is then found by it.
  std::string launch;
};

/// This process as a session owner: host name, pid, and when it first
/// asked (fixed for the process's life).
const grid_owner& this_process_owner();

struct grid_session {
  std::string id;
  std::string browser_name;
  std::string node_uri;
  /// Set when the session is a webaccel one.
  std::optional<grid_owner> owner;
};

struct grid_status {
  /// A Grid (its status lists nodes), not a bare WebDriver remote end.
  bool grid = false;
  /// A Grid is not ready while every slot is busy, too: then a session
  /// request waits in its queue.
  bool ready = false;
  std::string message;
  /// Slots per browserName ("chrome", "firefox", ...) on nodes that are
  /// UP: all of them, and those without a session.
  std::map<std::string, uint32_t> slots;
  std::map<std::string, uint32_t> free;
  std::vector<grid_session> sessions;
};

/// Parses `GET /status`; nullopt and `error` if the body is not a Grid
/// 4's status.
std::optional<grid_status> parse_grid_status(const std::string& body,
                                             std::string& error);

/// Why a Grid cannot take a session for `browser_name` now: no node is up,
/// or none offers that browser (a request for it would wait in the queue
/// until it times out). nullopt if it can, perhaps after waiting in the
/// Grid's queue for a busy slot ("not ready" is that case too).
std::optional<std::string> grid_refusal(const grid_status& status,
                                        const std::string& browser_name);

/// The W3C browserName a Grid matches for a browser kind ("edge" is
/// "MicrosoftEdge") of an engine.
const char* grid_browser_name(const std::string& kind, browser_engine engine);

/// The capability's JSON text ({"host":..,"pid":..,"started_ms":..}).
std::string grid_owner_json(const grid_owner& owner);

/// The ids of this process's (`me`) sessions in `status` whose launch gave
/// up waiting for them (`launches`: the tokens of those launches).
std::vector<std::string>
abandoned_sessions(const grid_status& status, const grid_owner& me,
                   const std::set<std::string>& launches);

/// Whether `s` was left by a webaccel runtime that is gone: one on this
/// host (`me.host`) whose process is not alive (`alive(pid)`), or whose
/// pid is ours now with another start time; never `me` itself. Sessions of
/// other hosts are never orphans here (their owners may be alive), nor
/// those of a live pid that another program took since (the safe side).
bool is_orphan(const grid_session& s, const grid_owner& me,
               const std::function<bool(int32_t)>& alive);

} // namespace webaccel
