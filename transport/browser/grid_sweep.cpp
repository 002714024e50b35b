#include "transport/browser/grid_sweep.hpp"

#include <signal.h>

#include <algorithm>
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

/// DELETE /session/ID; false and `why` if the remote end did not end it.
bool end_session(const http_endpoint& remote, const std::string& id,
                 std::string& why) {
  auto gone = http_json_request(remote, "DELETE", "/session/" + id, "",
                                delete_timeout, why);
  if (gone && gone->status != 200)
    why = gone->body.substr(0, 300);
  return gone && gone->status == 200;
}

/// GET /status, parsed; nullopt and `error` if there is no answer or no
/// status in it (`answered` tells the two apart).
std::optional<grid_status> read_status(const http_endpoint& remote,
                                       bool& answered, std::string& error) {
  auto reply = http_json_request(remote, "GET", "/status", "", status_timeout,
                                 error);
  answered = reply.has_value();
  return reply ? parse_grid_status(reply->body, error) : std::nullopt;
}

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
    if (end_session(remote, s.id, why)) {
      ended++;
      logger()->info("ended WebDriver session {} left by webaccel pid {}", s.id,
                     s.owner->pid);
    } else {
      logger()->warn("could not end orphan WebDriver session {}: {}", s.id,
                     why);
    }
  }
  return ended;
}

/// Tokens of launches that gave up waiting, until their session is ended.
struct abandoned_launches {
  std::mutex mtx;
  std::set<std::string> tokens;
};

abandoned_launches& abandoned() {
  static abandoned_launches instance;
  return instance;
}

void abandon_launch(const std::string& launch) {
  auto& a = abandoned();
  std::lock_guard<std::mutex> guard{a.mtx};
  a.tokens.insert(launch);
}

size_t end_abandoned_sessions(const http_endpoint& remote,
                              const grid_status& status) {
  auto& a = abandoned();
  std::vector<std::string> ids;
  {
    std::lock_guard<std::mutex> guard{a.mtx};
    if (a.tokens.empty())
      return 0;
    ids = abandoned_sessions(status, this_process_owner(), a.tokens);
  }
  std::vector<std::string> ended;
  for (auto& id : ids) {
    std::string why;
    if (end_session(remote, id, why)) {
      ended.push_back(id);
      logger()->info("ended WebDriver session {}: granted after its launch "
                     "gave up waiting",
                     id);
    }
  }
  // Forget the tokens whose sessions are gone. (One whose request the Grid
  // timed out instead stays: 32 bytes.)
  std::lock_guard<std::mutex> guard{a.mtx};
  for (auto& s : status.sessions)
    if (s.owner && std::find(ended.begin(), ended.end(), s.id) != ended.end())
      a.tokens.erase(s.owner->launch);
  return ended.size();
}

void give_up_launch(const http_endpoint& remote, const std::string& launch) {
  abandon_launch(launch);
  bool answered = false;
  std::string error;
  if (auto status = read_status(remote, answered, error))
    end_abandoned_sessions(remote, *status);
}

remote_check check_remote(const http_endpoint& remote,
                          const std::string& browser_name) {
  remote_check out;
  std::string error;
  auto where = "http://" + remote.host + ":" + remote.port + remote.base_path;
  bool answered = false;
  out.status = read_status(remote, answered, error);
  if (!answered) {
    out.refusal = "the WebDriver remote end " + where + " is down: " + error;
    return out;
  }
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
