// An ONNX model file's signature (its graph's inputs and outputs): read by
// walking protobuf fields at a fixed depth. A malformed file is a
// std::runtime_error naming what is wrong; a crash, hang or other
// exception is a bug.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "config/onnx_signature.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    webaccel::parse_onnx_signature(
      std::string_view{reinterpret_cast<const char*>(data), size});
  } catch (const std::runtime_error&) {
    // A model file that is not one.
  }
  return 0;
}
