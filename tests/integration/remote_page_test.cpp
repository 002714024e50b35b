// A page on another machine: Chromium in a network namespace of its own
// loads the worker page from the head, in a second namespace, across a
// veth pair. Over plain http that origin is not a secure context and
// WebGPU is gone, with the reason said; over HTTPS, with the head's
// generated certificate trusted by its key's hash alone, WebGPU is back.
#include <filesystem>
#include <fstream>
#include <future>

#include <nlohmann/json.hpp>

#include <doctest/doctest.h>

#include "tests/support/cli_child.hpp"
#include "tests/support/config_document.hpp"
#include "tests/support/process_census.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tests/support/serve_child.hpp"
#include "tests/support/veth_namespaces.hpp"

using namespace webaccel;
using namespace webaccel::test;
using json = nlohmann::json;

namespace {

/// `webaccel doctor --json` run in the head's namespace, its Chromium in
/// the remote one; the report's chromium entry.
json doctor_across(const veth_namespaces& net, const scratch_dir& dir,
                   bool tls) {
  auto chromium = std::getenv("WEBACCEL_CHROMIUM");
  REQUIRE_MESSAGE(chromium, "WEBACCEL_CHROMIUM names Chromium");
  // The browser is started through this wrapper, in the other namespace.
  auto wrapper = dir.file("chromium-in-remote");
  std::ofstream{wrapper} << "#!/bin/sh\nexec " << veth_namespaces::ip_path()
                         << " netns exec " << net.remote() << " " << chromium
                         << " \"$@\"\n";
  std::filesystem::permissions(wrapper, std::filesystem::perms::owner_all);
  auto doc = default_config_document();
  doc["log_level"] = "warn";
  doc["server"] = {{"host", net.head_address()}};
  if (tls)
    doc["server"]["tls"] = {{"generate", true}};
  doc["browsers"] = {{"chromium", {{"executable", wrapper}}}};
  auto config = dir.file(tls ? "https.json" : "http.json");
  std::ofstream{config} << doc.dump(2);

  auto log = dir.file(tls ? "https.log" : "http.log");
  auto out = dir.file(tls ? "https.out" : "http.out");
  std::promise<int> exited;
  auto done = exited.get_future();
  process_options opts;
  opts.executable = "/bin/sh";
  opts.args = {"-c", veth_namespaces::ip_path() + " netns exec " + net.head()
                       + " " + cli() + " doctor --json --config " + config
                       + " > " + out};
  opts.log_file = log;
  opts.env = {"TMPDIR=" + dir.file("t")};
  std::filesystem::create_directories(dir.file("t"));
  std::string error;
  auto p = process::start(
    opts,
    [&exited](int status, std::string) {
      exited.set_value(WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    },
    error);
  REQUIRE_MESSAGE(p, error);
  REQUIRE_MESSAGE(done.wait_for(std::chrono::seconds{180})
                    == std::future_status::ready,
                  "doctor did not finish: " << read_text(log));
  auto rc = done.get();
  p->stop();
  INFO("doctor's stderr: " << read_text(log));
  INFO("doctor's report: " << read_text(out));
  REQUIRE(rc == 0);
  auto report = json::parse(read_text(out));
  for (auto& b : report["browsers"])
    if (b["kind"] == "chromium")
      return b;
  FAIL("no chromium in the report: " << report.dump());
  return {};
}

} // namespace

TEST_CASE("a page from another machine has WebGPU over HTTPS, and over plain "
          "http says it is not a secure context") {
  leaves_nothing_behind census;
  {
    veth_namespaces net;
    scratch_dir dir{"rp"}; // Short: Chromium's socket path is limited.

    auto plain = doctor_across(net, dir, false);
    INFO("over http: " << plain.dump());
    REQUIRE_FALSE(plain.contains("error"));
    auto gpu = plain["platforms"]["webgpu"];
    CHECK_FALSE(gpu["available"].get<bool>());
    auto reason = gpu["reason"].get<std::string>();
    auto expected = "navigator.gpu is undefined: the page is not a secure "
                    "context (http://"
                    + net.head_address() + ":";
    CHECK(reason.rfind(expected, 0) == 0);
    CHECK(reason.find("; serve it over https)") != std::string::npos);
    CHECK(plain["platforms"]["webnn"]["reason"].get<std::string>().find(
            "not a secure context")
          != std::string::npos);
    // WASM still works there, without threads (no cross-origin isolation).
    CHECK(plain["platforms"]["wasm"]["available"].get<bool>());
    CHECK_FALSE(plain["platforms"]["wasm"]["threads"].get<bool>());

    auto secure = doctor_across(net, dir, true);
    INFO("over https: " << secure.dump());
    REQUIRE_FALSE(secure.contains("error"));
    CHECK(secure["platforms"]["webgpu"]["available"].get<bool>());
    CHECK(secure["platforms"]["wasm"]["threads"].get<bool>());
  }
  census.check();
}
