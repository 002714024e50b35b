#include "transport/browser/grid_status.hpp"

#include <unistd.h>

#include <chrono>

#include <nlohmann/json.hpp>

#include "config/node_policy.hpp"

namespace webaccel {

namespace {

using json = nlohmann::json;

std::optional<grid_owner> owner_of(const json& caps) {
  auto i = caps.find("webaccel:owner");
  if (i == caps.end() || !i->is_object())
    return std::nullopt;
  grid_owner out;
  out.host = i->value("host", "");
  out.pid = i->value("pid", 0);
  out.started_ms = i->value("started_ms", int64_t{0});
  out.launch = i->value("launch", "");
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
  auto doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("value")
      || !doc["value"].is_object()) {
    error = "not a Grid status (no JSON object with a 'value')";
    return std::nullopt;
  }
  auto& v = doc["value"];
  grid_status out;
  out.ready = v.value("ready", false);
  out.message = v.value("message", "");
  auto nodes = v.find("nodes");
  if (nodes == v.end()) // A bare WebDriver remote end (chromedriver).
    return out;
  out.grid = true;
  if (!nodes->is_array()) {
    error = "the Grid status's 'nodes' is not a list";
    return std::nullopt;
  }
  for (auto& node : *nodes) {
    if (!node.is_object())
      continue;
    auto up = node.value("availability", "") == "UP";
    auto uri = node.value("uri", "");
    auto slots = node.find("slots");
    if (slots == node.end() || !slots->is_array())
      continue;
    for (auto& slot : *slots) {
      if (!slot.is_object())
        continue;
      std::string name;
      if (auto st = slot.find("stereotype");
          st != slot.end() && st->is_object())
        name = st->value("browserName", "");
      auto session = slot.find("session");
      auto busy = session != slot.end() && session->is_object();
      if (up) {
        out.slots[name]++;
        if (!busy)
          out.free[name]++;
      }
      if (!busy)
        continue;
      grid_session s;
      s.id = session->value("sessionId", "");
      s.browser_name = name;
      s.node_uri = uri;
      if (auto caps = session->find("capabilities");
          caps != session->end() && caps->is_object())
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
