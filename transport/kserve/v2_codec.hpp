// The Open Inference Protocol (KServe v2) over HTTP as pure functions: an
// infer request's JSON (with the binary tensor data extension) into an
// infer_request, an infer_result into the response's JSON and binary
// parts, error bodies, and the protocol's datatype names. No I/O here: the
// serve command's routes call these, and unit tests check them without a
// server.
//
// Datatypes: BOOL, UINT8, INT8, INT32, INT64, FP16 and FP32 map to the
// tensor types onnxruntime-web takes; BYTES inputs carry raw text, images
// or audio for models with page-side preprocessing (each element is told
// apart by its first bytes: WAV, PNG, JPEG, GIF, WebP, BMP, else UTF-8
// text). Other datatypes of the protocol are refused by name.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "messages/inference.hpp"
#include "transport/wire/wire_format.hpp"

namespace webaccel::kserve {

/// The protocol's name of `x` ("FP32", "INT64", ...).
const char* datatype_name(dtype x);

/// The tensor type of a protocol datatype; nullopt for BYTES and for the
/// ones onnxruntime-web models here cannot take (FP64, INT16, UINT16, ...).
std::optional<dtype> parse_datatype(std::string_view name);

/// Limits on what a request may ask for.
struct request_limits {
  /// Elements of one input tensor.
  uint64_t max_elements = uint64_t{1} << 26;
  /// Inputs of one request.
  size_t max_inputs = 64;
  /// Dimensions of one input's shape.
  size_t max_rank = 32;
};

/// An infer request as the route hands it to the runtime.
struct parsed_infer {
  std::string id;
  infer_request request;
  /// Every input's name, in the request's order (BYTES inputs become raw
  /// inputs named by their content, so their names are kept here).
  std::vector<std::string> input_names;
  /// The outputs asked for by name (empty = all), and which of them (or
  /// all, `binary_all`) come back as binary data.
  std::vector<std::string> outputs;
  std::set<std::string> binary_outputs;
  bool binary_all = false;
};

/// Parses the body of POST /v2/models/{m}/infer. `json_length` is the
/// Inference-Header-Content-Length header (the JSON's size when binary
/// tensor data follows it; nullopt: the whole body is JSON). Errors name
/// the input and what is wrong with it. The JSON is refused before parsing
/// when nested deeper than json_input::max_depth (64) levels; nothing here
/// recurses over it.
wire::decoded<parsed_infer> parse_infer(std::string_view body,
                                        std::optional<size_t> json_length,
                                        const request_limits& limits = {});

/// A response: its JSON part, and binary data after it (then the route
/// sets Inference-Header-Content-Length to `json.size()`).
struct encoded_response {
  std::string json;
  std::string binary;
};

/// The response to an answered request: its outputs (those asked for), and
/// in `parameters` its provenance and timings.
encoded_response encode_result(const std::string& model_name,
                               const parsed_infer& asked,
                               const infer_result& result);

/// `{"error": "<category>: <what>"}`.
std::string error_body(const std::string& category, const std::string& what);

} // namespace webaccel::kserve
