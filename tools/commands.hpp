// The CLI's commands. Each runs on its options, parsed by the command
// table (command_table.hpp), and returns the process exit code.
#pragma once

#include <signal.h>

#include <functional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "tools/cli_args.hpp"

namespace webaccel {

/// `webaccel run`: load a model, run it on an input, print results.
int run_main(const cli_args& a);

/// `webaccel bench`: per-request overhead and throughput on a warm model.
int bench_main(const cli_args& a);

/// `webaccel bench pool`: browser cold starts, pooled vs per-request
/// launches, the runtime's own memory.
int pool_bench_main(const cli_args& a);

/// `webaccel bench models`: overhead against the in-page limit,
/// concurrency across browsers, dynamic batching, warm-up and parallel
/// loading.
int models_bench_main(const cli_args& a);

/// `webaccel bench recovery`: steady load while browsers are killed, hung
/// and run out of memory; lost and duplicated answers, time to recover.
int recovery_bench_main(const cli_args& a);

/// `webaccel bench soak`: RSS, threads, descriptors and timers over time
/// under steady load with browsers being recycled.
int soak_bench_main(const cli_args& a);

/// `webaccel doctor`: what each browser here can accelerate, from real
/// probes.
int doctor_main(const cli_args& a);

/// `webaccel serve`: the Open Inference Protocol daemon.
int serve_main(const cli_args& a);

/// `webaccel node`: joins a head and offers it this machine's browsers.
int node_main(const cli_args& a);

/// `webaccel bench report`: report time on a DB of a million rows.
int report_bench_main(const cli_args& a);
int serve_bench_main(const cli_args& a);
int grid_bench_main(const cli_args& a);
int node_bench_main(const cli_args& a);

/// `webaccel bench health`: the time from a wedged page to its recycle.
int health_bench_main(const cli_args& a);

/// `webaccel bench store`: throughput with the metrics store off and on,
/// and the DB's growth per million inferences.
int store_bench_main(const cli_args& a);

/// `webaccel report`: a metrics DB's history as Markdown, HTML or JSON.
int report_main(const cli_args& a);

/// Loads --config FILE or the embedded default, then the environment, then
/// --db FILE; `command` names the run in the metrics DB.
struct runtime_config load_cli_config(const cli_args& a,
                                      const std::string& command);

/// Prints a benchmark's JSON report on stdout, and into --out FILE when
/// given.
void print_report(const cli_args& a, const nlohmann::json& report);

/// Runs a command body, turning every exception into a message on stderr
/// prefixed with "webaccel COMMAND: " and an exit code (2: bad usage,
/// 1: anything else).
int run_guarded(const std::string& command, const std::function<int()>& body);

/// Blocks SIGINT and SIGTERM in the calling thread, and so in every thread
/// it starts after, for a daemon that takes them with sigwait on the
/// returned set. Call it before the first thread starts.
sigset_t block_stop_signals();

} // namespace webaccel
