// The Open Inference Protocol's infer body (JSON, and the binary tensor
// data extension after it): whatever the bytes, parse_infer answers with a
// request or an error, and never crashes, hangs or throws. The first two
// bytes choose the Inference-Header-Content-Length (none, or a split
// point), as a client's header would.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "transport/kserve/v2_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2)
    return 0;
  auto split = static_cast<size_t>(data[0]) << 8 | data[1];
  std::string_view body{reinterpret_cast<const char*>(data + 2), size - 2};
  std::optional<size_t> json_length;
  if (split != 0xffff)
    json_length = split;
  webaccel::kserve::request_limits limits;
  limits.max_elements = 1 << 16; // Keeps each run fast; the logic is the same.
  auto parsed = webaccel::kserve::parse_infer(body, json_length, limits);
  if (parsed) {
    webaccel::infer_result result;
    result.outputs = parsed.value->request.inputs;
    webaccel::kserve::encode_result("m", *parsed.value, result);
  }
  return 0;
}
