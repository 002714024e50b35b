#include "transport/browser/webdriver_launcher.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "config/logging.hpp"
#include "config/thread_barrier.hpp"
#include "transport/browser/grid_status.hpp"
#include "transport/browser/grid_sweep.hpp"
#include "transport/browser/webdriver_protocol.hpp"
#include "transport/net/http_client.hpp"
#include "transport/net/http_server.hpp"

namespace webaccel {

namespace {

using json = nlohmann::json;
using ms = std::chrono::milliseconds;

constexpr ms command_timeout{60000};

class webdriver_browser final : public browser_instance {
public:
  webdriver_browser(http_endpoint peer, std::string browser_name,
                    std::string body, std::string launch,
                    const launcher_config& settings, std::string page_url,
                    exit_handler on_exit)
    : peer_(std::move(peer)),
      browser_name_(std::move(browser_name)),
      launch_(std::move(launch)),
      session_timeout_(settings.session_timeout_ms),
      keepalive_(settings.keepalive_ms),
      on_exit_(std::move(on_exit)) {
    worker_ = std::thread{
      [this, body = std::move(body), page_url = std::move(page_url)] {
        run_in_barrier(
          thread_kind::launcher, "a WebDriver browser's session",
          [&] {
            if (start(body, page_url))
              keep_alive();
          },
          [this](const std::string& error) {
            report_exit(-1, "the WebDriver session failed: " + error);
          });
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
    {
      std::lock_guard<std::mutex> wake{keepalive_mtx_};
      stopping_ = true;
    }
    keepalive_cv_.notify_all();
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
  /// on_exit_, at most once (browser_instance's promise).
  void report_exit(int status, std::string what) {
    if (!exited_.exchange(true))
      on_exit_(status, std::move(what));
  }

  /// Creates the session and opens the page; false (and on_exit_ told)
  /// when either fails.
  bool start(const std::string& body, const std::string& page_url) {
    // Down, not ready, or no slot for this browser: a typed refusal now,
    // not a session request that waits until it times out.
    auto remote = check_remote(peer_, browser_name_);
    if (!remote.refusal.empty()) {
      report_exit(refused, remote.refusal);
      return false;
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
      report_exit(-1, "could not be started through WebDriver: " + error);
      return false;
    }
    auto nav = json{{"url", page_url}}.dump();
    reply = http_json_request(peer_, "POST", "/session/" + session_ + "/url",
                              nav, command_timeout, error, &cancel_);
    if (!reply || reply->status != 200) {
      report_exit(-1, "WebDriver could not open the page: "
                        + (reply ? reply->body.substr(0, 500) : error));
      return false;
    }
    return true;
  }

  /// Until stop(): every keepalive_ interval, one cheap command (GET the
  /// session's URL), which resets the remote end's idle timer. A session
  /// the remote end no longer knows (404) is a browser that died.
  void keep_alive() {
    if (keepalive_.count() == 0)
      return;
    std::unique_lock<std::mutex> lock{keepalive_mtx_};
    while (
      !keepalive_cv_.wait_for(lock, keepalive_, [this] { return stopping_; })) {
      lock.unlock();
      std::string error;
      auto reply = http_json_request(peer_, "GET",
                                     "/session/" + session_ + "/url", "",
                                     command_timeout, error, &cancel_);
      lock.lock();
      if (stopping_)
        return;
      if (reply && reply->status == 200)
        continue;
      if (reply && reply->status == 404) {
        lock.unlock();
        report_exit(-1, "the WebDriver session " + session_
                          + " ended at the remote end: "
                          + reply->body.substr(0, 300));
        return;
      }
      // A slow or restarting remote end: the next interval tries again,
      // well inside its idle timeout.
      logger()->warn("WebDriver keepalive of session {} failed: {}", session_,
                     reply ? "HTTP " + std::to_string(reply->status) + " "
                               + reply->body.substr(0, 200)
                           : error);
    }
  }

  http_endpoint peer_;
  std::string browser_name_;
  std::string launch_;
  ms session_timeout_;
  ms keepalive_;
  exit_handler on_exit_;
  /// Written by the worker before it ends; read after joining it.
  std::string session_;
  http_cancel cancel_;
  std::thread worker_;
  std::mutex stop_mtx_;
  bool stopped_ = false;
  std::mutex keepalive_mtx_;
  std::condition_variable keepalive_cv_;
  bool stopping_ = false;
  std::atomic<bool> exited_{false};
};

} // namespace

std::unique_ptr<browser_instance>
launch_webdriver_browser(const launcher_config& settings, browser_engine engine,
                         const std::string& binary, const std::string& page_url,
                         const std::vector<std::string>& extra_args,
                         browser_instance::exit_handler on_exit,
                         std::string& error) {
  auto peer = parse_http_url(settings.webdriver_url, error);
  if (!peer)
    return nullptr;
  auto launch = make_bridge_token();
  return std::make_unique<webdriver_browser>(
    std::move(*peer), grid_browser_name(to_string(engine), engine),
    webdriver_new_session_body(engine, binary, extra_args, launch), launch,
    settings, page_url, std::move(on_exit));
}

} // namespace webaccel
