// `webaccel serve` as a real daemon, driven by clients that are not ours:
// curl and Python's http.client. Every endpoint, bad requests, the bearer
// token, and SIGTERM with requests in flight (each answered or refused
// with a status, none dropped), then exit 0 with nothing left behind.
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <future>
#include <regex>
#include <sstream>
#include <thread>

#include <doctest/doctest.h>

#include "config/sha256.hpp"
#include "tests/support/cli_child.hpp"
#include "tests/support/config_document.hpp"
#include "tests/support/process_census.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tests/support/serve_child.hpp"

using namespace webaccel;
using namespace webaccel::test;
using namespace std::chrono_literals;

namespace {

/// Node, as meson gives it to the integration tests.
std::string node_path() {
  auto* node = std::getenv("WEBACCEL_NODE");
  REQUIRE_MESSAGE(node != nullptr, "WEBACCEL_NODE names node");
  return node;
}

// The Python client: each check prints "ok NAME" or "FAIL NAME: why".
const char* client_py = R"PY(
import http.client, json, struct, sys, threading, time
port, token = int(sys.argv[1]), sys.argv[2]
auth = {"Authorization": "Bearer " + token}
def call(method, path, body=None, headers=None, conn=None):
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    c.request(method, path, body, headers if headers is not None else auth)
    r = c.getresponse()
    return r.status, r.getheaders(), r.read()
def check(name, cond, why=""):
    print(("ok " if cond else "FAIL ") + name + ("" if cond else ": " + str(why)))
s, _, b = call("GET", "/v2"); check("server metadata", s == 200 and json.loads(b)["name"] == "webaccel", b)
s, _, b = call("GET", "/v2/health/live", headers={}); check("live without a token", s == 200, s)
s, _, b = call("GET", "/v2/health/ready", headers={}); check("ready without a token", s == 200, s)
s, h, b = call("GET", "/v2", headers={}); check("no token: 401", s == 401 and dict(h).get("WWW-Authenticate") == "Bearer", s)
s, _, b = call("GET", "/v2", headers={"Authorization": "Bearer wrong"}); check("wrong token: 401", s == 401, s)
s, _, b = call("GET", "/v2/models/tiny_bert"); m = json.loads(b)
check("model metadata", s == 200 and m["inputs"][0]["datatype"] == "BYTES"
      and {"name": "sentence_embedding", "datatype": "FP32", "shape": [-1, 64]} in m["outputs"], b)
s, _, b = call("GET", "/v2/models/tiny_bert/ready"); check("model ready", s == 200, s)
req = {"id": "q1", "inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": ["a sentence to embed"]}],
       "outputs": [{"name": "sentence_embedding"}]}
s, _, b = call("POST", "/v2/models/tiny_bert/infer", json.dumps(req)); r = json.loads(b)
check("infer JSON", s == 200 and r["id"] == "q1" and r["outputs"][0]["name"] == "sentence_embedding"
      and len(r["outputs"][0]["data"]) == r["outputs"][0]["shape"][-1] * (r["outputs"][0]["shape"][0] if len(r["outputs"][0]["shape"]) > 1 else 1), b[:300])
check("provenance in parameters", r["parameters"]["browser"] == "chromium" and r["parameters"]["simulated"] is False, r.get("parameters"))
text = b"binary text input"
blob = struct.pack("<I", len(text)) + text
head = json.dumps({"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "parameters": {"binary_data_size": len(blob)}}],
                   "outputs": [{"name": "sentence_embedding", "parameters": {"binary_data": True}}]}).encode()
