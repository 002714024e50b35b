// The `webaccel` command: a thin user of the embedding API.
#include <signal.h>

#include <iostream>
#include <string>
#include <vector>

#include "tools/commands.hpp"

namespace {

constexpr const char* usage = R"(usage: webaccel COMMAND [OPTIONS]

Commands:
  run     [--config FILE] [--model NAME] [--input FILE] [--json]
          Load a model in a real browser, run it on an input and print the
          results with their provenance. Without arguments: the default demo
          (Silero VAD on synthesized speech between two silences).
  bench   [--config FILE] [--requests N] [--inflight K] [--out FILE]
          Per-request overhead (end-to-end minus in-page compute) and
          throughput on a warm model.
  bench models [--config FILE] [--requests N] [--only SECTION] [--out FILE]
  bench pool [--config FILE] [--launches N] [--requests N]
          [--launched-requests N] [--kind KIND] [--out FILE]
          Browser cold starts per kind (p50/p95), requests/s on a pooled
          browser vs launching one per request, the runtime's own RSS.
  doctor  [--config FILE] [--json]
          Starts each installed browser once and shows what it can
          accelerate (wasm, webgpu, webnn) from real probes: version,
          adapter, software fallback, the exact reason a platform is
          missing, cold start and memory.

Environment: WEBACCEL_PORT, WEBACCEL_ASSETS_DIR, WEBACCEL_LOG_LEVEL override
the config.
)";

} // namespace

int main(int argc, char** argv) {
  // A closed stdout (`webaccel run --json | head`) must end the run through
  // its normal shutdown, which stops the browsers, not kill the process.
  signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args{argv + 1, argv + argc};
  if (args.empty() || args[0] == "--help" || args[0] == "-h"
      || args[0] == "help") {
    std::cout << usage;
    return args.empty() ? 2 : 0;
  }
  auto command = args[0];
  args.erase(args.begin());
  if (command == "run")
    return webaccel::run_command(args);
  if (command == "bench")
    return webaccel::bench_command(args);
  if (command == "doctor")
    return webaccel::doctor_command(args);
  std::cerr << "webaccel: unknown command '" << command << "'\n\n" << usage;
  return 2;
}
