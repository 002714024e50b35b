#include "tools/node_bench.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "actors/runtime.hpp"
#include "tools/sequential_latency.hpp"
#include "tools/stats.hpp"
#include "transport/browser/process.hpp"
#include "transport/net/node_auth.hpp"

namespace webaccel {

namespace {

using clock_type = std::chrono::steady_clock;
using json = nlohmann::json;
using namespace std::chrono_literals;

/// A loopback port nobody listens on now (the head binds it next: a small
/// race, as with any such helper).
uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  uint16_t port = 0;
  if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0
      && getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  if (fd >= 0)
    close(fd);
  if (port == 0)
    throw std::runtime_error("no free loopback port for the head's nodes");
  return port;
}

/// The secret file the head and its nodes share, in a scratch directory
/// removed with this object.
struct shared_secret {
  std::string dir;
  std::string path;

  shared_secret() {
    std::string error;
    dir = make_scratch_dir("bench-nodes-", error);
    if (dir.empty())
      throw std::runtime_error(error);
    path = dir + "/secret";
    std::ofstream{path} << make_node_nonce() << "\n";
    std::filesystem::permissions(path, std::filesystem::perms::owner_read
                                         | std::filesystem::perms::owner_write);
  }

  ~shared_secret() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

/// A `webaccel node` child of this binary.
std::unique_ptr<process> start_node(const std::string& name, uint16_t port,
                                    const shared_secret& secret,
                                    const node_bench_options& opts) {
  process_options p;
  p.executable = std::filesystem::read_symlink("/proc/self/exe").string();
  p.args = {"node",     "--join", "127.0.0.1:" + std::to_string(port),
            "--name",   name,     "--secret-file",
            secret.path};
  if (!opts.config_path.empty()) {
    p.args.push_back("--config");
    p.args.push_back(opts.config_path);
  }
  p.log_file = secret.dir + "/" + name + ".log";
  p.graceful_stop = 30s;
  std::string error;
  auto child = process::start(
    p, [](int, std::string) {}, error);
  if (!child)
    throw std::runtime_error("cannot start node " + name + ": " + error);
  return child;
}

/// Waits until the head's stats show `n` nodes joined.
void wait_for_nodes(runtime& head, size_t n, const shared_secret& secret) {
  auto until = clock_type::now() + 120s;
  while (clock_type::now() < until) {
    size_t joined = 0;
    for (auto& node : head.stats().nodes)
      joined += node.state == "joined";
    if (joined >= n)
      return;
    std::this_thread::sleep_for(100ms);
  }
  throw std::runtime_error("only some nodes joined within 120 s; see the logs "
                           "in "
                           + secret.dir);
}

infer_request bert_input() {
  infer_request input;
  input.raw.push_back(raw_input::text("a sentence to embed"));
  return input;
}

/// tiny BERT one request at a time.
json latency(runtime& rt, size_t requests) {
  auto model = rt.get_model(model_family::text_embedding, "tiny_bert");
  auto out = sequential_latency(model, bert_input(), requests);
  rt.unload(model);
  return out;
}

/// Two instances of tiny BERT (fp32 and q8: two placements), each kept
/// `inflight / 2` requests busy for `seconds`.
struct steady_pair {
  std::vector<model_handle> models;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> ok{0}, failed{0};
  std::mutex mtx;
  std::map<std::string, uint64_t> by_node;
  /// The fp32 instance's first answer after `mark` from a node other than
  /// `mark_node` (where it ran when that node was killed).
  clock_type::time_point mark{};
  std::string mark_node;
  std::optional<double> recovered_ms;
  std::vector<std::thread> threads;

  steady_pair(runtime& rt, size_t inflight) {
    for (auto* precision : {"fp32", "q8"}) {
      auto prefs = rt.config().default_preferences;
      prefs.precision = precision;
      models.push_back(
        rt.get_model(model_family::text_embedding, "tiny_bert", prefs));
    }
    for (size_t i = 0; i < std::max<size_t>(inflight, 2); ++i)
      threads.emplace_back([this, i] { loop(i % 2); });
  }

  /// Keeps model `which` busy; the first (fp32) one is watched for its
  /// recovery.
  void loop(size_t which) {
    auto input = bert_input();
    while (!stop) {
      try {
        auto r = models[which].infer(input);
        ok++;
        std::lock_guard<std::mutex> guard{mtx};
        by_node[r.origin.node]++;
        if (which == 0 && !mark_node.empty() && !recovered_ms
            && r.origin.node != mark_node)
          recovered_ms = ms_since(mark);
      } catch (const std::exception&) {
        failed++;
      }
    }
  }

