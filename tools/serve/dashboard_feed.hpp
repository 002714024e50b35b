// The live dashboard's data: every interval, while someone watches, one
// snapshot of the browsers and their health, the models and their queues,
// latency percentiles and recent events goes to every open dashboard
// WebSocket. Its own thread builds it (stats() and health() block), so no
// I/O or CAF thread waits.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/serve/dashboard_events.hpp"
#include "tools/serve/model_table.hpp"
#include "transport/net/api_server.hpp"

namespace webaccel {

/// One snapshot as the page gets it (pure: tested without a runtime).
nlohmann::json
dashboard_snapshot(const std::vector<served_figures>& models,
                   const std::vector<index_entry>& index,
                   const pool_stats& pool, const health_report& health,
                   const dashboard_events& events, int64_t now_ms);

class dashboard_feed {
public:
  dashboard_feed(runtime& rt, model_table& models,
                 std::chrono::milliseconds interval);

  /// Stops the thread; call before the server that owns the sockets stops.
  ~dashboard_feed();

  dashboard_feed(const dashboard_feed&) = delete;
  dashboard_feed& operator=(const dashboard_feed&) = delete;

  /// A dashboard that opened its WebSocket: it gets the next snapshot at
  /// once, then one per interval.
  void subscribe(std::weak_ptr<api_socket> socket);

  void stop();

private:
  void loop();
  void publish();

  runtime& rt_;
  model_table& models_;
  std::chrono::milliseconds interval_;
  dashboard_events events_;
  std::mutex mtx_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool fresh_ = false;
  std::vector<std::weak_ptr<api_socket>> sockets_;
  std::thread thread_;
};

} // namespace webaccel
