// The Open Inference Protocol's endpoints (and Triton's model repository
// and statistics extensions) over the runtime: api_server hands each
// request here. Inference runs through infer_async and never holds an I/O
// thread; loads, unloads, stats and /metrics run on the blocking pool.
#pragma once

#include <atomic>
#include <string>

#include "tools/serve/model_table.hpp"
#include "transport/blocking_pool.hpp"
#include "transport/net/api_server.hpp"

namespace webaccel {

class kserve_routes {
public:
  /// The server is ready while not `draining` and every model asked for
  /// (model_table::wanted) is ready.
  kserve_routes(runtime& rt, model_table& models, blocking_pool& pool,
                const std::atomic<bool>& draining, std::string version)
    : rt_(rt),
      models_(models),
      pool_(pool),
      draining_(draining),
      version_(std::move(version)) {
    // nop
  }

  void operator()(api_request req, api_reply reply);

private:
  void ready(api_reply reply);
  void repository(const std::string& model, bool load, api_reply reply);
  void infer(const std::string& model, api_request req, api_reply reply);
  /// GET /v2/models/{m}, or with `triton_config` its /config.
  void metadata(const std::string& model, bool triton_config, api_reply reply);
  void metrics(api_reply reply);
  void dashboard_file(bool script, api_reply reply);

  runtime& rt_;
  model_table& models_;
  blocking_pool& pool_;
  const std::atomic<bool>& draining_;
  std::string version_;
};

/// The HTTP status of an error category (overloaded 429, shutting down and
/// no browser 503, timeout 504, a bad request 400, the rest 500).
unsigned http_status_of(errc code);

} // namespace webaccel