hdr = dict(auth); hdr["Inference-Header-Content-Length"] = str(len(head)); hdr["Content-Type"] = "application/octet-stream"
s, h, b = call("POST", "/v2/models/tiny_bert/infer", head + blob, hdr)
n = int(dict(h).get("Inference-Header-Content-Length", "0")); jr = json.loads(b[:n]) if n else {}
size = jr.get("outputs", [{}])[0].get("parameters", {}).get("binary_data_size", -1)
check("infer binary both ways", s == 200 and n > 0 and size == len(b) - n and size % 4 == 0, (s, h, b[:200]))
s, _, b = call("GET", "/v2/models/tiny_bert/stats"); st = json.loads(b)["model_stats"][0]
check("stats", s == 200 and st["inference_stats"]["success"]["count"] >= 2, b)
s, _, b = call("POST", "/v2/repository/index"); idx = {x["name"]: x["state"] for x in json.loads(b)}
check("repository index", s == 200 and idx.get("tiny_bert") == "READY" and idx.get("silero_vad_v5") == "UNLOADED", b)
s, _, b = call("POST", "/v2/models/tiny_bert/infer", "{not json"); check("malformed JSON: 400", s == 400 and b"not valid JSON" in b, b)
deep = '{"inputs":[{"name":"text","shape":[1],"datatype":"BYTES","data":' + "[" * 200000 + '"x"' + "]" * 200000 + "}]}"
s, _, b = call("POST", "/v2/models/tiny_bert/infer", deep); check("nested 200,000 deep: 400", s == 400 and b"nested deeper than 64 levels" in b, b[:300])
s, _, b = call("POST", "/v2/models/tiny_bert/infer", json.dumps(req)); check("served after the nested request", s == 200, b[:300])
dup = {"inputs": [req["inputs"][0], req["inputs"][0]]}
s, _, b = call("POST", "/v2/models/tiny_bert/infer", json.dumps(dup)); check("an input twice: 400", s == 400 and b"given twice" in b, b)
bad = {"inputs": [{"name": "text", "shape": [1], "datatype": "FP64", "data": [1.0]}]}
s, _, b = call("POST", "/v2/models/tiny_bert/infer", json.dumps(bad)); check("wrong datatype: 400", s == 400 and b"FP64" in b, b)
bad = {"inputs": [{"name": "text", "shape": [3], "datatype": "BYTES", "data": ["x"]}]}
s, _, b = call("POST", "/v2/models/tiny_bert/infer", json.dumps(bad)); check("wrong shape: 400", s == 400 and b"shape [3]" in b, b)
s, _, b = call("POST", "/v2/models/nope/infer", json.dumps(req)); check("unknown model: 404", s == 404 and b"no model 'nope'" in b, b)
s, _, b = call("GET", "/v2/models/nope"); check("unknown model's metadata: 404", s == 404, b)
s, _, b = call("GET", "/v2/models/tiny_bert/versions/2"); check("unknown version: 404", s == 404 and b"no version '2'" in b, b)
s, _, b = call("GET", "/v2/models/tiny_bert/versions/1"); check("version 1", s == 200 and json.loads(b)["name"] == "tiny_bert", b)
s, _, b = call("GET", "/v2/"); check("server metadata at /v2/", s == 200 and json.loads(b)["name"] == "webaccel", b)
bad = {"inputs": [{"name": "input", "shape": [1], "datatype": "BYTES", "data": ["x"]}]}
s, _, b = call("POST", "/v2/models/tiny_bert/infer", json.dumps(bad)); check("unknown input: 400", s == 400 and b"input 'input' is not one model 'tiny_bert' takes" in b, b)
bad = {"inputs": [{"name": "input_ids", "shape": [1, 2], "datatype": "INT64", "data": [101, 102]}]}
s, _, b = call("POST", "/v2/models/tiny_bert/infer", json.dumps(bad)); check("missing input: 400", s == 400 and b"needs inputs 'attention_mask', 'token_type_ids'" in b, b)
s, _, b = call("GET", "/v2/models/tiny_bert/config"); c = json.loads(b)
check("Triton model config", s == 200 and c["max_batch_size"] == 32 and c["dynamic_batching"]["max_queue_delay_microseconds"] == 2000
      and c["input"][0]["data_type"] == "TYPE_STRING", b)
