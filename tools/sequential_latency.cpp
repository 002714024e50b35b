#include "tools/sequential_latency.hpp"

#include "tools/stats.hpp"

namespace webaccel {

nlohmann::json sequential_latency(const model_handle& model,
                                  const infer_request& input, size_t requests) {
  for (int i = 0; i < 20; ++i)
    model.infer(input);
  std::vector<double> ms;
  provenance last;
  for (size_t i = 0; i < requests; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = model.infer(input);
    ms.push_back(ms_since(t0));
    last = r.origin;
  }
  auto out = latency_summary(ms);
  out["node"] = last.node;
  out["platform"] = last.platform;
  return out;
}

} // namespace webaccel
