#include "tools/command_table.hpp"

#include <algorithm>
#include <ostream>
#include <set>

#include "tools/commands.hpp"

namespace webaccel {

namespace {

const option_spec config_option{"--config", "FILE",
                                "the runtime config (JSON with comments); "
                                "default: the built-in one"};
const option_spec db_option{"--db", "FILE",
                            "record the run in this SQLite metrics DB "
                            "(created if missing; see webaccel report)"};
const option_spec out_option{"--out", "FILE",
                             "also write the JSON report to FILE"};

std::vector<command_spec> make_commands() {
  return {
    {"run",
     "load a model in a real browser, run it on an input, print the results",
     "Loads a model in a real browser, runs it on an input and prints the "
     "results with their provenance (browser, platform, adapter, precision, "
     "timings). Without options: the config's demo (Silero VAD on "
     "synthesized speech between two silences, and the other default "
     "models).",
     {config_option,
      {"--model", "NAME", "the model to run (a name from the config)"},
      {"--text", "TEXT", "a text input for the model's preprocessing"},
      {"--input", "FILE", "a WAV, PNG or JPEG input for the model"},
      {"--browser", "KIND", "place the model on this browser kind"},
      {"--platform", "NAME", "run on this platform only (webgpu, webnn, wasm)"},
      {"--precision", "NAME", "the variant's precision (fp32, fp16, q8, q4)"},
      {"--json", "", "print one JSON object per result"},
      db_option},
     run_main},
    {"serve",
     "a daemon: the Open Inference Protocol (KServe v2) over HTTP",
     "Loads the config's models (or those of --model) and serves the Open "
     "Inference Protocol over HTTP/1.1: /v2, /v2/health/live and ready, "
     "/v2/models/M (metadata, ready, infer, stats), and the model "
     "repository (/v2/repository/index, .../models/M/load and unload); "
     "Prometheus metrics at /metrics; a live dashboard at /dashboard. "
     "Ready once its models are loaded. SIGINT or SIGTERM drain it: nothing "
     "new is accepted, what is in flight is answered, then it exits 0. "
     "Exit codes: 0 after a drain, 1 if it cannot start, 2 for a bad "
     "command line. Only loopback without a bearer token.",
     {config_option,
      {"--host", "H", "the address to listen on (default 127.0.0.1)"},
      {"--port", "N", "the port (default 8000; 0 picks a free one)"},
      {"--token", "T",
       "the bearer token clients must send (or WEBACCEL_TOKEN); required "
       "on a non-loopback host"},
      {"--model", "A,B", "load only these models at start"},
      {"--drain-s", "S",
       "how long a drain waits for requests in flight (default 30)"},
      {"--max-body-mb", "N", "the largest request body (default 64 MiB)"},
      {"--dashboard-ms", "MS",
       "how often the dashboard gets a snapshot (default 1000)"},
      {"--node-port", "N",
       "take webaccel nodes on this port (webaccel node --join)"},
      {"--node-secret-file", "F",
       "the secret nodes share with this head (a file only its owner may "
       "read, 16 bytes or more)"},
      {"--no-browsers", "", "run no browsers here: only the nodes' ones"},
      {"--tls-cert", "F",
       "serve HTTPS with this PEM certificate (chain); with --tls-key (or "
       "the config's api.tls)"},
      {"--tls-key", "F", "the certificate's PEM private key"},
      db_option},
     serve_main},
    {"node",
     "offer this machine's browsers to a head (webaccel serve --node-port)",
     "Starts a browser pool from the config and joins the head at "
     "HOST:PORT over CAF's network layer, proving with the shared secret "
     "that it belongs (and checking the head's proof). The head's router "
     "then places models on these browsers as on its own; results name this "
     "node. When the link ends (the head stops, or is cut off) it joins "
     "again, backing off up to 10 s. SIGINT or SIGTERM stop it. Exit codes: "
     "0 when stopped, 1 if it cannot start or the head refuses it, 2 for a "
     "bad command line.",
     {config_option,
      {"--join", "HOST:PORT", "the head's node port"},
      {"--name", "NAME",
       "this node's name on the head (default: the host name)"},
      {"--secret-file", "F", "the secret it shares with the head"},
      db_option},
     node_main},
    {"bench",
     "per-request overhead and throughput on a warm model",
     "Per-request overhead (end-to-end minus in-page compute) and "
     "throughput on a warm Silero VAD, one request at a time and with "
     "several in flight.",
     {config_option,
      {"--requests", "N", "requests measured (default 1000)"},
      {"--inflight", "K",
       "requests in flight for the throughput run (default 16)"},
      {"--warmup", "N", "requests before measuring (default 1000)"},
      db_option,
      out_option},
     bench_main},
    {"bench models",
     "overhead against the in-page loop, concurrency, batching, warm-up",
     "Overhead against the page's own loop (the physical limit), "
     "concurrency across browsers, dynamic batching, shader warm-up and "
     "parallel loading.",
     {config_option,
      {"--requests", "N", "requests per measurement (default 2000)"},
      {"--only", "SECTION",
       "one section: overhead, concurrency, batching, warmup or loading"},
      db_option,
      out_option},
     models_bench_main},
    {"bench pool",
     "browser cold starts, pooled vs per-request launches, runtime memory",
     "Browser cold starts per kind (p50/p95), requests per second on a "
     "pooled browser against launching one per request, and the runtime's "
     "own RSS.",
     {config_option,
      {"--launches", "N", "cold starts measured (default 10)"},
      {"--requests", "N", "requests on the pooled browser (default 1000)"},
      {"--launched-requests", "N",
       "requests that each launch a browser (default 5)"},
      {"--kind", "KIND", "the browser kind (default chromium)"},
      db_option,
      out_option},
     pool_bench_main},
    {"bench recovery",
     "steady load while browsers are killed, hung and run out of memory",
     "Closed-loop clients on copies of tiny BERT over a pool kept at full "
     "size, while a random browser is killed every period and hangs and "
     "OOMs are injected between the kills. Reports sent, answered, failed, "
     "lost and duplicated requests, time to recover per category, and the "
     "processes left over.",
     {config_option,
      {"--duration-s", "S", "length of the run (default 300)"},
      {"--kill-every-s", "S", "a kill -9 every S seconds (default 15)"},
      {"--hangs", "N", "hung pages injected (default 4)"},
      {"--ooms", "N", "out-of-memory errors injected (default 2)"},
      {"--browser", "KIND", "the browser kind (default chromium)"},
      {"--browsers", "N", "browsers kept running (default 2)"},
      {"--models", "N", "model copies, each its own instance (default 2)"},
      {"--clients", "N", "closed-loop clients (default 8)"},
      {"--request-timeout-ms", "MS", "each request's deadline (default 5000)"},
      {"--seed", "N", "seeds the fault schedule (default 1)"},
      db_option,
      out_option},
     recovery_bench_main},
    {"bench soak",
     "memory, threads, descriptors and timers over time under steady load",
     "Steady load on tiny BERT for minutes while the browsers are recycled "
     "by age, sampling the runtime's RSS, threads, open descriptors, "
     "pending timers and actors. Reports the samples, the RSS at 1, 5 and "
     "15 minutes, and the RSS slope after a 2-minute warm-up (target: "
     "under 1 MiB per hour).",
     {config_option,
      {"--minutes", "N", "length of the run (default 15)"},
      {"--browsers", "N", "browsers kept running (default 2)"},
      {"--browser-lifetime-s", "S",
       "recycle each browser after S seconds (default 60)"},
      {"--clients", "N", "closed-loop clients (default 8)"},
      {"--sample-every-s", "S", "a sample every S seconds (default 10)"},
      {"--browser", "KIND", "the browser kind (default chromium)"},
      db_option,
      out_option},
     soak_bench_main},
    {"bench store",
     "what the metrics store costs: throughput off vs on, DB growth",
     "Steady load on tiny BERT in interleaved rounds with the metrics store "
     "off, on (per-second rollups) and on with one row per inference, each "
     "in a fresh runtime. Reports the throughput of each, the cost against "
     "off (target: at most 2 %), and the DB bytes per million inferences.",
     {config_option,
      {"--rounds", "N", "rounds of each mode (default 3)"},
      {"--seconds", "S", "length of each round (default 20)"},
      {"--browsers", "N", "browsers kept running (default 2)"},
      {"--clients", "N", "closed-loop clients (default 8)"},
      {"--browser", "KIND", "the browser kind (default chromium)"},
      out_option},
     store_bench_main},
    {"bench health",
     "the time from a wedged page to its recycle, under load",
     "Steady load on tiny BERT while the serving browser's page is wedged "
     "again and again (every inference hangs, heartbeats are still "
     "answered). Reports, per wedge, the seconds until the health monitor "
     "had the browser recycled and until a new browser served, and that "
     "every request was answered exactly once. The config's health section "
     "sets how fast canaries find it.",
     {config_option,
      {"--wedges", "N", "pages wedged one after another (default 5)"},
      {"--clients", "N", "closed-loop clients (default 4)"},
      {"--browser", "KIND", "the browser kind (default chromium)"},
      db_option,
      out_option},
     health_bench_main},
    {"bench report",
     "how long a report takes on a metrics DB of a million rows",
     "Writes a metrics DB with N generated inference rows through the "
     "store's writer, in two shapes (N inferences with one row each at "
     "2,000/s; N per-second rollup rows of one inference each), and times "
     "reading it back and rendering markdown, HTML and JSON.",
     {{"--rows", "N", "inference rows (default 1000000)"}, out_option},
     report_bench_main},
    {"bench serve",
     "what the HTTP front costs: latency, requests/s, /metrics, dashboard",
     "Serves tiny BERT in-process through the same HTTP server and routes as "
     "`webaccel serve`, and measures with keep-alive loopback clients: "
     "latency over HTTP against the embedded API (p50, p99), requests/s "
     "with 1, 16 and 64 clients, the cost of 10 /metrics scrapes a second "
     "under 16 clients (3 rounds without and with, in turn), and the time to build one dashboard snapshot.",
     {config_option,
      {"--requests", "N",
       "sequential requests for the latency comparison (default 500)"},
      {"--clients", "A,B", "client counts (default 1,16,64)"},
      {"--seconds", "S", "length of each throughput run (default 5)"},
      out_option},
     serve_bench_main},
    {"bench grid",
     "what a Selenium Grid costs: session creation, and latency against a "
     "local browser",
     "Creates sessions one after another through the Grid at --grid with the "
     "pool's own Chromium capabilities and deletes each (p50, p95, max), "
     "then runs tiny BERT one request at a time on one Chromium started "
     "locally and on one the Grid started, and reports the latency each "
     "way and what the Grid adds (p50).",
     {config_option,
      {"--grid", "URL", "the Grid's hub (required)"},
      {"--sessions", "N", "sessions to create (default 20)"},
      {"--requests", "N", "sequential inferences per pool (default 200)"},
      out_option},
     grid_bench_main},
    {"bench nodes",
     "what webaccel nodes cost and give: the hop, 1 vs 2 nodes, a node lost",
     "On this machine, over loopback: tiny BERT one request at a time on a "
     "local Chromium and on one of a `webaccel node` (what the hop adds), "
     "two model instances kept busy with one node and with two (requests/s; "
     "here the machine's cores bound it), and a node killed -9 under load "
     "(how long until its model answers from the other node, and how many "
     "requests failed).",
     {config_option,
      {"--requests", "N",
       "sequential inferences per latency run (default "
       "200)"},
      {"--seconds", "S", "seconds per throughput run (default 10)"},
      {"--inflight", "K", "requests in flight for throughput (default 16)"},
      out_option},
     node_bench_main},
    {"report",
     "what a metrics DB says: throughput, latency, memory, recovery, "
     "browsers",
     "Reads a metrics DB that run, bench or serve wrote with --db, and "
     "reports model x browser x platform throughput and latency "
     "percentiles, model loads, memory over time, the recovery summary per "
     "error category, and the browser timeline (launches, recycles and "
     "why). HTML is one self-contained file with inline SVG charts.",
     {{"--db", "FILE", "the metrics DB to read (required)"},
      {"--format", "NAME", "markdown (default), html or json"},
      {"--since", "TIME",
       "only what happened since TIME: seconds since the epoch, a UTC time "
       "(2026-12-01T09:00:00Z) or an age (30m, 2h, 7d)"},
      {"--out", "FILE", "write the report to FILE instead of stdout"}},
     report_main},
    {"doctor",
     "what each installed browser can accelerate, from real probes",
     "Starts each installed browser once and shows what it can accelerate "
     "(wasm, webgpu, webnn) from real probes: version, adapter, software "
     "fallback, the exact reason a platform is missing, cold start and "
     "memory.",
     {config_option, {"--json", "", "print the report as JSON"}},
     doctor_main},
  };
}

std::string option_synopsis(const option_spec& o) {
  return "[" + o.flag + (o.value.empty() ? "" : " " + o.value) + "]";
}

/// The longest command name that `args` starts with, or nullptr.
const command_spec* find_command(const std::vector<std::string>& args,
                                 size_t& words) {
  const command_spec* best = nullptr;
  for (auto& c : commands()) {
    std::vector<std::string> name;
    for (size_t start = 0, end; start <= c.name.size(); start = end + 1) {
      end = std::min(c.name.find(' ', start), c.name.size());
      name.push_back(c.name.substr(start, end - start));
    }
    if (name.size() <= args.size()
        && std::equal(name.begin(), name.end(), args.begin())
        && (best == nullptr || name.size() > words)) {
      best = &c;
      words = name.size();
    }
  }
  return best;
}

/// The words of `text` (split at spaces).
std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> out;
  for (size_t start = 0, end; start < text.size(); start = end + 1) {
    end = std::min(text.find(' ', start), text.size());
    out.push_back(text.substr(start, end - start));
  }
  return out;
}

/// `words` in lines of at most `width` columns; every line after the first
/// starts with `indent` spaces (the first is already `first` columns in).
std::string wrap(const std::vector<std::string>& words, size_t first,
                 size_t indent, size_t width = 79) {
  std::string out;
  size_t column = first;
  bool line_empty = true;
  for (auto& word : words) {
    if (!line_empty && column + 1 + word.size() > width) {
      out += "\n" + std::string(indent, ' ');
      column = indent;
      line_empty = true;
    }
    if (!line_empty) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
    line_empty = false;
  }
  return out;
}

bool is_help(const std::string& arg) {
  return arg == "--help" || arg == "-h" || arg == "help";
}

} // namespace

