#include "actors/rules/canary.hpp"

#include <cmath>
#include <filesystem>

#include "config/sha256.hpp"

namespace webaccel {

namespace {

constexpr int64_t width = 16;

} // namespace

std::optional<model_spec> canary_spec(const std::string& assets_dir,
                                      std::string& why_not) {
  auto path = (std::filesystem::path{assets_dir} / "models"
               / (std::string{canary_model_name} + ".onnx"))
                .string();
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  auto sha = ec ? std::nullopt : sha256_file_hex(path);
  if (!sha) {
    why_not = "the canary model " + path
              + " cannot be read (the setup command makes it)";
    return std::nullopt;
  }
  model_spec out;
  out.name = canary_model_name;
  out.family = model_family::text_embedding;
  out.variant.parts.emplace("model", model_file{path, *sha, size});
  return out;
}

page_infer_request canary_request(uint32_t timeout_ms) {
  std::vector<float> x(width);
  for (int64_t i = 0; i < width; ++i)
    x[i] = static_cast<float>(i + 1);
  page_infer_request out;
  out.inputs.push_back(tensor::from_floats("x", {width}, x));
  out.timeout_ms = timeout_ms;
  return out;
}

std::string check_canary(const page_result& res) {
  if (res.outputs.size() != 1)
    return "expected 1 output, got " + std::to_string(res.outputs.size());
  auto& y = res.outputs[0];
  if (y.type != dtype::float32 || y.element_count() != width)
    return "expected " + std::to_string(width) + " float32 values in '" + y.name
           + "'";
  auto values = y.to_floats();
  for (int64_t i = 0; i < width; ++i) {
    auto want = 2.0f * static_cast<float>(i + 1) + 1.0f;
    if (std::fabs(values[i] - want) > 1e-3f)
      return "y[" + std::to_string(i) + "] is " + std::to_string(values[i])
             + ", expected " + std::to_string(want);
  }
  return {};
}

} // namespace webaccel
