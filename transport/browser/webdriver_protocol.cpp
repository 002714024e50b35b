#include "transport/browser/webdriver_protocol.hpp"

#include <nlohmann/json.hpp>

#include "config/json_input.hpp"
#include "transport/browser/grid_status.hpp"
#include "transport/browser/launch_profiles.hpp"

namespace webaccel {

namespace {

using json = nlohmann::json;

/// Chromium's flags without a profile dir (the driver makes one) or a URL
/// (we navigate).
std::vector<std::string>
chromium_driver_args(const std::vector<std::string>& extra) {
  std::vector<std::string> out;
  for (auto& flag : chromium_flags("", "", extra))
    if (!flag.empty() && flag.rfind("--user-data-dir=", 0) != 0)
      out.push_back(flag);
  return out;
}

} // namespace

std::string
webdriver_new_session_body(browser_engine engine, const std::string& binary,
                           const std::vector<std::string>& extra_args,
                           const std::string& launch) {
  json match;
  if (engine == browser_engine::chromium) {
    json options{{"args", chromium_driver_args(extra_args)}};
    if (!binary.empty())
      options["binary"] = binary;
    match = {{"browserName", "chrome"}, {"goog:chromeOptions", options}};
  } else {
    std::vector<std::string> args{"-headless"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    json options{{"args", args},
                 {"prefs",
                  {{"dom.webgpu.enabled", true},
                   {"gfx.webgpu.ignore-blocklist", true},
                   {"app.update.enabled", false},
                   {"toolkit.telemetry.enabled", false}}}};
    if (!binary.empty())
      options["binary"] = binary;
    match = {{"browserName", "firefox"}, {"moz:firefoxOptions", options}};
  }
  // Who made it: a Grid shows it in its status, so that a runtime that
  // died can have its sessions found and ended (grid_status.hpp).
  auto owner = this_process_owner();
  owner.launch = launch;
  match["webaccel:owner"] = json::parse(grid_owner_json(owner));
  return json{{"capabilities", {{"alwaysMatch", match}}}}.dump();
}

std::optional<std::string> webdriver_session_id(unsigned status,
                                                const std::string& body,
                                                std::string& error) {
  auto read = json_input::parse(body);
  const json* value = read ? json_input::object_at(read.doc, "value") : nullptr;
  if (value != nullptr && status == 200)
    if (auto id = json_input::string_at(*value, "sessionId"))
      return id;
  if (auto message = value ? json_input::string_at(*value, "message")
                           : std::nullopt) {
    auto kind = json_input::string_or(*value, "error", "error");
    error = "HTTP " + std::to_string(status) + ": " + kind + ": "
            + message->substr(0, 1000);
  } else {
    error = "HTTP " + std::to_string(status)
            + " without a session id: " + body.substr(0, 300);
  }
  return std::nullopt;
}

} // namespace webaccel
