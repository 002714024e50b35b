// How browsers are found and started, without starting one: executable
// lookup, version banners, launch profiles and the WebDriver protocol.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "transport/browser/browser_detection.hpp"
#include "transport/browser/launch_profiles.hpp"
#include "transport/browser/process.hpp"
#include "transport/browser/process_memory.hpp"
#include "transport/browser/webdriver_launcher.hpp"
#include "transport/net/http_client.hpp"

using namespace webaccel;

namespace {

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

} // namespace

TEST_CASE("versions are read from the banners browsers print") {
  CHECK(version_from_banner("Mozilla Firefox 153.7.0esr\n") == "153.7.0esr");
  CHECK(
    version_from_banner(
      "/usr/bin/chromium: 9: [: 2527: unexpected operator\nChromium 156.0.8078.79 built on Debian GNU/Linux 12\n")
    == "156.0.8078.79");
  CHECK(version_from_banner("Microsoft Edge 131.0.2903.70 beta")
        == "131.0.2903.70");
  CHECK(version_from_banner("no version here") == "");
}

TEST_CASE("browser kinds are known by name and found, or not, with a reason") {
  REQUIRE(find_browser_kind("firefox") != nullptr);
  CHECK(find_browser_kind("firefox")->engine == browser_engine::firefox);
  CHECK(find_browser_kind("edge")->engine == browser_engine::chromium);
  CHECK(find_browser_kind("opera") == nullptr);
  std::string error;
  CHECK_FALSE(detect_browser("chromium", "/nonexistent/chromium", error));
  CHECK(error
        == "configured chromium executable '/nonexistent/chromium' is not "
           "executable");
  CHECK_FALSE(detect_browser("opera", "", error));
  CHECK(error == "unknown browser kind 'opera'");
  SUBCASE("an executable that prints no version is not taken for a browser") {
    auto dir = make_scratch_dir("detect-test-", error);
    REQUIRE(!dir.empty());
    auto script = dir + "/not-a-browser";
    std::ofstream{script} << "#!/bin/sh\necho hello\n";
    std::filesystem::permissions(script, std::filesystem::perms::owner_all);
    CHECK_FALSE(detect_browser("chromium", script, error));
    CHECK(error == script + " --version printed no version: hello\n");
    std::filesystem::remove_all(dir);
  }
  SUBCASE("one that fails is reported with how it failed") {
    CHECK_FALSE(detect_browser("chromium", "/bin/false", error));
    CHECK(error
          == "/bin/false --version failed: /bin/false exited with code 1");
  }
}

TEST_CASE("launch profiles: Chromium flags, Firefox prefs and environment") {
  auto flags = chromium_flags("/p", "http://x/", {"--extra"});
  CHECK(contains(flags, "--headless"));
  CHECK(contains(flags, "--enable-unsafe-webgpu"));
  CHECK(contains(flags, "--disable-background-networking"));
  CHECK(contains(flags, "--user-data-dir=/p"));
  CHECK(flags.back() == "http://x/");
  CHECK(flags[flags.size() - 2] == "--extra");
  auto args = firefox_args("/p", "http://x/", {});
  CHECK(args
        == std::vector<std::string>{"--headless", "--no-remote", "--profile",
                                    "/p", "http://x/"});
  auto prefs = firefox_user_prefs();
  CHECK(prefs.find(R"(user_pref("dom.webgpu.enabled", true);)")
        != std::string::npos);
  CHECK(prefs.find(R"(user_pref("gfx.webgpu.ignore-blocklist", true);)")
        != std::string::npos);
  CHECK(prefs.find(R"(user_pref("app.normandy.enabled", false);)")
        != std::string::npos);
  auto env = browser_environment(browser_engine::firefox, "/p",
                                 "/usr/lib/chromium/vk_swiftshader_icd.json");
  CHECK(contains(env, "VK_ICD_FILENAMES=/usr/lib/chromium/"
                      "vk_swiftshader_icd.json"));
  CHECK(contains(env, "LD_LIBRARY_PATH=/usr/lib/chromium"));
  CHECK(contains(env, "XDG_CACHE_HOME=/p/cache"));
  CHECK(contains(env, "TMPDIR=/p/tmp"));
  auto chromium_env = browser_environment(browser_engine::chromium, "/p", "");
  CHECK(contains(chromium_env, "TMPDIR=/p/tmp"));
  CHECK_FALSE(contains(chromium_env, "MOZ_CRASHREPORTER_DISABLE=1"));
}

TEST_CASE("Firefox gets its user.js written into the profile") {
  std::string error;
  auto dir = make_scratch_dir("launch-test-", error);
  REQUIRE(!dir.empty());
  installed_browser ff{"firefox", browser_engine::firefox, "/usr/bin/firefox",
                       "1.0"};
  auto opts = local_launch_options(ff, dir, "http://x/", {}, error);
  CHECK(error.empty());
  CHECK(opts.scratch_dir == dir);
  std::ifstream prefs{dir + "/user.js"};
  std::string text{std::istreambuf_iterator<char>{prefs}, {}};
  CHECK(text == firefox_user_prefs());
  std::filesystem::remove_all(dir);
}

TEST_CASE("a Chromium profile too deep for its singleton socket is refused "
          "with the fix") {
  std::string error;
  auto dir = make_scratch_dir("launch-test-", error);
  REQUIRE(!dir.empty());
  auto deep = dir + "/" + std::string(40, 'd');
  installed_browser cr{"chromium", browser_engine::chromium,
                       "/usr/bin/chromium", "1.0"};
  local_launch_options(cr, deep, "http://x/", {}, error);
  CHECK(error.find("set TMPDIR to a shorter directory") != std::string::npos);
  error.clear();
  local_launch_options(cr, dir, "http://x/", {}, error);
  CHECK(error.empty());
  std::filesystem::remove_all(dir);
}