s, _, b = call("GET", "/v2/models/stats"); names = [m["name"] for m in json.loads(b)["model_stats"]]
check("every model's stats", s == 200 and "tiny_bert" in names and "silero_vad_v5" in names, b)
s, _, b = call("POST", "/v2/models/tiny_bert/infer", b"x" * (2 << 20)); check("oversized body: 413", s == 413, s)
s, _, b = call("POST", "/v2/repository/models/silero_vad_v5/load"); check("load", s == 200, b)
s, _, b = call("GET", "/v2/models/silero_vad_v5/ready"); check("loaded is ready", s == 200, s)
s, _, b = call("POST", "/v2/repository/models/silero_vad_v5/unload"); check("unload", s == 200, b)
s, _, b = call("GET", "/v2/models/silero_vad_v5/ready"); check("unloaded is not ready", s == 400, s)
sys.stdout.flush()
)PY";

// Clients on keep-alive connections that send until refused.
const char* load_py = R"PY(
import http.client, json, sys, threading
port, token, clients = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
req = json.dumps({"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": ["under load"]}]})
lock = threading.Lock(); tally = {"sent": 0, "ok": 0, "refused": 0, "other": 0, "dropped": 0}
started = threading.Barrier(clients + 1)
def client():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    first = True
    while True:
        try:
            c.request("POST", "/v2/models/tiny_bert/infer", req, {"Authorization": "Bearer " + token})
        except OSError:
            break  # Closed before this one was sent: nothing was lost.
        with lock: tally["sent"] += 1
        try:
            r = c.getresponse(); r.read()
        except (http.client.HTTPException, OSError):
            with lock: tally["dropped"] += 1
            break
        if first:
            first = False; started.wait()
        with lock:
            key = "ok" if r.status == 200 else "refused" if r.status == 503 else "other"
            tally[key] += 1
        if r.status != 200 or r.getheader("Connection", "").lower() == "close":
            break
ts = [threading.Thread(target=client) for _ in range(clients)]
for t in ts: t.start()
started.wait()
print("running", flush=True)
for t in ts: t.join()
print(json.dumps(tally), flush=True)
)PY";

} // namespace

