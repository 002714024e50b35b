#include "transport/browser/webdriver_launcher.hpp"

#include <atomic>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "config/logging.hpp"
#include "transport/browser/grid_status.hpp"
#include "transport/browser/grid_sweep.hpp"
#include "transport/browser/launch_profiles.hpp"
#include "transport/net/http_client.hpp"
#include "transport/net/http_server.hpp"

namespace webaccel {

namespace {

using json = nlohmann::json;
using ms = std::chrono::milliseconds;

constexpr ms command_timeout{60000};

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

class webdriver_browser final : public browser_instance {
public:
  webdriver_browser(http_endpoint peer, std::string browser_name,
                    std::string body, std::string launch, ms session_timeout,
                    std::string page_url, exit_handler on_exit)
    : peer_(std::move(peer)),
      browser_name_(std::move(browser_name)),
      launch_(std::move(launch)),
      session_timeout_(session_timeout),
      on_exit_(std::move(on_exit)) {
    worker_ = std::thread{
      [this, body = std::move(body), page_url = std::move(page_url)] {
        start(body, page_url);
      }};
  }

  ~webdriver_browser() override {
    stop();
  }

  pid_t pid() const override {
    return 0;
  }

  void track_helpers() override {
    // Not ours to track: the remote end owns the processes.
  }

  uint64_t memory_bytes() override {
    return 0;
  }

  void stop() override {
    std::lock_guard<std::mutex> guard{stop_mtx_};
    if (stopped_)
      return;
    stopped_ = true;
    // A session request may wait minutes in a Grid's queue: cut it short.
    cancel_.cancel();
    if (worker_.joinable())
      worker_.join();
    if (session_.empty())
      return;
    std::string error;
    auto reply = http_json_request(peer_, "DELETE", "/session/" + session_, "",
                                   command_timeout, error);
    if (!reply || reply->status != 200)
      logger()->warn("WebDriver session {} may outlive us: {}", session_,
                     reply ? reply->body.substr(0, 300) : error);
  }

private:
  void start(const std::string& body, const std::string& page_url) {
    // Down, not ready, or no slot for this browser: a typed refusal now,
    // not a session request that waits until it times out.
    auto remote = check_remote(peer_, browser_name_);
    if (!remote.refusal.empty()) {
      on_exit_(refused, remote.refusal);
      return;
    }
    sweep_orphans_once(peer_, *remote.status);
    end_abandoned_sessions(peer_, *remote.status);
    std::string error;
    auto reply = http_json_request(peer_, "POST", "/session", body,
                                   session_timeout_, error, &cancel_);
    if (reply) {
      if (auto id = webdriver_session_id(reply->status, reply->body, error))
        session_ = *id;
    } else if (cancel_.cancelled()) {
      // Stopped while queued: the Grid may still grant it. The next launch
      // in this process ends it, or, after we are gone, the next runtime's
      // orphan sweep.
      abandon_launch(launch_);
    } else {
      // No answer in time: the Grid may still grant the request from its
      // queue, to nobody. A session made by then is ended now, a later one
      // by the next launch.
      give_up_launch(peer_, launch_);
    }
    if (session_.empty()) {
      on_exit_(-1, "could not be started through WebDriver: " + error);
      return;
    }
    auto nav = json{{"url", page_url}}.dump();
    reply = http_json_request(peer_, "POST", "/session/" + session_ + "/url",
                              nav, command_timeout, error, &cancel_);
    if (!reply || reply->status != 200)
      on_exit_(-1, "WebDriver could not open the page: "
                     + (reply ? reply->body.substr(0, 500) : error));
  }

  http_endpoint peer_;
  std::string browser_name_;
  std::string launch_;
  ms session_timeout_;
  exit_handler on_exit_;
  /// Written by the worker before it ends; read after joining it.
  std::string session_;
  http_cancel cancel_;
  std::thread worker_;
  std::mutex stop_mtx_;
  bool stopped_ = false;
};

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
  auto doc = json::parse(body, nullptr, false);
  const json* value = nullptr;
  if (doc.is_object() && doc.contains("value") && doc["value"].is_object())
    value = &doc["value"];
  if (status == 200 && value != nullptr && value->contains("sessionId")
      && (*value)["sessionId"].is_string())
    return (*value)["sessionId"].get<std::string>();
  if (value != nullptr && value->contains("message")
      && (*value)["message"].is_string()) {
    auto kind = value->value("error", std::string{"error"});
    error = "HTTP " + std::to_string(status) + ": " + kind + ": "
            + (*value)["message"].get<std::string>().substr(0, 1000);
  } else {
    error = "HTTP " + std::to_string(status)
            + " without a session id: " + body.substr(0, 300);
  }
  return std::nullopt;
}

std::unique_ptr<browser_instance> launch_webdriver_browser(
  const std::string& webdriver_url, browser_engine engine,
  const std::string& binary, const std::string& page_url,
  const std::vector<std::string>& extra_args, ms session_timeout,
  browser_instance::exit_handler on_exit, std::string& error) {
  auto peer = parse_http_url(webdriver_url, error);
  if (!peer)
    return nullptr;
  auto launch = make_bridge_token();
  return std::make_unique<webdriver_browser>(
    std::move(*peer), grid_browser_name(to_string(engine), engine),
    webdriver_new_session_body(engine, binary, extra_args, launch), launch,
    session_timeout, page_url, std::move(on_exit));
}

} // namespace webaccel
