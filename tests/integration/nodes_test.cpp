// webaccel nodes for real: a head (`webaccel serve --no-browsers
// --node-port`) in a network namespace of its own and two `webaccel node`
// processes, each in its own namespace across a veth pair, with Chromium
// there. Python's http.client loads the head; one node is killed -9 under
// that load, and every request is answered once, correctly, by the other
// node. The killed node comes back and rejoins; the other is cut off (its
// link taken down, no close), found lost by the heartbeat, and rejoins
// once the link is back. A node with the wrong secret is refused.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include <doctest/doctest.h>

#include "tests/support/cli_child.hpp"
#include "tests/support/config_document.hpp"
#include "tests/support/process_census.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tests/support/serve_child.hpp"
#include "tests/support/star_namespaces.hpp"
#include "transport/browser/proc_table.hpp"

using namespace webaccel;
using namespace webaccel::test;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

constexpr int node_port = 7700;

// Loads the head from its namespace: `threads` clients send requests with
// ids of their own for `run_s` seconds. After `kill_s` seconds it kills -9
// the node that answers (its process group, from `pgids`), and goes on.
// Prints one JSON object: what was sent, answered, by which node, and any
// answer that differs from the first for the same text.
const char* load_py = R"PY(
import http.client, json, os, signal, sys, threading, time
port, threads, kill_s, run_s = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
pgids = json.loads(sys.argv[5])
texts = ["the first of four texts", "a second one", "number three", "and the fourth"]
lock = threading.Lock()
out = {"sent": 0, "ok": 0, "errors": [], "before": {}, "after": {}, "killed": "",
       "mismatch": 0, "answers": {}, "recovery_ms": None}
first = {}
killed_at = [None]
last_node = [None]
start = time.time()
def client(t):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=180)
    i = 0
    while time.time() - start < run_s:
        rid = "c%d-%d" % (t, i); text = texts[i % 4]; i += 1
        body = json.dumps({"id": rid, "inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": [text]}]})
        with lock: out["sent"] += 1
        try:
            c.request("POST", "/v2/models/tiny_bert/infer", body, {"Content-Type": "application/json"})
            r = c.getresponse(); b = r.read()
        except Exception as e:
            with lock: out["errors"].append(rid + ": " + repr(e))
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=180)
            continue
        with lock:
            out["answers"][rid] = out["answers"].get(rid, 0) + 1
            if r.status != 200:
                out["errors"].append("%s: %d %s" % (rid, r.status, b[:300]))
                continue
            doc = json.loads(b)
            node = doc["parameters"]["node"]
            data = doc["outputs"][0]["data"]
            if doc["id"] != rid: out["errors"].append(rid + ": answered as " + doc["id"])
            if text not in first: first[text] = data
            elif max(abs(a - b) for a, b in zip(first[text], data)) > 1e-3: out["mismatch"] += 1
            out["ok"] += 1
            side = "after" if killed_at[0] else "before"
            out[side][node] = out[side].get(node, 0) + 1
            last_node[0] = node
            if killed_at[0] and out["recovery_ms"] is None and node != out["killed"]:
                out["recovery_ms"] = round((time.time() - killed_at[0]) * 1000)
def killer():
    time.sleep(kill_s)
    with lock:
        victim = last_node[0]
        out["killed"] = victim
        killed_at[0] = time.time()
    os.killpg(pgids[victim], signal.SIGKILL)
ts = [threading.Thread(target=client, args=(t,)) for t in range(threads)]
k = threading.Thread(target=killer)
for t in ts: t.start()
k.start(); k.join()
for t in ts: t.join()
out["answered_once"] = all(n == 1 for n in out["answers"].values()) and len(out["answers"]) == out["sent"]
del out["answers"]
print(json.dumps(out))
)PY";

// One call to the head's API: prints the status and the body.
const char* call_py = R"PY(
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=300)
c.request(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)
r = c.getresponse()
print(r.status); print(r.read().decode())
)PY";

/// `cmd...` inside namespace `ns`, as a child process group.
std::unique_ptr<process> start_in(
  const std::string& ns, std::vector<std::string> args, const std::string& log,
  const std::string& tmp,
  process::exit_handler on_exit = [](int, std::string) {}) {
  process_options opts;
  opts.executable = ip_path();
  opts.args = {"netns", "exec", ns};
  opts.args.insert(opts.args.end(), args.begin(), args.end());
  opts.log_file = log;
  opts.env = {"TMPDIR=" + tmp};
  std::string error;
  auto p = process::start(opts, std::move(on_exit), error);
  REQUIRE_MESSAGE(p, error);
  return p;
}

/// Waits until `log` matches `pattern`.
void wait_for_log(const std::string& log, const std::string& pattern,
                  std::chrono::seconds limit = 180s) {
  std::regex re{pattern};
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (std::regex_search(read_text(log), re))
      return;
    std::this_thread::sleep_for(100ms);
  }
  FAIL("no '" << pattern << "' in " << log << ":\n" << read_text(log));
}

