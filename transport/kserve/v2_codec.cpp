#include "transport/kserve/v2_codec.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include "config/json_input.hpp"
#include "transport/kserve/fp16.hpp"
#include "transport/wire/media_file.hpp"

namespace webaccel::kserve {

namespace {

using json = nlohmann::json;
using wire::decoded;

struct datatype_entry {
  const char* name;
  dtype type;
};

constexpr datatype_entry datatypes[] = {
  {"BOOL", dtype::bool8},   {"UINT8", dtype::uint8}, {"INT8", dtype::int8},
  {"INT32", dtype::int32},  {"INT64", dtype::int64}, {"FP16", dtype::float16},
  {"FP32", dtype::float32},
};

/// Protocol datatypes no model here takes, for a clear refusal.
constexpr const char* unsupported[] = {"UINT16", "UINT32", "UINT64",
                                       "INT16",  "FP64",   "BF16"};

template <class T>
void append(std::vector<uint8_t>& out, T value) {
  uint8_t bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.insert(out.end(), bytes, bytes + sizeof(T));
}

using json_input::excerpt;

/// The elements of `data`, nested arrays flattened in row-major order,
/// without recursion: at most `limit` of them into `out` (the caller
/// refuses any count but its shape's, so a huge array costs no memory).
/// Returns how many there are.
size_t flatten(const json& data, size_t limit, std::vector<const json*>& out) {
  if (!data.is_array()) {
    out.push_back(&data);
    return 1;
  }
  size_t found = 0;
  // Each open array and the index of its next element.
  std::vector<std::pair<const json*, size_t>> open{{&data, 0}};
  while (!open.empty()) {
    auto& [array, next] = open.back();
    if (next == array->size()) {
      open.pop_back();
      continue;
    }
    const json& x = (*array)[next++];
    if (x.is_array())
      open.emplace_back(&x, 0);
    else if (++found <= limit)
      out.push_back(&x);
  }
  return found;
}

/// "shape [2,3] holds 6 elements, 'data' 5".
std::string count_mismatch(const json& shape, uint64_t count, size_t found) {
  return "shape " + excerpt(shape) + " holds " + std::to_string(count)
         + " elements, 'data' " + std::to_string(found);
}

/// Appends one JSON element as `type`; an error if it is not one.
std::string append_element(const json& x, dtype type,
                           std::vector<uint8_t>& out) {
  auto integer = [&](int64_t lo, int64_t hi) -> std::optional<int64_t> {
    if (x.is_number_integer()) {
      auto v = x.get<int64_t>();
      if (v >= lo && v <= hi)
        return v;
      return std::nullopt;
    }
    if (x.is_number_unsigned()) {
      auto v = x.get<uint64_t>();
      if (v <= static_cast<uint64_t>(hi))
        return static_cast<int64_t>(v);
    }
    return std::nullopt;
  };
  switch (type) {
    case dtype::bool8:
      if (!x.is_boolean())
        return "expected true or false, got " + excerpt(x);
      out.push_back(x.get<bool>() ? 1 : 0);
      return {};
    case dtype::float32:
    case dtype::float16: {
      if (!x.is_number())
        return "expected a number, got " + excerpt(x);
      auto v = x.get<double>();
      if (std::fabs(v) > std::numeric_limits<float>::max())
        return "the number " + excerpt(x) + " is out of range";
      if (type == dtype::float32)
        append(out, static_cast<float>(v));
      else
        append(out, to_half(static_cast<float>(v)));
      return {};
    }
    default:
      break;
  }
  int64_t lo = 0, hi = 0;
  switch (type) {
    case dtype::uint8:
      lo = 0, hi = 255;
      break;
    case dtype::int8:
      lo = -128, hi = 127;
      break;
    case dtype::int32:
      lo = std::numeric_limits<int32_t>::min();
      hi = std::numeric_limits<int32_t>::max();
      break;
    default:
      lo = std::numeric_limits<int64_t>::min();
      hi = std::numeric_limits<int64_t>::max();
  }
  auto v = integer(lo, hi);
  if (!v)
    return "expected an integer from " + std::to_string(lo) + " to "
           + std::to_string(hi) + ", got " + excerpt(x);
  switch (type) {
    case dtype::uint8:
      out.push_back(static_cast<uint8_t>(*v));
      break;
    case dtype::int8:
      append(out, static_cast<int8_t>(*v));
      break;
    case dtype::int32:
      append(out, static_cast<int32_t>(*v));
      break;
    default:
      append(out, *v);
  }
  return {};
}

/// One BYTES element as a raw input: media told by its first bytes, else
/// UTF-8 text.
raw_input raw_of(std::vector<uint8_t> bytes) {
  if (auto media = sniff_media(bytes))
    return {media->first, media->second, std::move(bytes)};
  return {"text", "text/plain", std::move(bytes)};
}

/// Splits BYTES binary data: each element is a 4-byte little-endian length
/// and that many bytes.
decoded<std::vector<std::vector<uint8_t>>> split_bytes(std::string_view data,
                                                       uint64_t count) {
  std::vector<std::vector<uint8_t>> out;
  size_t at = 0;
  while (at < data.size()) {
    if (data.size() - at < 4)
      return decoded<std::vector<std::vector<uint8_t>>>::fail(
        "BYTES data ends inside an element's length");
    uint32_t n = 0;
    for (int i = 3; i >= 0; --i)
      n = n << 8 | static_cast<uint8_t>(data[at + i]);
    at += 4;
    if (data.size() - at < n)
      return decoded<std::vector<std::vector<uint8_t>>>::fail(
        "a BYTES element says " + std::to_string(n) + " bytes, but only "
        + std::to_string(data.size() - at) + " follow");
    out.emplace_back(data.begin() + at, data.begin() + at + n);
    at += n;
  }
  if (out.size() != count)
    return decoded<std::vector<std::vector<uint8_t>>>::fail(
      "shape says " + std::to_string(count) + " BYTES elements, the data has "
      + std::to_string(out.size()));
  return decoded<std::vector<std::vector<uint8_t>>>::ok(std::move(out));
}

} // namespace

const char* datatype_name(dtype x) {
  for (auto& d : datatypes)
    if (d.type == x)
      return d.name;
  return "FP32";
}

std::optional<dtype> parse_datatype(std::string_view name) {
  for (auto& d : datatypes)
    if (name == d.name)
      return d.type;
  return std::nullopt;
}

wire::decoded<parsed_infer> parse_infer(std::string_view body,
                                        std::optional<size_t> json_length,
                                        const request_limits& limits) {
  using result = decoded<parsed_infer>;
  if (json_length && *json_length > body.size())
    return result::fail("Inference-Header-Content-Length is "
                        + std::to_string(*json_length) + ", but the body has "
                        + std::to_string(body.size()) + " bytes");
  auto head = body.substr(0, json_length.value_or(body.size()));
  auto binary = json_length ? body.substr(*json_length) : std::string_view{};
  auto read = json_input::parse(head);
  if (!read)
    return result::fail(read.too_deep ? "the request body is " + read.error
                                      : "the request body is not valid JSON");
  auto& doc = read.doc;
  if (!doc.is_object())
    return result::fail("the request body must be a JSON object");
  parsed_infer out;
  if (auto id = doc.find("id"); id != doc.end()) {
    if (!id->is_string())
      return result::fail("'id' must be a string");
    out.id = id->get<std::string>();
  }
  if (auto p = doc.find("parameters"); p != doc.end()) {
    if (!p->is_object())
      return result::fail("'parameters' must be an object");
    out.binary_all = json_input::bool_or(*p, "binary_data_output");
    if (auto t = p->find("timeout_ms");
        t != p->end() && t->is_number_unsigned())
      out.request.timeout_ms = static_cast<uint32_t>(
        std::min<uint64_t>(t->get<uint64_t>(), 3600 * 1000));
  }
  auto inputs = doc.find("inputs");
  if (inputs == doc.end() || !inputs->is_array() || inputs->empty())
    return result::fail("'inputs' must be a non-empty array");
  if (inputs->size() > limits.max_inputs)
    return result::fail("at most " + std::to_string(limits.max_inputs)
                        + " inputs, got " + std::to_string(inputs->size()));
  size_t cursor = 0;
  std::set<std::string> names;
  for (size_t i = 0; i < inputs->size(); ++i) {
    auto& in = (*inputs)[i];
    auto where = "inputs[" + std::to_string(i) + "]";
    if (!in.is_object())
      return result::fail(where + " must be an object");
    auto input_name = json_input::string_at(in, "name");
    auto* shape_at = json_input::array_at(in, "shape");
    auto type_name = json_input::string_at(in, "datatype");
    if (!input_name || input_name->empty())
      return result::fail(where + ": 'name' must be a non-empty string");
    where = "input '" + *input_name + "'";
    if (!names.insert(*input_name).second)
      return result::fail(where + " is given twice");
    out.input_names.push_back(*input_name);
    if (!type_name)
      return result::fail(where + ": 'datatype' must be a string");
    if (shape_at == nullptr)
      return result::fail(where + ": 'shape' must be an array of integers");
    auto& shape = *shape_at;
    if (shape.size() > limits.max_rank)
      return result::fail(where + ": a shape of at most "
                          + std::to_string(limits.max_rank)
                          + " dimensions, got " + std::to_string(shape.size()));
    std::vector<int64_t> dims;
    uint64_t count = 1;
    for (auto& d : shape) {
      if (!d.is_number_integer() || d.get<int64_t>() < 0)
        return result::fail(where + ": 'shape' must hold integers >= 0, got "
                            + excerpt(shape));
      dims.push_back(d.get<int64_t>());
      if (dims.back() != 0
          && count > limits.max_elements / static_cast<uint64_t>(dims.back()))
        return result::fail(where + ": more than "
                            + std::to_string(limits.max_elements)
                            + " elements");
      count *= static_cast<uint64_t>(dims.back());
    }
    if (count > limits.max_elements)
      return result::fail(where + ": more than "
                          + std::to_string(limits.max_elements) + " elements");
    auto datatype = *type_name;
    // Where its data is: a slice of the binary part, or JSON.
    std::optional<std::string_view> bin;
    auto* params = json_input::object_at(in, "parameters");
    if (auto* size = params ? json_input::member(*params, "binary_data_size")
                            : nullptr) {
      if (!size->is_number_unsigned())
        return result::fail(where
                            + ": 'binary_data_size' must be an integer >= 0");
      auto n = size->get<uint64_t>();
      if (n > binary.size() - cursor)
        return result::fail(where + ": binary_data_size " + std::to_string(n)
                            + " passes the end of the body");
      bin = binary.substr(cursor, n);
      cursor += n;
    }
    auto* data = json_input::member(in, "data");
    if (!bin && data == nullptr)
      return result::fail(where + ": no 'data' and no binary_data_size");
    if (datatype == "BYTES") {
      std::vector<std::vector<uint8_t>> elements;
      if (bin) {
        auto split = split_bytes(*bin, count);
        if (!split)
          return result::fail(where + ": " + split.error);
        elements = std::move(*split.value);
      } else {
        std::vector<const json*> xs;
        if (auto found = flatten(*data, count, xs); found != count)
          return result::fail(where + ": "
                              + count_mismatch(shape, count, found));
        for (auto* x : xs) {
          if (!x->is_string())
            return result::fail(where + ": BYTES data must be strings, got "
                                + excerpt(*x));
          auto s = x->get<std::string>();
          elements.emplace_back(s.begin(), s.end());
        }
      }
      for (auto& e : elements)
        out.request.raw.push_back(raw_of(std::move(e)));
      continue;
    }
    auto type = parse_datatype(datatype);
    if (!type) {
      for (auto u : unsupported)
        if (datatype == u)
          return result::fail(where + ": datatype " + datatype
                              + " is not one these models take (BOOL, UINT8, "
                                "INT8, INT32, INT64, FP16, FP32, BYTES)");
      return result::fail(where + ": unknown datatype '" + datatype + "'");
    }
    tensor t;
    t.name = *input_name;
    t.type = *type;
    t.shape = dims;
    if (bin) {
      auto want = count * element_size(*type);
      if (bin->size() != want)
        return result::fail(where + ": shape " + excerpt(shape) + " of "
                            + datatype + " needs " + std::to_string(want)
                            + " bytes, binary_data_size is "
                            + std::to_string(bin->size()));
      t.data.assign(bin->begin(), bin->end());
    } else {
      std::vector<const json*> xs;
      if (auto found = flatten(*data, count, xs); found != count)
        return result::fail(where + ": " + count_mismatch(shape, count, found));
      t.data.reserve(count * element_size(*type));
      for (size_t k = 0; k < xs.size(); ++k)
        if (auto err = append_element(*xs[k], *type, t.data); !err.empty())
          return result::fail(where + ": data[" + std::to_string(k)
                              + "]: " + err);
    }
    out.request.inputs.push_back(std::move(t));
  }
  if (cursor != binary.size())
    return result::fail(std::to_string(binary.size() - cursor)
                        + " bytes of binary data belong to no input");
  if (auto outs = doc.find("outputs"); outs != doc.end()) {
    if (!outs->is_array())
      return result::fail("'outputs' must be an array");
    for (auto& o : *outs) {
      auto name = json_input::string_at(o, "name");
      if (!name)
        return result::fail("each of 'outputs' needs a 'name'");
      out.outputs.push_back(*name);
      if (auto* op = json_input::object_at(o, "parameters");
          op != nullptr && json_input::bool_or(*op, "binary_data"))
        out.binary_outputs.insert(*name);
    }
  }
  return result::ok(std::move(out));
}

encoded_response encode_result(const std::string& model_name,
                               const parsed_infer& asked,
                               const infer_result& result) {
  json outputs = json::array();
  std::string binary;
  for (auto& t : result.outputs) {
    if (!asked.outputs.empty()
        && std::find(asked.outputs.begin(), asked.outputs.end(), t.name)
             == asked.outputs.end())
      continue;
    json o{{"name", t.name}};
    auto as_binary = asked.binary_all || asked.binary_outputs.count(t.name);
    // A page-side pipeline's text ("text", UTF-8 bytes) is one BYTES string.
    if (t.name == "text" && t.type == dtype::uint8) {
      o["datatype"] = "BYTES";
      o["shape"] = {1};
      std::string text{t.data.begin(), t.data.end()};
      if (as_binary) {
        auto n = static_cast<uint32_t>(text.size());
        for (int i = 0; i < 4; ++i)
          binary += static_cast<char>((n >> (8 * i)) & 0xff);
        binary += text;
        o["parameters"] = {{"binary_data_size", text.size() + 4}};
      } else {
        o["data"] = {text};
      }
      outputs.push_back(std::move(o));
      continue;
    }
    o["datatype"] = datatype_name(t.type);
    o["shape"] = t.shape;
    if (as_binary) {
      binary.append(t.data.begin(), t.data.end());
      o["parameters"] = {{"binary_data_size", t.data.size()}};
      outputs.push_back(std::move(o));
      continue;
    }
    json data = json::array();
    auto n = static_cast<size_t>(t.element_count());
    auto at = [&](size_t i, size_t size) { return t.data.data() + i * size; };
    for (size_t i = 0; i < n; ++i) {
      switch (t.type) {
        case dtype::float32: {
          float v;
          std::memcpy(&v, at(i, 4), 4);
          data.push_back(v);
          break;
        }
        case dtype::float16: {
          uint16_t h;
          std::memcpy(&h, at(i, 2), 2);
          data.push_back(from_half(h));
          break;
        }
        case dtype::int64: {
          int64_t v;
          std::memcpy(&v, at(i, 8), 8);
          data.push_back(v);
          break;
        }
        case dtype::int32: {
          int32_t v;
          std::memcpy(&v, at(i, 4), 4);
          data.push_back(v);
          break;
        }
        case dtype::int8:
          data.push_back(static_cast<int8_t>(t.data[i]));
          break;
        case dtype::uint8:
          data.push_back(t.data[i]);
          break;
        case dtype::bool8:
          data.push_back(t.data[i] != 0);
          break;
      }
    }
    o["data"] = std::move(data);
    outputs.push_back(std::move(o));
  }
  auto& p = result.origin;
  json parameters{{"node", p.node},
                  {"browser", p.browser},
                  {"browser_version", p.browser_version},
                  {"platform", p.platform},
                  {"precision", p.precision},
                  {"mixed_precision", p.mixed_precision},
                  {"execution_provider", p.execution_provider},
                  {"placement", p.placement},
                  {"adapter",
                   p.adapter.vendor.empty()
                     ? p.adapter.description
                     : p.adapter.vendor + " " + p.adapter.architecture},
                  {"software_adapter", p.adapter.fallback},
                  {"simulated", result.simulated},
                  {"synthetic_weights", result.synthetic_weights},
                  {"batch_size", result.batch_size},
                  {"queue_ms", result.time.queue},
                  {"transfer_ms", result.time.transfer},
                  {"compute_ms", result.time.compute},
                  {"total_ms", result.time.total}};
  json doc{{"model_name", model_name},
           {"model_version", "1"},
           {"outputs", std::move(outputs)},
           {"parameters", std::move(parameters)}};
  if (!asked.id.empty())
    doc["id"] = asked.id;
  return {doc.dump(), std::move(binary)};
}

std::string error_body(const std::string& category, const std::string& what) {
  return json{{"error", category + ": " + what}}.dump();
}

} // namespace webaccel::kserve
