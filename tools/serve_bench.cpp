#include "tools/serve_bench.hpp"

#include <atomic>
#include <mutex>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "config/default_config.hpp"
#include "tools/serve/dashboard_feed.hpp"
#include "tools/serve/kserve_routes.hpp"
#include "tools/serve/serve_metrics.hpp"
#include "tools/stats.hpp"

namespace webaccel {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

const char* const model_name = "tiny_bert";
const char* const infer_body
  = R"({"inputs":[{"name":"text","shape":[1],"datatype":"BYTES","data":["a sentence to embed"]}]})";

/// One keep-alive HTTP/1.1 connection, blocking (bench threads only).
class keepalive_client {
public:
  explicit keepalive_client(uint16_t port) : stream_(ioc_) {
    stream_.connect(tcp::endpoint{net::ip::make_address("127.0.0.1"), port});
  }

  /// The status, and the body's size in `bytes`.
  unsigned call(http::verb verb, const std::string& target,
                const std::string& body, size_t* bytes = nullptr) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.keep_alive(true);
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    http::write(stream_, req);
    http::response<http::string_body> res;
    http::read(stream_, buffer_, res);
    if (bytes != nullptr)
      *bytes = res.body().size();
    return res.result_int();
  }

private:
  net::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

nlohmann::json latency_of(const std::vector<double>& ms) {
  return {{"p50_ms", percentile(ms, 50)},
          {"p99_ms", percentile(ms, 99)},
          {"samples", ms.size()}};
}

struct throughput {
  double per_s = 0;
  uint64_t ok = 0;
  uint64_t other = 0;
  std::vector<double> ms;
};

/// `clients` keep-alive clients sending for `seconds`.
throughput drive(uint16_t port, size_t clients, double seconds) {
  std::atomic<bool> stop{false};
  std::mutex mtx;
  throughput out;
  std::vector<std::thread> threads;
  auto started = clock_type::now();
  for (size_t i = 0; i < clients; ++i)
    threads.emplace_back([&] {
      keepalive_client c{port};
      std::vector<double> mine;
      uint64_t ok = 0, other = 0;
      while (!stop) {
        auto t = clock_type::now();
        auto status = c.call(http::verb::post,
                             std::string{"/v2/models/"} + model_name + "/infer",
                             infer_body);
        mine.push_back(ms_since(t));
        (status == 200 ? ok : other)++;
      }
      std::lock_guard<std::mutex> guard{mtx};
      out.ok += ok;
      out.other += other;
      out.ms.insert(out.ms.end(), mine.begin(), mine.end());
    });
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads)
    t.join();
  out.per_s = double(out.ok) / seconds_since(started);
  return out;
}

nlohmann::json throughput_json(const throughput& t) {
  return {{"requests_per_s", t.per_s},
          {"answered", t.ok},
          {"not_200", t.other},
          {"latency", latency_of(t.ms)}};
}

} // namespace

nlohmann::json run_serve_bench(const runtime_config& cfg,
                               const serve_bench_options& opts) {
  auto say = [&](const std::string& line) {
    if (opts.progress)
      opts.progress(line);
  };
  runtime rt{cfg};
  blocking_pool pool{4};
  model_table models{rt, cfg};
  std::atomic<bool> draining{false};
  api_server_options so;
  so.port = 0;
  auto server = api_server::start(so, kserve_routes{rt, models, pool, draining,
                                                    webaccel_version});
  auto port = server->port();
  say("loading " + std::string{model_name});
  models.want(model_name, true);
  models.load(model_name);
  auto handle = *models.loaded_handle(model_name);
  infer_request req;
  req.raw.push_back(raw_input::text("a sentence to embed"));
  keepalive_client one{port};
  auto target = std::string{"/v2/models/"} + model_name + "/infer";
  for (int i = 0; i < 50; ++i) {
    handle.infer(req);
    one.call(http::verb::post, target, infer_body);
  }
  // Interleaved, so that drift hits both alike.
  say("latency: " + std::to_string(opts.requests)
      + " requests each, embedded and over HTTP");
  std::vector<double> embedded, over_http;
  for (size_t i = 0; i < opts.requests; ++i) {
    auto t = clock_type::now();
    handle.infer(req);
    embedded.push_back(ms_since(t));
    t = clock_type::now();
    if (one.call(http::verb::post, target, infer_body) != 200)
      throw std::runtime_error("bench serve: a request failed over HTTP");
    over_http.push_back(ms_since(t));
  }
  nlohmann::json out{
    {"model", model_name},
    {"latency",
     {{"embedded", latency_of(embedded)},
      {"http", latency_of(over_http)},
      {"overhead_p50_ms", percentile(over_http, 50) - percentile(embedded, 50)},
      {"overhead_p99_ms",
       percentile(over_http, 99) - percentile(embedded, 99)}}}};
  for (auto c : opts.clients) {
    say("throughput: " + std::to_string(c) + " keep-alive clients for "
        + std::to_string(opts.seconds) + " s");
    out["throughput"][std::to_string(c) + "_clients"]
      = throughput_json(drive(port, c, opts.seconds));
  }
  // /metrics under load: 16 clients, rounds without and with scrapes in
  // turn (runs of one kind differ by up to 20 % here: one pair is noise).
  std::vector<double> without, with;
  std::vector<double> scrape_ms;
  size_t scrape_bytes = 0;
  for (size_t round = 0; round < opts.metrics_rounds; ++round) {
    say("metrics: round " + std::to_string(round + 1) + " of "
        + std::to_string(opts.metrics_rounds)
        + ", 16 clients without and with scrapes");
    without.push_back(drive(port, 16, opts.seconds).per_s);
    std::atomic<bool> scraping{true};
    std::thread scraper{[&] {
      keepalive_client c{port};
      auto gap = std::chrono::duration<double>(1.0 / opts.scrapes_per_s);
      while (scraping) {
        auto t = clock_type::now();
        c.call(http::verb::get, "/metrics", "", &scrape_bytes);
        scrape_ms.push_back(ms_since(t));
        std::this_thread::sleep_until(t + gap);
      }
    }};
    with.push_back(drive(port, 16, opts.seconds).per_s);
    scraping = false;
    scraper.join();
  }
  auto quiet = percentile(without, 50), scraped = percentile(with, 50);
  out["metrics"]
    = {{"scrapes_per_s", opts.scrapes_per_s},
       {"scrape", latency_of(scrape_ms)},
       {"scrape_bytes", scrape_bytes},
       {"requests_per_s_without", without},
       {"requests_per_s_with", with},
       {"cost_percent_of_medians", 100.0 * (quiet - scraped) / quiet}};
  // A dashboard snapshot: what the feed does each interval.
  say("dashboard: 100 snapshots");
  dashboard_events events;
  std::vector<double> snap_ms;
  size_t snap_bytes = 0;
  for (int i = 0; i < 100; ++i) {
    auto t = clock_type::now();
    auto stats = rt.stats();
    events.update(stats, 0);
    snap_bytes = dashboard_snapshot(models.figures(), models.index(), stats,
                                    rt.health(), events, 0)
                   .dump()
                   .size();
    snap_ms.push_back(ms_since(t));
  }
  out["dashboard"] = {{"snapshot", latency_of(snap_ms)},
                      {"snapshot_bytes", snap_bytes},
                      {"default_interval_ms", 1000}};
  server->stop();
  pool.stop();
  rt.shutdown();
  return out;
}

} // namespace webaccel