TEST_CASE("WebDriver: new-session bodies and replies") {
  auto body = nlohmann::json::parse(webdriver_new_session_body(
    browser_engine::chromium, "/usr/lib/chromium/chromium", {}));
  auto& match = body["capabilities"]["alwaysMatch"];
  CHECK(match["browserName"] == "chrome");
  CHECK(match["goog:chromeOptions"]["binary"] == "/usr/lib/chromium/chromium");
  auto args
    = match["goog:chromeOptions"]["args"].get<std::vector<std::string>>();
  CHECK(contains(args, "--headless"));
  CHECK(contains(args, "--enable-unsafe-webgpu"));
  for (auto& a : args)
    CHECK(a.rfind("--user-data-dir", 0) != 0);
  CHECK(match["webaccel:owner"]["pid"] == getpid());
  auto ff = nlohmann::json::parse(
    webdriver_new_session_body(browser_engine::firefox, "", {}));
  CHECK(ff["capabilities"]["alwaysMatch"]["moz:firefoxOptions"]["prefs"]
          ["dom.webgpu.enabled"]
        == true);
  CHECK_FALSE(
    ff["capabilities"]["alwaysMatch"]["moz:firefoxOptions"].contains("binary"));
  std::string error;
  CHECK(webdriver_session_id(
          200, R"({"value":{"sessionId":"abc","capabilities":{}}})", error)
        == std::optional<std::string>{"abc"});
  CHECK_FALSE(webdriver_session_id(
    500,
    R"({"value":{"error":"session not created","message":"no chrome binary"}})",
    error));
  CHECK(error == "HTTP 500: session not created: no chrome binary");
  CHECK_FALSE(webdriver_session_id(200, "<html>", error));
  CHECK(error == "HTTP 200 without a session id: <html>");
}

TEST_CASE("WebDriver: Firefox's capabilities for a Grid (geckodriver is not "
          "on these machines, so only the request is checked)") {
  auto body = nlohmann::json::parse(webdriver_new_session_body(
    browser_engine::firefox, "/usr/lib/firefox-esr/firefox-esr",
    {"-width", "800"}, "a1b2"));
  REQUIRE(body["capabilities"].size() == 1); // alwaysMatch only
  auto& match = body["capabilities"]["alwaysMatch"];
  // What a Grid matches on: the W3C name, and Firefox's own options.
  CHECK(match["browserName"] == "firefox");
  CHECK_FALSE(match.contains("goog:chromeOptions"));
  auto& options = match["moz:firefoxOptions"];
  CHECK(options["binary"] == "/usr/lib/firefox-esr/firefox-esr");
  CHECK(options["args"].get<std::vector<std::string>>()
        == std::vector<std::string>{"-headless", "-width", "800"});
  // WebGPU on (ESR hides it behind prefs), updates and telemetry off.
  CHECK(options["prefs"]["dom.webgpu.enabled"] == true);
  CHECK(options["prefs"]["gfx.webgpu.ignore-blocklist"] == true);
  CHECK(options["prefs"]["app.update.enabled"] == false);
  CHECK(options["prefs"]["toolkit.telemetry.enabled"] == false);
  // Whose it is, down to the launch, for the orphan sweep.
  CHECK(match["webaccel:owner"]["pid"] == getpid());
  CHECK(match["webaccel:owner"]["launch"] == "a1b2");
}

TEST_CASE("http URLs of WebDriver remote ends") {
  std::string error;
  auto a = parse_http_url("http://127.0.0.1:9515", error);
  REQUIRE(a);
  CHECK(a->host == "127.0.0.1");
  CHECK(a->port == "9515");
  CHECK(a->base_path == "");
  auto b = parse_http_url("http://grid:4444/wd/hub/", error);
  REQUIRE(b);
  CHECK(b->base_path == "/wd/hub");
  CHECK(b->port == "4444");
  CHECK_FALSE(parse_http_url("https://grid", error));
  CHECK_FALSE(parse_http_url("http://grid:abc", error));
  CHECK(error == "'http://grid:abc' has no valid host:port");
  SUBCASE("an unreachable remote end is an error, not a hang") {
    auto dead = parse_http_url("http://127.0.0.1:9", error);
    CHECK_FALSE(http_json_request(*dead, "GET", "/status", "",
                                  std::chrono::milliseconds{2000}, error));
    CHECK(error.find("GET http://127.0.0.1:9/status") == 0);
  }
}

TEST_CASE("memory of a process group is measured from /proc") {
  CHECK(process_memory_bytes(getpid()) > 0);
  CHECK(process_memory_bytes(0x7ffffff0) == 0);
  auto members = process_group_members(getpgrp());
  CHECK(members.count(getpid()) == 1);
  CHECK(process_group_memory_bytes(getpgrp())
        >= process_memory_bytes(getpid()));
}

TEST_CASE("scratch dirs of dead runtimes are swept, live ones kept") {
  std::string error;
  auto mine = make_scratch_dir("sweep-test-", error);
  REQUIRE(!mine.empty());
  auto stale = make_scratch_dir("sweep-test-", error);
  REQUIRE(!stale.empty());
  {
    // Owned by a pid that cannot exist.
    std::ofstream owner{stale + "/.webaccel-owner"};
    owner << "2147483000 12345";
  }
  CHECK(remove_stale_scratch_dirs() >= 1);
  CHECK(std::filesystem::exists(mine));
  CHECK_FALSE(std::filesystem::exists(stale));
  std::filesystem::remove_all(mine);
}