/// The process groups of `pid`'s descendants other than its own: the
/// browsers a node runs.
std::set<pid_t> descendant_groups(pid_t pid) {
  auto all = list_processes();
  std::map<pid_t, pid_t> parent;
  for (auto& p : all)
    parent[p.pid] = p.ppid;
  std::set<pid_t> out;
  for (auto& p : all) {
    for (auto up = p.ppid; up > 1; up = parent.count(up) ? parent[up] : 0)
      if (up == pid) {
        if (p.pgrp != pid)
          out.insert(p.pgrp);
        break;
      }
  }
  return out;
}

/// A node killed -9 leaves its browsers to us (process::start made this
/// test a subreaper): they die with it (PDEATHSIG), and we reap them.
void reap_groups(const std::set<pid_t>& groups) {
  auto until = std::chrono::steady_clock::now() + 60s;
  for (auto g : groups)
    while (std::chrono::steady_clock::now() < until) {
      kill(-g, SIGKILL);
      auto rc = waitpid(-g, nullptr, WNOHANG);
      if (rc < 0 && errno == ECHILD && kill(-g, 0) < 0 && errno == ESRCH)
        break;
      if (rc <= 0)
        std::this_thread::sleep_for(10ms);
    }
}

/// A webaccel daemon of the test: its process and how it ended.
struct daemon_child {
  std::unique_ptr<process> proc;
  std::shared_ptr<std::promise<int>> exited
    = std::make_shared<std::promise<int>>();

  process::exit_handler on_exit() {
    return [e = exited](int status, std::string) { e->set_value(status); };
  }

  /// SIGTERM, then its exit code (-1: it did not exit by itself in time).
  int stop() {
    if (!proc)
      return -1;
    kill(proc->pid(), SIGTERM);
    auto done = exited->get_future();
    auto code = done.wait_for(120s) == std::future_status::ready ? done.get()
                                                                 : -1;
    proc->stop();
    return code >= 0 && WIFEXITED(code) ? WEXITSTATUS(code) : -1;
  }
};

} // namespace

