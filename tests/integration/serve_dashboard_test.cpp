// serve's /dashboard in a real headless Chromium (driven over WebDriver by
// chromedriver, from Python's http.client): the page connects its
// WebSocket, shows the browsers, models and totals, and its numbers change
// under load; two screenshots show it.

#include <future>
#include <regex>

#include <nlohmann/json.hpp>

#include <doctest/doctest.h>

#include "tests/support/cli_child.hpp"
#include "tests/support/process_census.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tests/support/serve_child.hpp"

using namespace webaccel;
using namespace webaccel::test;
using namespace std::chrono_literals;

namespace {

// Opens the dashboard, screenshots it, sends requests, waits until the
// page counts them, screenshots it again; prints one JSON line.
const char* dashboard_py = R"PY(
import base64, http.client, json, sys, time
driver, serve, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def wd(method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", driver, timeout=120)
    c.request(method, path, None if body is None else json.dumps(body), {"Content-Type": "application/json"})
    return json.loads(c.getresponse().read())["value"]
for _ in range(100):
    try:
        wd("GET", "/status"); break
    except OSError:
        time.sleep(0.1)
opts = {"binary": "/usr/bin/chromium", "args": ["--headless=new", "--no-sandbox", "--window-size=1200,900", "--user-data-dir=" + out + "/profile"]}
sid = wd("POST", "/session", {"capabilities": {"alwaysMatch": {"goog:chromeOptions": opts}}})["sessionId"]
def js(script):
    return wd("POST", f"/session/{sid}/execute/sync", {"script": script, "args": []})
def page():
    return js("""return {snapshots: Number(document.body.dataset.snapshots || 0), lag: Number(document.body.dataset.lagMs || -1),
      status: document.getElementById('status').className, requests: Number(document.getElementById('total-requests').textContent),
      browsers: document.querySelectorAll('#browsers tbody tr').length, models: document.getElementById('models').innerText}""")
def shot(name):
    open(out + "/" + name, "wb").write(base64.b64decode(wd("GET", f"/session/{sid}/screenshot")))
def until(cond, seconds):
    end = time.time() + seconds
    while time.time() < end:
        p = page()
        if cond(p): return p
        time.sleep(0.2)
    return page()
result = {}
try:
    wd("POST", f"/session/{sid}/url", {"url": f"http://127.0.0.1:{serve}/dashboard"})
    before = until(lambda p: p["status"] == "live" and p["snapshots"] >= 2 and p["browsers"] >= 1, 60)
    shot("before.png")
    body = json.dumps({"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": ["dashboard load"]}]})
    c = http.client.HTTPConnection("127.0.0.1", serve, timeout=120)
    for _ in range(30):
        c.request("POST", "/v2/models/tiny_bert/infer", body); c.getresponse().read()
    after = until(lambda p: p["requests"] >= before["requests"] + 30, 60)
    lags = []
    for _ in range(10):
        n = page()["snapshots"]
        p = until(lambda q: q["snapshots"] > n, 10)
        lags.append(p["lag"])
    shot("after.png")
    result = {"before": before, "after": after, "lags": lags}
finally:
    wd("DELETE", f"/session/{sid}")
print(json.dumps(result), flush=True)
)PY";

} // namespace

TEST_CASE("serve's /dashboard updates live in headless Chromium") {
  leaves_nothing_behind census;
  {
    scratch_dir dir{"dash"};
    auto log = dir.file("serve.log");
    std::promise<int> exited;
    auto serve = start_cli(
      {"serve", "--port", "0", "--model", "tiny_bert", "--dashboard-ms", "250"},
      log, dir.path().string(), {},
      [&](int status, std::string) { exited.set_value(status); });
    auto port = std::to_string(wait_until_ready(log));
    // The page and its script are served; the WebSocket path takes only an
    // upgrade.
    CHECK(run_capture("/usr/bin/curl",
                      {"-s", "-o", "/dev/null", "-w", "%{http_code}",
                       "http://127.0.0.1:" + port + "/dashboard"})
          == "200");
    CHECK(run_capture("/usr/bin/curl",
                      {"-s", "-o", "/dev/null", "-w", "%{http_code}",
                       "http://127.0.0.1:" + port + "/dashboard/dashboard.js"})
          == "200");
    auto driver_port = std::to_string(20000 + getpid() % 20000);
    process_options drv;
    drv.executable = "/usr/bin/chromedriver";
    drv.args = {"--port=" + driver_port};
    drv.env = {"TMPDIR=" + dir.path().string()};
    drv.log_file = dir.file("chromedriver.log");
    std::string error;
    auto driver = process::start(
      drv, [](int, std::string) {}, error);
    REQUIRE_MESSAGE(driver, error);
    std::ofstream{dir.file("dashboard.py")} << dashboard_py;
    auto out = run_capture("/usr/bin/python3",
                           {dir.file("dashboard.py"), driver_port, port,
                            dir.path().string()});
    INFO(out);
    auto line = out.substr(out.rfind('{', out.find("\"before\"")));
    auto result = nlohmann::json::parse(line, nullptr, false);
    REQUIRE(!result.is_discarded());
    auto& before = result["before"];
    auto& after = result["after"];
    CHECK(before["status"] == "live");
    CHECK(before["browsers"].get<int>() >= 1);
    CHECK(before["models"].get<std::string>().find("tiny_bert\tREADY")
          != std::string::npos);
    CHECK(after["requests"].get<int>() >= before["requests"].get<int>() + 30);
    std::vector<double> lags = result["lags"];
    std::sort(lags.begin(), lags.end());
    REQUIRE(lags.size() == 10);
    MESSAGE("dashboard: " << before["requests"] << " -> " << after["requests"]
                          << " requests; snapshot to screen p50 " << lags[5]
                          << " ms, max " << lags.back() << " ms");
    CHECK(lags.front() >= 0);
    // Two real screenshots, and they differ (the numbers changed).
    auto shot1 = read_text(dir.file("before.png"));
    auto shot2 = read_text(dir.file("after.png"));
    CHECK(shot1.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
    CHECK(shot2.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
    CHECK(shot1 != shot2);
    // The health bar is drawn in the "good" colour.
    auto colours = run_capture(
      "/usr/bin/python3",
      {std::string{WEBACCEL_TEST_DATA} + "/support/png_colours.py",
       dir.file("after.png"), "1a9c4b"});
    std::smatch m;
    REQUIRE(std::regex_search(colours, m, std::regex{R"(1a9c4b (\d+))"}));
    CHECK(std::stoi(m[1]) > 20);
    driver->stop();
    CHECK(terminate_and_wait(*serve, exited) == 0);
  }
  census.check();
}
