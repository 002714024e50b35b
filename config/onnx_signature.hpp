// A model file's signature: the names, element types and shapes of its
// graph's inputs and outputs, read from the ONNX protobuf with a reader of
// its own (five message types, no protobuf library). Inputs that have an
// initializer (weights older exporters list as inputs) are left out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace webaccel {

struct onnx_value {
  std::string name;
  /// ONNX's TensorProto.DataType (1 FLOAT, 7 INT64, 10 FLOAT16, ...); 0
  /// when the value is not a tensor.
  int32_t elem_type = 0;
  /// One per axis; -1 for a named or unknown size.
  std::vector<int64_t> dims;
};

struct onnx_signature {
  std::vector<onnx_value> inputs;
  std::vector<onnx_value> outputs;
};

/// Parses a serialized ModelProto. @throws std::runtime_error saying what
/// is malformed
onnx_signature parse_onnx_signature(std::string_view model_bytes);

/// Reads and parses a model file. @throws config_error naming the file
onnx_signature read_onnx_signature(const std::string& path);

} // namespace webaccel
