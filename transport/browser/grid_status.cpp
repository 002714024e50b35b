#include "transport/browser/grid_status.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "config/json_input.hpp"
#include "config/node_policy.hpp"

namespace webaccel {

namespace {

using json = nlohmann::json;
using json_input::array_at;
using json_input::object_at;
using json_input::string_or;

std::optional<grid_owner> owner_of(const json& caps) {
  auto* o = object_at(caps, "webaccel:owner");
  if (o == nullptr)
    return std::nullopt;
  grid_owner out;
  out.host = string_or(*o, "host");
  auto pid = json_input::integer_at(*o, "pid").value_or(0);
  // A pid that is no int32 is nobody's (0 never matches a live process).
  out.pid = pid > 0 && pid <= INT32_MAX ? static_cast<int32_t>(pid) : 0;
  out.started_ms = json_input::integer_at(*o, "started_ms").value_or(0);
  out.launch = string_or(*o, "launch");
  return out;
}

} // namespace

const grid_owner& this_process_owner() {
  static const grid_owner me = [] {
    grid_owner out;
    out.host = host_name();
    out.pid = static_cast<int32_t>(getpid());
    out.started_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    return out;
  }();
  return me;
}

std::optional<grid_status> parse_grid_status(const std::string& body,
                                             std::string& error) {
  auto read = json_input::parse(body);
  if (!read) {
    error = "not a Grid status: " + read.error;
    return std::nullopt;
  }
  auto* v = object_at(read.doc, "value");
  if (v == nullptr) {
    error = "not a Grid status (no JSON object with a 'value')";
    return std::nullopt;
  }
  grid_status out;
  out.ready = json_input::bool_or(*v, "ready");
  out.message = string_or(*v, "message");
  auto* nodes = json_input::member(*v, "nodes");
  if (nodes == nullptr) // A bare WebDriver remote end (chromedriver).
    return out;
  out.grid = true;
  if (!nodes->is_array()) {
    error = "the Grid status's 'nodes' is not a list";
    return std::nullopt;
  }
  for (auto& node : *nodes) {
    auto up = string_or(node, "availability") == "UP";
    auto uri = string_or(node, "uri");
    auto* slots = array_at(node, "slots");
    if (slots == nullptr)
      continue;
    for (auto& slot : *slots) {
      if (!slot.is_object())
        continue;
      std::string name;
      if (auto* st = object_at(slot, "stereotype"))
        name = string_or(*st, "browserName");
      auto* session = object_at(slot, "session");
      if (up) {
        out.slots[name]++;
        if (session == nullptr)
          out.free[name]++;
      }
      if (session == nullptr)
        continue;
      grid_session s;
      s.id = string_or(*session, "sessionId");
      s.browser_name = name;
      s.node_uri = uri;
      if (auto* caps = object_at(*session, "capabilities"))
        s.owner = owner_of(*caps);
      out.sessions.push_back(std::move(s));
    }
  }
  return out;
}

std::optional<std::string> grid_refusal(const grid_status& status,
                                        const std::string& browser_name) {
  if (!status.grid)
    return std::nullopt; // A bare remote end takes what it can.
  if (status.slots.empty())
    return "no node is up"
           + (status.message.empty() ? std::string{}
                                     : " (" + status.message + ")");
  if (status.slots.count(browser_name) != 0)
    return std::nullopt;
  std::string offers;
  for (auto& [name, n] : status.slots)
    offers += (offers.empty() ? "" : ", ") + name + " x" + std::to_string(n);
  return "no node offers " + browser_name + " (the Grid offers " + offers + ")";
}

const char* grid_browser_name(const std::string& kind, browser_engine engine) {
  if (engine == browser_engine::firefox)
    return "firefox";
  return kind == "edge" ? "MicrosoftEdge" : "chrome";
}

std::string grid_owner_json(const grid_owner& owner) {
  json out{
    {"host", owner.host}, {"pid", owner.pid}, {"started_ms", owner.started_ms}};
  if (!owner.launch.empty())
    out["launch"] = owner.launch;
  return out.dump();
}

std::vector<std::string>
abandoned_sessions(const grid_status& status, const grid_owner& me,
                   const std::set<std::string>& launches) {
  std::vector<std::string> out;
  for (auto& s : status.sessions)
    if (s.owner && s.owner->host == me.host && s.owner->pid == me.pid
        && s.owner->started_ms == me.started_ms
        && launches.count(s.owner->launch) != 0)
      out.push_back(s.id);
  return out;
}

bool is_orphan(const grid_session& s, const grid_owner& me,
               const std::function<bool(int32_t)>& alive) {
  if (!s.owner || s.owner->host != me.host)
    return false;
  auto& o = *s.owner;
  if (o.pid == me.pid && o.started_ms == me.started_ms)
    return false; // Ours, live.
  return o.pid == me.pid || !alive(o.pid);
}

} // namespace webaccel