TEST_CASE("webaccel serve answers every endpoint to curl and Python's "
          "http.client, refuses bad requests with a status, and drains on "
          "SIGTERM") {
  leaves_nothing_behind census;
  {
    scratch_dir dir{"srv"};
    auto log = dir.file("serve.log");
    std::promise<int> exited;
    auto child
      = start_cli({"serve", "--port", "0", "--model", "tiny_bert", "--token",
                   "t0ken", "--max-body-mb", "1"},
                  log, dir.path().string(), {},
                  [&](int status, std::string) { exited.set_value(status); });
    auto port = std::to_string(wait_until_ready(log));
    auto base = "http://127.0.0.1:" + port;
    // curl, with and without the token.
    CHECK(
      run_capture("/usr/bin/curl", {"-s", "-o", "/dev/null", "-w",
                                    "%{http_code}", base + "/v2/health/ready"})
      == "200");
    CHECK(run_capture("/usr/bin/curl", {"-s", "-o", "/dev/null", "-w",
                                        "%{http_code}", base + "/v2"})
          == "401");
    auto infer = run_capture(
      "/usr/bin/curl",
      {"-s", "-H", "Authorization: Bearer t0ken", "-X", "POST", "-d",
       R"({"inputs":[{"name":"text","shape":[1],"datatype":"BYTES","data":["curl"]}]})",
       base + "/v2/models/tiny_bert/infer"});
    CHECK(infer.find("\"model_name\":\"tiny_bert\"") != std::string::npos);
    CHECK(infer.find("\"platform\":") != std::string::npos);
    // Python's http.client: every endpoint and the bad requests.
    std::ofstream{dir.file("client.py")} << client_py;
    auto out = run_capture("/usr/bin/python3",
                           {dir.file("client.py"), port, "t0ken"});
    INFO(out);
    CHECK(out.find("FAIL") == std::string::npos);
    CHECK(out.find("ok unloaded is not ready") != std::string::npos);
    // The REST surface against the protocol's own OpenAPI document.
    // (Through sh, so that its lines come back when it exits 1.)
    auto openapi = run_capture(
      "/bin/sh",
      {"-c", "\"$0\" \"$@\" 2>&1; echo \"exit $?\"", node_path(),
       std::string{WEBACCEL_TEST_DATA} + "/reference/oip_openapi_check.mjs",
       port, "t0ken", "tiny_bert"});
    INFO(openapi);
    CHECK(openapi.find("exit 0") != std::string::npos);
    CHECK(openapi.find("FAIL") == std::string::npos);
    CHECK(openapi.find("ok inference: 200 is valid by the document")
          != std::string::npos);
    // SIGTERM under load: every request sent is answered or refused.
    std::ofstream{dir.file("load.py")} << load_py;
    process_options py;
    py.executable = "/usr/bin/python3";
    py.args = {dir.file("load.py"), port, "t0ken", "8"};
    py.log_file = dir.file("load.log");
    std::string error;
    auto load = process::start(
      py, [](int, std::string) {}, error);
    REQUIRE_MESSAGE(load, error);
    auto until = std::chrono::steady_clock::now() + 120s;
    while (read_text(dir.file("load.log")).find("running") == std::string::npos
           && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(100ms);
    std::this_thread::sleep_for(1s);
    REQUIRE(kill(child->pid(), SIGTERM) == 0);
    auto status = exited.get_future();
    REQUIRE(status.wait_for(120s) == std::future_status::ready);
    auto code = status.get();
    CHECK(WIFEXITED(code));
    CHECK(WEXITSTATUS(code) == 0);
    auto served = read_text(log);
    CHECK(served.find("SIGTERM, draining") != std::string::npos);
    CHECK(served.find("webaccel serve: stopped") != std::string::npos);
    while (load->running() && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(100ms);
    auto tally_text = read_text(dir.file("load.log"));
    INFO(tally_text);
    std::smatch m;
    REQUIRE(std::regex_search(tally_text, m,
                              std::regex{R"(\{"sent": (\d+), "ok": (\d+), )"
                                         R"("refused": (\d+), "other": )"
                                         R"((\d+), "dropped": (\d+)\})"}));
    auto sent = std::stoi(m[1]), ok = std::stoi(m[2]),
         refused = std::stoi(m[3]), other = std::stoi(m[4]),
         dropped = std::stoi(m[5]);
    MESSAGE(sent << " sent under SIGTERM: " << ok << " answered, " << refused
                 << " refused with 503");
    CHECK(ok > 0);
    CHECK(dropped == 0);
    CHECK(other == 0);
    CHECK(ok + refused == sent);
    load->stop();
    child->stop();
  }
  census.check();
}

TEST_CASE("serve's readiness follows loads, unloads and failed loads, and "
          "names what it waits for") {
  leaves_nothing_behind census;
  {
    scratch_dir dir{"rdy"};
    // A model whose file is no ONNX model: its load fails in the page.
    auto junk = dir.file("junk.onnx");
    std::ofstream{junk} << std::string(1024, 'x');
    auto doc = default_config_document();
    doc["models"].push_back({{"name", "broken"},
                             {"family", "text_embedding"},
                             {"inputs", {"input_ids"}},
                             {"outputs", {"y"}},
                             {"variants",
                              {{{"precision", "fp32"},
                                {"file",
                                 {{"path", junk},
                                  {"sha256", *sha256_file_hex(junk)},
                                  {"size_bytes", 1024}}}}}}});
    auto config = dir.file("config.json");
    std::ofstream{config} << doc.dump(2);
    auto log = dir.file("serve.log");
    std::promise<int> exited;
    auto child = start_cli(
      {"serve", "--config", config, "--port", "0", "--model", "tiny_bert"}, log,
      dir.path().string(), {},
      [&](int status, std::string) { exited.set_value(status); });
    auto base = "http://127.0.0.1:" + std::to_string(wait_until_ready(log));
    // "STATUS BODY" of one request.
    auto call = [&](const std::string& method, const std::string& path) {
      return run_capture("/usr/bin/curl", {"-s", "-X", method, "-w",
                                           " %{http_code}", base + path});
    };
    auto status = [](const std::string& answer) {
      return answer.substr(answer.rfind(' ') + 1);
    };
    CHECK(status(call("GET", "/v2/health/ready")) == "200");
    // A failed load: the model is unavailable, with its reason, and the
    // server is not ready while it is asked for.
    auto load = call("POST", "/v2/repository/models/broken/load");
    INFO(load);
    CHECK(status(load) != "200");
    CHECK(status(call("GET", "/v2/models/broken/ready")) == "400");
    auto waiting = call("GET", "/v2/health/ready");
    INFO(waiting);
    CHECK(status(waiting) == "503");
    CHECK(waiting.find(R"("name":"broken","reason":)") != std::string::npos);
    CHECK(waiting.find(R"("state":"UNAVAILABLE")") != std::string::npos);
    auto index = call("POST", "/v2/repository/index");
    CHECK(index.find(R"("name":"broken","reason":)") != std::string::npos);
    // Unloaded, it is no longer asked for.
    CHECK(status(call("POST", "/v2/repository/models/broken/unload")) == "200");
    CHECK(status(call("GET", "/v2/health/ready")) == "200");
    // Unload and load again.
    CHECK(status(call("POST", "/v2/repository/models/tiny_bert/unload"))
          == "200");
    CHECK(status(call("GET", "/v2/models/tiny_bert/ready")) == "400");
    CHECK(status(call("POST", "/v2/repository/models/tiny_bert/load"))
          == "200");
    CHECK(status(call("GET", "/v2/models/tiny_bert/ready")) == "200");
    CHECK(status(call("GET", "/v2/health/ready")) == "200");
    CHECK(terminate_and_wait(*child, exited) == 0);
  }
  census.check();
}

TEST_CASE("serve over HTTPS: curl trusts it with --cacert, and refuses it "
          "without") {
  leaves_nothing_behind census;
  {
    scratch_dir dir{"tls"};
    auto cert = dir.file("cert.pem");
    auto key = dir.file("key.pem");
    run_capture("/usr/bin/openssl",
                {"req", "-x509", "-newkey", "ec", "-pkeyopt",
                 "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out",
                 cert, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                 "subjectAltName=IP:127.0.0.1"});
    auto log = dir.file("serve.log");
    std::promise<int> exited;
    auto child
      = start_cli({"serve", "--port", "0", "--model", "", "--tls-cert", cert,
                   "--tls-key", key},
                  log, dir.path().string(), {},
                  [&](int status, std::string) { exited.set_value(status); });
    auto port = std::to_string(wait_until_ready(log));
    CHECK(read_text(log).find("listening on https://127.0.0.1:")
          != std::string::npos);
    auto base = "https://127.0.0.1:" + port;
    auto code = [&](std::vector<std::string> args) {
      std::string error;
      args.insert(args.begin(),
                  {"-s", "-o", "/dev/null", "-w", "%{http_code}"});
      auto out = capture_output("/usr/bin/curl", args, 60s, error);
      return out ? *out : "curl failed: " + error;
    };
    CHECK(code({"--cacert", cert, base + "/v2/health/ready"}) == "200");
    auto config = run_capture("/usr/bin/curl",
                              {"-s", "--cacert", cert,
                               base + "/v2/models/tiny_bert/config"});
    CHECK(config.find(R"("max_batch_size":32)") != std::string::npos);
    // Without the CA, curl does not trust it (exit 60); plain HTTP to the
    // TLS port gets no HTTP answer.
    CHECK(code({base + "/v2/health/ready"}).find("exited with code 60")
          != std::string::npos);
    CHECK(code({"http://127.0.0.1:" + port + "/v2/health/ready"})
            .rfind("curl failed", 0)
          == 0);
    // It still serves after both.
    CHECK(code({"--cacert", cert, base + "/v2"}) == "200");
    CHECK(terminate_and_wait(*child, exited) == 0);
  }
  census.check();
}