  void finish() {
    stop = true;
    for (auto& t : threads)
      t.join();
    threads.clear();
  }

  ~steady_pair() {
    finish();
  }
};

json throughput(runtime& rt, const node_bench_options& opts) {
  steady_pair load{rt, opts.inflight};
  std::this_thread::sleep_for(1s); // Warm-up.
  auto ok0 = load.ok.load();
  auto t0 = clock_type::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(opts.seconds));
  auto per_s = double(load.ok - ok0) / seconds_since(t0);
  load.finish();
  for (auto& m : load.models)
    rt.unload(m);
  // The supervisors count a browser's instances at their next check: wait
  // for it, so that the next placement sees these browsers idle.
  std::this_thread::sleep_for(3s);
  return {{"requests_per_s", per_s},
          {"failed", load.failed.load()},
          {"by_node", load.by_node}};
}

} // namespace

json run_node_bench(const runtime_config& cfg, const node_bench_options& opts) {
  json report{{"bench", "nodes"},
              {"platforms", cfg.default_preferences.priority_list},
              {"cores", std::thread::hardware_concurrency()},
              {"note", "head and nodes share this machine's cores: the "
                       "throughput with 2 nodes is bound by them, not by "
                       "the nodes"}};
  auto say = [&](const std::string& line) {
    if (opts.progress)
      opts.progress(line);
  };
  {
    runtime local{cfg};
    report["latency"]["local"] = latency(local, opts.requests);
    say("local: p50 " + report["latency"]["local"]["p50_ms"].dump() + " ms");
  }
  shared_secret secret;
  auto head_cfg = cfg;
  head_cfg.nodes.listen_port = free_port();
  head_cfg.nodes.secret_file = secret.path;
  head_cfg.nodes.local_browsers = false;
  runtime head{head_cfg};
  std::vector<std::unique_ptr<process>> nodes;
  nodes.push_back(start_node("n1", head.node_port(), secret, opts));
  wait_for_nodes(head, 1, secret);
  auto hop = latency(head, opts.requests);
  report["latency"]["node"] = hop;
  report["latency"]["added_p50_ms"]
    = hop["p50_ms"].get<double>()
      - report["latency"]["local"]["p50_ms"].get<double>();
  say("one node: p50 " + hop["p50_ms"].dump() + " ms");
  report["throughput"]["one_node"] = throughput(head, opts);
  say("one node: " + report["throughput"]["one_node"].dump());
  nodes.push_back(start_node("n2", head.node_port(), secret, opts));
  wait_for_nodes(head, 2, secret);
  report["throughput"]["two_nodes"] = throughput(head, opts);
  say("two nodes: " + report["throughput"]["two_nodes"].dump());

  // Kill -9 the node that serves the fp32 instance, under load.
  {
    steady_pair load{head, opts.inflight};
    std::this_thread::sleep_for(2s);
    auto serving = load.models[0].infer(bert_input()).origin.node;
    size_t victim = serving == "n1" ? 0 : 1;
    auto failed_before = load.failed.load();
    {
      std::lock_guard<std::mutex> guard{load.mtx};
      load.mark = clock_type::now();
      load.mark_node = serving;
    }
    kill(-nodes[victim]->pid(), SIGKILL);
    auto until = clock_type::now() + 60s;
    while (clock_type::now() < until) {
      {
        std::lock_guard<std::mutex> guard{load.mtx};
        if (load.recovered_ms)
          break;
      }
      std::this_thread::sleep_for(10ms);
    }
    std::this_thread::sleep_for(2s);
    load.finish();
    std::lock_guard<std::mutex> guard{load.mtx};
    report["node_loss"]
      = {{"killed", serving},
         {"fp32_answers_elsewhere_after_ms",
          load.recovered_ms ? json(*load.recovered_ms) : json(nullptr)},
         {"failed_requests", load.failed.load() - failed_before},
         {"answered", load.ok.load()}};
    say("node loss: " + report["node_loss"].dump());
    nodes[victim]->stop();
  }
  head.shutdown();
  for (auto& n : nodes)
    n->stop();
  return report;
}

} // namespace webaccel