const std::vector<command_spec>& commands() {
  static const std::vector<command_spec> table = make_commands();
  return table;
}

std::string usage_text() {
  std::string out = "usage: webaccel COMMAND [OPTIONS]\n\nCommands:\n";
  for (auto& c : commands()) {
    std::vector<std::string> options;
    for (auto& o : c.options)
      options.push_back(option_synopsis(o));
    out += "  " + c.name + "\n      " + c.summary + "\n      "
           + wrap(options, 6, 6) + "\n";
  }
  out += "\n`webaccel COMMAND --help` describes a command and each of its "
         "options.\nEnvironment: WEBACCEL_PORT, WEBACCEL_ASSETS_DIR, "
         "WEBACCEL_LOG_LEVEL override the config.\nLogs go to stderr; "
         "results to stdout.\n";
  return out;
}

std::string help_text(const command_spec& c) {
  std::string synopsis = "usage: webaccel " + c.name;
  // An option and its value stay on one line.
  std::vector<std::string> options;
  for (auto& o : c.options)
    options.push_back(option_synopsis(o));
  std::string out = synopsis + " "
                    + wrap(options, synopsis.size() + 1, synopsis.size() + 1);
  out += "\n\n" + wrap(words_of(c.description), 0, 0) + "\n\nOptions:\n";
  constexpr size_t help_column = 26;
  for (auto& o : c.options) {
    auto left = "  " + o.flag + (o.value.empty() ? "" : " " + o.value);
    if (left.size() >= help_column)
      left += "\n" + std::string(help_column, ' ');
    else
      left += std::string(help_column - left.size(), ' ');
    out += left + wrap(words_of(o.help), help_column, help_column) + "\n";
  }
  out += "  --help                  this text\n";
  return out;
}

cli_args parse_options(const command_spec& c,
                       const std::vector<std::string>& args) {
  std::set<std::string> with_value, switches;
  for (auto& o : c.options)
    (o.value.empty() ? switches : with_value).insert(o.flag);
  return cli_args{args, with_value, switches};
}

int dispatch(const std::vector<std::string>& args, std::ostream& out,
             std::ostream& err) {
  if (args.empty() || is_help(args[0])) {
    (args.empty() ? err : out) << usage_text();
    return args.empty() ? 2 : 0;
  }
  size_t words = 0;
  auto command = find_command(args, words);
  if (command == nullptr) {
    err << "webaccel: unknown command '" << args[0] << "'\n\n" << usage_text();
    return 2;
  }
  std::vector<std::string> rest{args.begin() + static_cast<ptrdiff_t>(words),
                                args.end()};
  if (std::any_of(rest.begin(), rest.end(), [](const std::string& a) {
        return a == "--help" || a == "-h";
      })) {
    out << help_text(*command);
    return 0;
  }
  return run_guarded(command->name, [&] {
    return command->body(parse_options(*command, rest));
  });
}

} // namespace webaccel
