// The models `webaccel serve` offers: each registry model's state (not
// loaded, loading, ready, failed with its reason), its handle once loaded,
// and its statistics in Triton's shape. Shared by the HTTP threads and the
// loaders; one mutex.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/runtime.hpp"
#include "config/onnx_signature.hpp"
#include "tools/serve/duration_histogram.hpp"
#include "tools/serve/served_model.hpp"

namespace webaccel {

/// What a served model has answered, for /stats and /metrics.
struct served_figures {
  std::string name;
  uint64_t success = 0;
  uint64_t failure = 0;
  /// Failures by error category.
  std::map<std::string, uint64_t> failures;
  double success_ms = 0;
  double failure_ms = 0;
  double queue_ms = 0;
  double compute_ms = 0;
  /// Requests, and batches run (a batch counts once).
  uint64_t inferences = 0;
  double executions = 0;
  int64_t last_inference_ms = 0;
  /// Requests sent to the runtime and not answered yet.
  uint64_t pending = 0;
  /// Successful requests' total, queue and compute times.
  duration_histogram request_seconds;
  duration_histogram queue_seconds;
  duration_histogram compute_seconds;
};

/// One line of the repository index.
struct index_entry {
  std::string name;
  served_state state = served_state::unloaded;
  std::string reason;
};

class model_table {
public:
  model_table(runtime& rt, const runtime_config& cfg);

  /// Whether the registry has a model of this name.
  bool known(const std::string& name) const;

  /// Loads `name` (blocking: a browser may start); ready after, or
  /// unavailable with the reason. @throws failure as get_model does
  void load(const std::string& name);

  /// Unloads it; false if it was not loaded.
  bool unload(const std::string& name);

  /// Its handle if it is loaded (ready or failing): requests go to it.
  std::optional<model_handle> loaded_handle(const std::string& name) const;

  /// Whether it is ready (GET /v2/models/{m}/ready).
  bool is_ready(const std::string& name) const;

  /// Whether every one of `names` is ready.
  bool all_ready(const std::vector<std::string>& names) const;

  /// Marks `name` as asked for (loaded at start, or by the repository API)
  /// or not (unloaded by it): the server is ready when every model asked
  /// for is, and the loader keeps loading them.
  void want(const std::string& name, bool wanted);

  /// The models asked for, in name order.
  std::vector<std::string> wanted() const;

  /// Those of `names` that are not ready, with their state and reason.
  std::vector<index_entry>
  not_ready(const std::vector<std::string>& names) const;

  std::vector<index_entry> index() const;

  /// The registry's entry (inputs, outputs, family); nullptr if unknown.
  const model_entry* entry(const std::string& name) const;

  /// The graph inputs and outputs of its first variant's files, read once.
  /// @throws config_error if a file is not an ONNX model
  std::shared_ptr<const onnx_signature> signature(const std::string& name);

  /// Counts a request sent to the runtime (pending until recorded).
  void begin(const std::string& name);

  /// Counts an answered request (`result`) or a failed one (`error`).
  void record(const std::string& name, const infer_result* result,
              const failure* error, double total_ms);

  /// Every model's figures, in name order.
  std::vector<served_figures> figures() const;

  /// GET /v2/models/{m}/stats, in Triton's statistics extension's shape.
  nlohmann::json stats(const std::string& name) const;

  /// GET /v2/models/stats: every model's, in name order.
  nlohmann::json stats_of_all() const;

private:
  struct slot {
    served_model model;
    std::optional<model_handle> handle;
    served_figures figures;
    std::shared_ptr<const onnx_signature> signature;
  };

  runtime& rt_;
  const runtime_config& cfg_;
  mutable std::mutex mtx_;
  std::map<std::string, slot> slots_;
  std::set<std::string> wanted_;
};

} // namespace webaccel
