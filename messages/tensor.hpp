// A named, typed, shaped block of little-endian bytes: what flows between the
// host, the actors and the page. Tensors travel in binary WebSocket frames.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace webaccel {

/// Element types understood by onnxruntime-web, named as it names them.
enum class dtype : uint8_t {
  float32,
  float16,
  int64,
  int32,
  int8,
  uint8,
  bool8
};

/// Returns onnxruntime-web's name of `x` ("float32", "int64", "bool", ...).
const char* to_string(dtype x);

/// Parses onnxruntime-web's name of a dtype.
std::optional<dtype> parse_dtype(std::string_view name);

/// Size of one element of `x` in bytes.
size_t element_size(dtype x);

/// One tensor. `data` holds exactly product(shape) * element_size(type) bytes.
struct tensor {
  std::string name;
  dtype type = dtype::float32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;

  /// Number of elements, or -1 if a dimension is negative or it overflows.
  int64_t element_count() const;

  /// Makes a float32 tensor from values.
  static tensor from_floats(std::string name, std::vector<int64_t> shape,
                            const std::vector<float>& values);

  /// Makes an int64 tensor from values.
  static tensor from_int64s(std::string name, std::vector<int64_t> shape,
                            const std::vector<int64_t>& values);

  /// Copies the data out as floats; empty unless the type is float32.
  std::vector<float> to_floats() const;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tensor& x) {
  return f(caf::meta::type_name("tensor"), x.name, x.type, x.shape, x.data);
}

} // namespace webaccel
