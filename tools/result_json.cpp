#include "tools/result_json.hpp"

#include <algorithm>
#include <cstring>

namespace webaccel {

namespace {

constexpr size_t max_listed_values = 8;

/// Elements of a numeric tensor as doubles (empty for unhandled dtypes).
std::vector<double> as_doubles(const tensor& t) {
  std::vector<double> out;
  auto n = t.data.size() / element_size(t.type);
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    auto p = t.data.data() + i * element_size(t.type);
    switch (t.type) {
      case dtype::float32: {
        float f;
        std::memcpy(&f, p, 4);
        out.push_back(f);
        break;
      }
      case dtype::int64: {
        int64_t v;
        std::memcpy(&v, p, 8);
        out.push_back(double(v));
        break;
      }
      case dtype::int32: {
        int32_t v;
        std::memcpy(&v, p, 4);
        out.push_back(v);
        break;
      }
      case dtype::int8:
        out.push_back(static_cast<int8_t>(*p));
        break;
      case dtype::uint8:
      case dtype::bool8:
        out.push_back(*p);
        break;
      case dtype::float16:
        return {};
    }
  }
  return out;
}

} // namespace

nlohmann::json summarize_tensor(const tensor& t) {
  nlohmann::json j{{"dtype", to_string(t.type)}, {"shape", t.shape}};
  // Text a postprocessing step produced (UTF-8 bytes).
  if (t.name == "text" && t.type == dtype::uint8) {
    j["text"] = std::string{t.data.begin(), t.data.end()};
    return j;
  }
  auto values = as_doubles(t);
  if (values.empty())
    return j;
  if (values.size() <= max_listed_values) {
    j["values"] = values;
  } else {
    auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    double sum = 0;
    for (auto v : values)
      sum += v;
    j["min"] = *lo;
    j["max"] = *hi;
    j["mean"] = sum / double(values.size());
  }
  return j;
}

nlohmann::json result_to_json(const infer_result& r) {
  auto outputs = nlohmann::json::object();
  for (auto& t : r.outputs)
    outputs[t.name] = summarize_tensor(t);
  auto& o = r.origin;
  return {
    {"model", r.model},
    {"family", to_string(r.family)},
    {"synthetic_weights", r.synthetic_weights},
    {"node", o.node},
    {"browser", o.browser},
    {"browser_version", o.browser_version},
    {"platform", o.platform},
    {"execution_provider", o.execution_provider},
    {"adapter",
     {{"vendor", o.adapter.vendor},
      {"architecture", o.adapter.architecture},
      {"description", o.adapter.description},
      {"fallback", o.adapter.fallback}}},
    {"precision", o.precision},
    {"mixed_precision", o.mixed_precision},
    {"placement", o.placement},
    {"ignored_options", o.ignored_options},
    {"simulated", r.simulated},
    {"timings_ms",
     {{"queue", r.time.queue},
      {"transfer", r.time.transfer},
      {"compute", r.time.compute},
      {"total", r.time.total}}},
    {"outputs", outputs},
  };
}

} // namespace webaccel
