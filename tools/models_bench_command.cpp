// `webaccel bench models`: the numbers issue 4 asks for, each from real
// browsers on this machine.
//   overhead     end-to-end minus in-page compute on a warm tiny BERT, one
//                request at a time; throughput with 16 in flight against the
//                physical limit (the page running the request in its own loop)
//   concurrency  1..4 copies of a compute-heavy model (PaddleOCR's
//                recogniser), each in its own browser, against one
//   batching     32 clients on tiny BERT, dynamic batching against batch 1
//   warmup       first-inference latency with and without precompile_shaders
//   loading      tiny CLIP's load time with and without parallel_loading
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <set>

#include <nlohmann/json.hpp>

#include "actors/runtime.hpp"
#include "tools/cli_args.hpp"
#include "tools/commands.hpp"
#include "tools/load_driver.hpp"
#include "tools/stats.hpp"
#include "transport/wire/media_file.hpp"

namespace webaccel {

namespace {

using json = nlohmann::json;
using clock_type = std::chrono::steady_clock;

const std::string unbatched = "tiny_bert_unbatched";

/// The config with the models the benchmarks need: tiny BERT without
/// batching, and `copies` separately cached copies of the recogniser.
runtime_config bench_config(runtime_config cfg, size_t copies) {
  auto bert = cfg.models.at("tiny_bert");
  bert.name = unbatched;
  bert.batching.max_batch_size = 1;
  cfg.models[unbatched] = bert;
  for (size_t i = 1; i <= copies; ++i) {
    auto ocr = cfg.models.at("ppocr_rec");
    ocr.name = "ppocr_rec_" + std::to_string(i);
    cfg.models[ocr.name] = ocr;
  }
  cfg.pool.idle_timeout_ms = 0;
  return cfg;
}

std::string demo_file(const runtime_config& cfg, const std::string& model) {
  for (auto& item : cfg.demo)
    if (item.model == model)
      return item.file;
  throw std::runtime_error("the config's demo has no input for " + model);
}

/// "hello world" as tiny BERT's tensors.
infer_request bert_tensors() {
  return infer_request::of(
    {tensor::from_int64s("input_ids", {1, 4}, {101, 7592, 2088, 102}),
     tensor::from_int64s("attention_mask", {1, 4}, {1, 1, 1, 1}),
     tensor::from_int64s("token_type_ids", {1, 4}, {0, 0, 0, 0})});
}

infer_request image_request(const raw_input& image) {
  infer_request r;
  r.raw.push_back(image);
  return r;
}

hardware_preferences on(const runtime_config& cfg, const std::string& browser,
                        const std::string& platform) {
  auto prefs = cfg.default_preferences;
  prefs.browser = browser;
  prefs.priority_list = {platform};
  return prefs;
}

/// Runs `model` for 8 s: V8 compiles the hot WebAssembly with its
/// optimizing tier in the background for seconds after the first runs, and
/// steals the cores from everything else meanwhile.
void warm(const model_handle& model,
          const std::function<infer_request()>& make) {
  auto until = clock_type::now() + std::chrono::seconds{8};
  while (clock_type::now() < until)
    model.infer(make());
}

/// Throughput with 16 requests in flight against the physical limit: the
/// page running the same request in its own loop, with no bridge.
json throughput_row(const std::string& what, const model_handle& model,
                    const std::function<infer_request()>& make,
                    size_t requests) {
  auto piped = drive_load(
    {model}, [&](size_t) { return make(); }, requests, 16);
  auto loop = make();
  loop.page_repeat = static_cast<uint32_t>(requests);
  auto r = model.infer(loop);
  auto page_ms = r.time.total - r.time.queue - r.time.transfer;
  auto limit = double(requests) / (page_ms / 1000);
  auto rps = requests_per_second(piped, requests);
  return {{"model", what},
          {"requests", requests},
          {"inflight16_requests_per_s", rps},
          {"inflight16_compute_ms_p50", percentile(piped.compute_ms, 50)},
          {"in_page_loop_ms_per_request", page_ms / double(requests)},
          {"in_page_loop_requests_per_s", limit},
          {"fraction_of_limit", rps / limit}};
}

json bench_overhead(const runtime_config& base, size_t requests) {
  runtime rt{base};
  auto bert = rt.get_model(model_family::text_embedding, unbatched);
  warm(bert, bert_tensors);
  auto one = drive_load(
    {bert}, [](size_t) { return bert_tensors(); }, requests, 1);
  auto r = bert.infer(bert_tensors());
  json out
    = {{"model", "tiny_bert (fp32, batching off)"},
       {"browser", r.origin.browser + " " + r.origin.browser_version},
       {"platform", r.origin.platform},
       {"requests", requests},
       {"overhead_ms_p50", percentile(one.overhead_ms, 50)},
       {"overhead_ms_p99", percentile(one.overhead_ms, 99)},
       {"overhead_p50_parts_ms",
        {{"host", percentile(one.host_ms, 50)},
         {"wire", percentile(one.wire_ms, 50)},
         {"page", percentile(one.page_ms, 50)}}},
       {"sequential_requests_per_s", requests_per_second(one, requests)}};
  // Against the limit: a model whose run is shorter than the bridge's own
  // per-request work, and one whose run is longer.
  out["throughput"].push_back(throughput_row("tiny_bert (fp32, batching off)",
                                             bert, bert_tensors, requests));
  auto image = read_media_file(demo_file(base, "ppocr_rec"));
  auto rec = rt.get_model(model_family::vision, "ppocr_rec",
                          on(base, "chromium", "wasm"));
  auto make_image = [&] { return image_request(image); };
  warm(rec, make_image);
  out["throughput"].push_back(
    throughput_row("ppocr_rec (fp32, one text line image)", rec, make_image,
                   std::max<size_t>(requests / 10, 100)));
  return out;
}

json bench_concurrency(const runtime_config& base, size_t per_model) {
  auto image = read_media_file(demo_file(base, "ppocr_rec"));
  json rows = json::array();
  double one_rps = 0;
  for (size_t n = 1; n <= 4; ++n) {
    auto cfg = base;
    cfg.browsers.at("chromium").max_connections = 4;
    runtime rt{cfg};
    std::vector<model_handle> models;
    for (size_t i = 1; i <= n; ++i)
      models.push_back(rt.get_model(model_family::vision,
                                    "ppocr_rec_" + std::to_string(i),
                                    on(cfg, "chromium", "wasm")));
    auto make = [&](size_t) { return image_request(image); };
    // Warm all at once for 8 s (each browser tiers its WebAssembly up).
    auto until = clock_type::now() + std::chrono::seconds{8};
    while (clock_type::now() < until)
      drive_load(models, make, 2 * n, 2 * n);
    auto count = per_model * n;
    auto r = drive_load(models, make, count, 2 * n);
    auto rps = requests_per_second(r, count);
    if (n == 1)
      one_rps = rps;
    size_t browsers = 0;
    for (auto& k : rt.stats().kinds)
      browsers += k.connections.size();
    rows.push_back({{"models", n},
                    {"browsers", browsers},
                    {"requests_per_s", rps},
                    {"speedup", rps / one_rps}});
    std::cerr << "  " << n << " models: " << rps << " req/s" << std::endl;
  }
  return {{"model", "ppocr_rec copies, chromium, wasm"}, {"rows", rows}};
}

json bench_batching(const runtime_config& base, size_t requests) {
  runtime rt{base};
  json out{{"clients", 32}, {"requests", requests}};
  auto texts = [](size_t i) {
    infer_request r;
    r.raw.push_back(raw_input::text("request " + std::to_string(i)
                                    + " asks the browser pool for an "
                                      "embedding"));
    return r;
  };
  for (auto& name : {unbatched, std::string{"tiny_bert"}}) {
    auto model = rt.get_model(model_family::text_embedding, name);
    warm(model, [&] { return texts(0); });
    auto r = drive_load({model}, texts, requests, 32);
    out[name == unbatched ? "batch_1" : "dynamic_batching"]
      = {{"requests_per_s", requests_per_second(r, requests)},
         {"latency_ms_p50", percentile(r.total_ms, 50)},
         {"latency_ms_p99", percentile(r.total_ms, 99)},
         {"requests_in_shared_batches", r.batched}};
  }
  out["speedup"] = out["dynamic_batching"]["requests_per_s"].get<double>()
                   / out["batch_1"]["requests_per_s"].get<double>();
  return out;
}

json bench_warmup(const runtime_config& base) {
  json out;
  for (bool precompile : {false, true}) {
    runtime rt{base};
    auto caps = rt.connect_browser("chromium");
    if (!caps.webgpu.available)
      return {
        {"skipped", "chromium has no WebGPU here: " + caps.webgpu.reason}};
    auto prefs = on(base, "chromium", "webgpu");
    prefs.precompile_shaders = precompile;
    auto t0 = clock_type::now();
    auto model = rt.get_model(model_family::text_embedding, unbatched, prefs);
    auto load_ms = ms_since(t0);
    auto first = model.infer(bert_tensors());
    auto second = model.infer(bert_tensors());
    out[precompile ? "precompile_shaders" : "without"]
      = {{"load_ms", load_ms},
         {"first_inference_ms", first.time.total},
         {"second_inference_ms", second.time.total},
         {"ignored_options", first.origin.ignored_options}};
  }
  out["model"] = "tiny_bert (fp32), chromium, webgpu";
  return out;
}

json bench_loading(const runtime_config& base, size_t rounds) {
  json out{{"model", "tiny_clip (text and image towers), chromium, wasm"},
           {"rounds", rounds}};
  std::vector<double> times[2];
  for (size_t round = 0; round < rounds; ++round)
    for (bool parallel : {false, true}) {
      runtime rt{base};
      rt.connect_browser("chromium");
      auto prefs = on(base, "chromium", "wasm");
      prefs.parallel_loading = parallel;
      auto t0 = clock_type::now();
      rt.get_model(model_family::multimodal, "tiny_clip", prefs);
      times[parallel].push_back(ms_since(t0));
    }
  out["sequential_load_ms_p50"] = percentile(times[0], 50);
  out["parallel_load_ms_p50"] = percentile(times[1], 50);
  return out;
}

int bench(const cli_args& a) {
  auto cfg = bench_config(load_cli_config(a, "bench models"), 4);
  auto requests = a.get_count("--requests", 2000);
  std::set<std::string> sections{"overhead", "concurrency", "batching",
                                 "warmup", "loading"};
  if (a.has("--only")) {
    auto only = a.get("--only");
    if (sections.count(only) == 0)
      throw usage_error("--only expects one of overhead, concurrency, "
                        "batching, warmup, loading");
    sections = {only};
  }
  json report{{"benchmark", "models"}};
  auto section = [&](const std::string& name,
                     const std::function<json()>& body) {
    if (sections.count(name) == 0)
      return;
    std::cerr << "bench models: " << name << "..." << std::endl;
    report[name] = body();
    std::cerr << report[name].dump() << std::endl;
  };
  section("overhead", [&] { return bench_overhead(cfg, requests); });
  section("concurrency", [&] { return bench_concurrency(cfg, 12); });
  section("batching", [&] { return bench_batching(cfg, requests); });
  section("warmup", [&] { return bench_warmup(cfg); });
  section("loading", [&] { return bench_loading(cfg, 3); });
  print_report(a, report);
  return 0;
}

} // namespace

int models_bench_main(const cli_args& a) {
  return bench(a);
}

} // namespace webaccel