TEST_CASE("a head with no browsers of its own serves through two nodes in "
          "their own namespaces; a node killed under load loses no request, "
          "a node cut off is found lost, and both rejoin") {
  leaves_nothing_behind census;
  {
    scratch_dir dir{"nodes"};
    star_namespaces net{2};
    auto tmp = dir.path().string();
    auto secret = dir.file("secret");
    std::ofstream{secret} << "a secret shared by the head and its nodes\n";
    chmod(secret.c_str(), 0600);
    auto wrong = dir.file("wrong-secret");
    std::ofstream{wrong} << "another secret, not the head's one\n";
    chmod(wrong.c_str(), 0600);
    auto doc = default_config_document();
    doc["log_level"] = "info";
    doc["placement"] = {{"text_embedding", {"chromium"}}};
    doc["browsers"] = {{"chromium", {{"max_connections", 1}}}};
    // Fast enough for a test to see a silent link go.
    doc["nodes"]
      = {{"heartbeat_ms", 300}, {"timeout_ms", 1500}, {"host", "0.0.0.0"}};
    auto config = dir.file("config.json");
    std::ofstream{config} << doc.dump(2);

    auto head_log = dir.file("head.log");
    daemon_child head;
    head.proc
      = start_in(net.head(),
                 {cli(), "serve", "--config", config, "--port", "0", "--model",
                  "tiny_bert", "--no-browsers", "--node-port",
                  std::to_string(node_port), "--node-secret-file", secret},
                 head_log, tmp, head.on_exit());
    auto api = std::to_string(wait_until_listening(head_log));
    std::ofstream{dir.file("call.py")} << call_py;
    auto call = [&](const std::string& method, const std::string& path,
                    const std::string& body = "") {
      std::vector<std::string> args{
        "netns", "exec", net.head(), "/usr/bin/python3", dir.file("call.py"),
        api,     method, path};
      if (!body.empty())
        args.push_back(body);
      return run_capture(ip_path(), args);
    };

    std::vector<daemon_child> nodes(2);
    auto start_node = [&](size_t i) {
      auto name = "n" + std::to_string(i + 1);
      auto log = dir.file(name + ".log");
      nodes[i] = daemon_child{};
      nodes[i].proc = start_in(
        net.node(i),
        {cli(), "node", "--join",
         net.head_address(i) + ":" + std::to_string(node_port), "--name", name,
         "--config", config, "--secret-file", secret},
        log, tmp, nodes[i].on_exit());
    };
    // Without browsers or nodes, the model it serves cannot load: not
    // ready, and it says what it waits for.
    auto waiting = call("GET", "/v2/health/ready");
    INFO(waiting);
    CHECK(waiting.rfind("503", 0) == 0);
    CHECK(waiting.find(R"("name":"tiny_bert")") != std::string::npos);
    start_node(0);
    start_node(1);
    wait_for_log(head_log, "node 'n1' joined from .* \\(epoch 1\\)");
    wait_for_log(head_log, "node 'n2' joined from .* \\(epoch 1\\)");
    // Once nodes can take it, the head loads it by itself.
    wait_until_ready(head_log);
    CHECK(call("GET", "/v2/health/ready").rfind("200", 0) == 0);

    // The wrong secret: the head refuses it, and the node says why.
    {
      auto log = dir.file("stranger.log");
      daemon_child stranger;
      stranger.proc = start_in(
        net.node(0),
        {cli(), "node", "--join",
         net.head_address(0) + ":" + std::to_string(node_port), "--name",
         "stranger", "--config", config, "--secret-file", wrong},
        log, tmp, stranger.on_exit());
      auto done = stranger.exited->get_future();
      REQUIRE(done.wait_for(120s) == std::future_status::ready);
      auto code = done.get();
      CHECK(WIFEXITED(code));
      CHECK(WEXITSTATUS(code) == 1);
      CHECK(read_text(log).find("does not prove it knows the shared secret")
            != std::string::npos);
      stranger.proc->stop();
    }

    auto loaded = call("POST", "/v2/repository/models/tiny_bert/load");
    REQUIRE_MESSAGE(loaded.rfind("200", 0) == 0, loaded);

    // Under load, kill -9 the node that serves.
    std::ofstream{dir.file("load.py")} << load_py;
    json pgids{{"n1", nodes[0].proc->pid()}, {"n2", nodes[1].proc->pid()}};
    std::set<pid_t> browsers_of[] = {descendant_groups(nodes[0].proc->pid()),
                                     descendant_groups(nodes[1].proc->pid())};
    auto report_text = run_capture(
      ip_path(), {"netns", "exec", net.head(), "/usr/bin/python3",
                  dir.file("load.py"), api, "6", "4", "14", pgids.dump()});
    INFO(report_text);
    auto report = json::parse(report_text);
    MESSAGE("nodes under load: " << report.dump());
    std::string killed = report["killed"];
    REQUIRE((killed == "n1" || killed == "n2"));
    auto other = killed == "n1" ? "n2" : "n1";
    size_t killed_i = killed == "n1" ? 0 : 1;
    CHECK(report["errors"].empty());
    CHECK(report["answered_once"] == true);
    CHECK(report["ok"] == report["sent"]);
    CHECK(report["mismatch"] == 0);
    CHECK(report["before"][killed].get<int>() > 0);
    // (Answers already on their way when it died may still name it.)
    CHECK(report["after"][other].get<int>() > 0);
    CHECK_FALSE(report["recovery_ms"].is_null());
    wait_for_log(head_log, "node '" + killed + "' \\(epoch 1\\) is lost");
    auto exited = nodes[killed_i].exited->get_future();
    REQUIRE(exited.wait_for(60s) == std::future_status::ready);
    nodes[killed_i].proc->stop();
    nodes[killed_i].proc.reset();
    REQUIRE_FALSE(browsers_of[killed_i].empty());
    reap_groups(browsers_of[killed_i]);

    // It comes back and rejoins under a new epoch.
    start_node(killed_i);
    wait_for_log(head_log,
                 "node '" + killed + "' joined from .* \\(epoch 2\\)");
    auto metrics = call("GET", "/metrics");
    INFO(metrics);
    CHECK(metrics.find("webaccel_node_up{node=\"n1\"} 1") != std::string::npos);
    CHECK(metrics.find("webaccel_node_up{node=\"n2\"} 1") != std::string::npos);
    CHECK(metrics.find("webaccel_node_joins_total{node=\"" + killed + "\"} 2")
          != std::string::npos);
    CHECK(metrics.find("webaccel_browsers{node=\"" + std::string{other}
                       + "\",kind=\"chromium\",state=\"ready\"} 1")
          != std::string::npos);
    CHECK(metrics.find("webaccel_inference_request_success_total{model=\""
                       "tiny_bert\",version=\"1\"} "
                       + std::to_string(report["ok"].get<int>()) + "\n")
          != std::string::npos);

    // The other is cut off: no close, only silence.
    size_t other_i = 1 - killed_i;
    net.cut(other_i);
    wait_for_log(head_log, "node '" + std::string{other}
                             + "' \\(epoch 1\\) is lost: its link ended");
    net.mend(other_i);
    wait_for_log(head_log,
                 "node '" + std::string{other} + "' joined from .* \\(epoch 2");
    auto served = call("POST", "/v2/models/tiny_bert/infer",
                       R"({"inputs":[{"name":"text","shape":[1],)"
                       R"("datatype":"BYTES","data":["after it all"]}]})");
    CHECK_MESSAGE(served.rfind("200", 0) == 0, served);

    for (auto& n : nodes)
      CHECK(n.stop() == 0);
    CHECK(head.stop() == 0);
  }
  census.check();
}
