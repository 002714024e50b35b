// `webaccel serve`: the daemon. It starts the runtime and the Open
// Inference Protocol's HTTP server, loads the models (all of the config's,
// or those named with --model), reports ready once they are loaded, and
// serves until SIGINT or SIGTERM. Then it drains: it accepts nothing new,
// answers what is in flight (up to --drain-s), stops the browsers and
// exits 0. Exit codes: 0 after a drain, 1 when it cannot start (config,
// port, browsers), 2 for a bad command line.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <thread>

#include "config/default_config.hpp"
#include "config/logging.hpp"
#include "tools/cli_args.hpp"
#include "tools/commands.hpp"
#include "tools/serve/dashboard_feed.hpp"
#include "tools/serve/kserve_routes.hpp"
#include "tools/serve/model_loader.hpp"
#include "transport/net/tls_identity.hpp"

namespace webaccel {

namespace {

std::vector<std::string> split_names(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in{list};
  std::string name;
  while (std::getline(in, name, ','))
    if (!name.empty())
      out.push_back(name);
  return out;
}

/// --node-port, --node-secret-file and --no-browsers over the config's
/// "nodes" section.
void apply_node_options(const cli_args& a, runtime_config& cfg) {
  auto& np = cfg.nodes;
  if (a.has("--node-port")) {
    auto port = a.get_count("--node-port", 0, 1);
    if (port > 65535)
      throw usage_error("--node-port: expected 1..65535, got "
                        + std::to_string(port));
    np.listen_port = static_cast<uint16_t>(port);
  }
  if (a.has("--node-secret-file"))
    np.secret_file = std::filesystem::absolute(a.get("--node-secret-file"));
  if (a.has("--no-browsers"))
    np.local_browsers = false;
  if (np.listen_port != 0 && np.secret_file.empty())
    throw usage_error("--node-port needs the shared secret's file "
                      "(--node-secret-file, or nodes.secret_file)");
  if (!np.local_browsers && np.listen_port == 0)
    throw usage_error("--no-browsers leaves only nodes' browsers: give "
                      "--node-port too");
}

/// The serve API's TLS identity: --tls-cert and --tls-key, else the
/// config's api.tls (files, or one generated for `host`); null for plain
/// HTTP. @throws usage_error or config_error naming what is wrong
std::shared_ptr<const tls_identity> api_identity(const cli_args& a,
                                                 const runtime_config& cfg,
                                                 const std::string& host) {
  auto settings = cfg.api_tls;
  if (a.has("--tls-cert") || a.has("--tls-key")) {
    if (!a.has("--tls-cert") || !a.has("--tls-key"))
      throw usage_error("--tls-cert and --tls-key go together");
    settings.enabled = true;
    settings.certificate = std::filesystem::absolute(a.get("--tls-cert"));
    settings.key = std::filesystem::absolute(a.get("--tls-key"));
  }
  if (!settings.enabled)
    return nullptr;
  auto id = std::make_shared<tls_identity>();
  std::string error;
  auto ok = settings.certificate.empty()
              ? generate_tls_identity({host}, *id, error)
              : load_tls_identity(settings.certificate, settings.key, *id,
                                  error);
  if (!ok)
    throw config_error("api.tls: " + error);
  if (id->generated)
    std::cerr << "webaccel serve: a self-signed certificate for this run, "
                 "SHA-256 fingerprint "
              << id->fingerprint_sha256 << std::endl;
  return id;
}

} // namespace

int serve_main(const cli_args& a) {
  return run_guarded("serve", [&] {
    // SIGINT and SIGTERM are taken by sigwait below: blocked in every
    // thread, so they must be blocked before the first one starts.
    auto stop_signals = block_stop_signals();
    auto cfg = load_cli_config(a, "serve");
    apply_node_options(a, cfg);
    api_server_options opts;
    opts.host = a.get("--host", "127.0.0.1");
    auto port = a.get_count("--port", 8000, 0);
    if (port > 65535)
      throw usage_error("--port: expected 0..65535, got "
                        + std::to_string(port));
    opts.port = static_cast<uint16_t>(port);
    if (auto env = std::getenv("WEBACCEL_TOKEN"))
      opts.bearer_token = env;
    opts.bearer_token = a.get("--token", opts.bearer_token);
    if (!is_loopback_host(opts.host) && opts.bearer_token.empty())
      throw usage_error("--host " + opts.host
                        + " is not loopback: set a bearer token with --token "
                          "or WEBACCEL_TOKEN");
    auto names = a.has("--model") ? split_names(a.get("--model"))
                                  : std::vector<std::string>{};
    if (names.empty() && !a.has("--model"))
      for (auto& [name, entry] : cfg.models)
        names.push_back(name);
    for (auto& n : names)
      if (cfg.models.count(n) == 0)
        throw usage_error("--model: no model '" + n + "' in the config");
    opts.tls = api_identity(a, cfg, opts.host);
    auto drain_s = a.get_count("--drain-s", 30, 0);
    opts.max_body_bytes = a.get_count("--max-body-mb", 64) << 20;
    runtime rt{cfg};
    blocking_pool pool{4};
    model_table models{rt, cfg};
    for (auto& n : names)
      models.want(n, true);
    std::atomic<bool> draining{false};
    opts.websocket_paths = {"/dashboard/ws"};
    // Declared before the feed, so that on every way out the feed (which
    // sends to the server's sockets) stops first.
    std::unique_ptr<api_server> server;
    dashboard_feed feed{
      rt, models,
      std::chrono::milliseconds{a.get_count("--dashboard-ms", 1000, 50)}};
    server = api_server::start(
      opts, kserve_routes{rt, models, pool, draining, webaccel_version},
      [&feed](std::weak_ptr<api_socket> socket, const api_request&) {
        feed.subscribe(std::move(socket));
      });
    std::cerr << "webaccel serve: listening on "
              << (opts.tls ? "https://" : "http://") << opts.host << ":"
              << server->port() << std::endl;
    if (rt.node_port() != 0)
      std::cerr << "webaccel serve: taking nodes on port " << rt.node_port()
                << std::endl;
    // Loads what was asked for, and again what failed to load once the
    // pool can take it (a head's nodes join).
    model_loader loader{rt, models, [n = names.size()] {
                          std::cerr << "webaccel serve: ready (" << n
                                    << " models)" << std::endl;
                        }};
    int sig = 0;
    sigwait(&stop_signals, &sig);
    std::cerr << "webaccel serve: " << (sig == SIGINT ? "SIGINT" : "SIGTERM")
              << ", draining" << std::endl;
    draining = true;
    server->drain();
    auto until = std::chrono::steady_clock::now()
                 + std::chrono::seconds{drain_s};
    while (server->in_flight() > 0 && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
    // A request sent just now may not have been read yet: the connections
    // stay open a moment longer, refusing what comes with a 503.
    std::this_thread::sleep_for(std::chrono::milliseconds{500});
    auto left = server->in_flight();
    loader.stop();
    feed.stop();
    server->stop();
    pool.stop();
    rt.shutdown();
    if (left > 0)
      std::cerr << "webaccel serve: " << left
                << " requests were still in flight after " << drain_s << " s"
                << std::endl;
    std::cerr << "webaccel serve: stopped" << std::endl;
    return 0;
  });
}

} // namespace webaccel
