#include "transport/browser/grid_sweep.hpp"

#include <signal.h>

#include <cerrno>
#include <chrono>
#include <mutex>
#include <set>

#include "config/logging.hpp"

namespace webaccel {

namespace {

// A Grid answers /status from memory; one that takes longer is not worth
// holding a launch for.
constexpr std::chrono::milliseconds status_timeout{5000};
constexpr std::chrono::milliseconds delete_timeout{60000};

} // namespace

bool process_alive(int32_t pid) {
  return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

size_t end_orphan_sessions(const http_endpoint& remote,
                           const grid_status& status, const grid_owner& me) {
  size_t ended = 0;
  for (auto& s : status.sessions) {
    if (!is_orphan(s, me, process_alive))
      continue;
    std::string why;
    auto gone = http_json_request(remote, "DELETE", "/session/" + s.id, "",
                                  delete_timeout, why);
    if (gone && gone->status == 200) {
      ended++;
      logger()->info("ended WebDriver session {} left by webaccel pid {}", s.id,
                     s.owner->pid);
    } else {
      logger()->warn("could not end orphan WebDriver session {}: {}", s.id,
                     gone ? gone->body.substr(0, 300) : why);
    }
  }
  return ended;
}

remote_check check_remote(const http_endpoint& remote,
                          const std::string& browser_name) {
  remote_check out;
  std::string error;
  auto where = "http://" + remote.host + ":" + remote.port + remote.base_path;
  auto reply = http_json_request(remote, "GET", "/status", "", status_timeout,
                                 error);
  if (!reply) {
    out.refusal = "the WebDriver remote end " + where + " is down: " + error;
    return out;
  }
  out.status = parse_grid_status(reply->body, error);
  if (!out.status) {
    out.refusal = "the WebDriver remote end " + where
                  + " answers no status: " + error;
    return out;
  }
  if (auto why = grid_refusal(*out.status, browser_name)) {
    out.refusal = "the WebDriver remote end " + where + " cannot take "
                  + browser_name + ": " + *why;
    return out;
  }
  auto free = out.status->free.find(browser_name);
  if (!out.status->slots.empty()
      && (free == out.status->free.end() || free->second == 0))
    logger()->info("every {} slot of the Grid {} is busy: the session request "
                   "waits in its queue",
                   browser_name, where);
  return out;
}

void sweep_orphans_once(const http_endpoint& remote,
                        const grid_status& status) {
  static std::mutex mtx;
  static std::set<std::string> swept;
  auto key = remote.host + ":" + remote.port + remote.base_path;
  {
    std::lock_guard<std::mutex> guard{mtx};
    if (!swept.insert(key).second)
      return;
  }
  // The launches behind this one do not wait: a session request that finds
  // every slot taken by orphans waits in the Grid's queue until the sweep
  // has freed them.
  end_orphan_sessions(remote, status, this_process_owner());
}

} // namespace webaccel
