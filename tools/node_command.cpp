// `webaccel node`: a browser pool on this machine, offered to a head. It
// joins, serves until the link ends, and joins again with a backoff (1 s,
// doubling to 10 s), so that a head that restarts, or a link that was cut,
// gets its node back. SIGINT or SIGTERM stop it: its browsers stop, and the
// head finds the node lost and places its models elsewhere.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include "actors/runtime.hpp"
#include "config/logging.hpp"
#include "config/runtime_config.hpp"
#include "config/thread_barrier.hpp"
#include "tools/cli_args.hpp"
#include "tools/commands.hpp"

namespace webaccel {

namespace {

std::string default_node_name() {
  auto name = host_name();
  // A host name with characters a node name may not hold is cut there.
  auto end = name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
                                    "OPQRSTUVWXYZ0123456789._-");
  name = name.substr(0, end == std::string::npos ? name.size() : end);
  return name.empty() ? "node" : name.substr(0, 64);
}

} // namespace

int node_main(const cli_args& a) {
  return run_guarded("node", [&] {
    auto stop_signals = block_stop_signals();
    auto cfg = load_cli_config(a, "node");
    auto& np = cfg.nodes;
    np.join = a.get("--join", np.join);
    if (np.join.empty())
      throw usage_error("--join HOST:PORT is required (the head's "
                        "--node-port)");
    std::string head_host, why;
    uint16_t head_port = 0;
    if (!parse_head_address(np.join, head_host, head_port, why))
      throw usage_error("--join: " + why);
    if (a.has("--name"))
      np.name = a.get("--name");
    else if (np.name == "local")
      np.name = default_node_name();
    if (!valid_node_name(np.name, why))
      throw usage_error("--name: " + why);
    if (a.has("--secret-file"))
      np.secret_file = std::filesystem::absolute(a.get("--secret-file"));
    if (np.secret_file.empty())
      throw usage_error("--secret-file is required (the secret the head "
                        "shares with its nodes)");
    np.listen_port = 0;
    runtime rt{cfg};
    std::atomic<bool> stop{false};
    // The signal ends the join loop; the loop's thread owns the runtime.
    std::thread waiter{[&] {
      run_in_barrier(
        thread_kind::signal, "waiting for a stop signal",
        [&] {
          int sig = 0;
          sigwait(&stop_signals, &sig);
          std::cerr << "webaccel node: "
                    << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ", stopping"
                    << std::endl;
        },
        [](const std::string&) {});
      // Whatever ended the wait ends the node (never a thread left behind).
      stop = true;
    }};
    std::cerr << "webaccel node: '" << np.name << "' joins " << np.join
              << std::endl;
    auto backoff = std::chrono::milliseconds{1000};
    int status = 0;
    try {
      while (!stop) {
        auto began = std::chrono::steady_clock::now();
        auto ended = rt.offer_to_head(stop);
        if (stop)
          break;
        logger()->warn("{}; joining again in {} ms", ended, backoff.count());
        // A link that held a while starts the backoff over.
        if (std::chrono::steady_clock::now() - began > std::chrono::seconds{30})
          backoff = std::chrono::milliseconds{1000};
        for (auto left = backoff; left.count() > 0 && !stop;
             left -= std::chrono::milliseconds{100})
          std::this_thread::sleep_for(std::chrono::milliseconds{100});
        backoff = std::min(backoff * 2, std::chrono::milliseconds{10000});
      }
    } catch (const std::exception& e) {
      std::cerr << "webaccel node: " << e.what() << std::endl;
      status = 1;
      // Let the waiter go: it waits for a signal nobody else sends.
      kill(getpid(), SIGTERM);
    }
    waiter.join();
    rt.shutdown();
    std::cerr << "webaccel node: stopped" << std::endl;
    return status;
  });
}

} // namespace webaccel
