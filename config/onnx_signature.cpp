#include "config/onnx_signature.hpp"

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "config/runtime_config.hpp"

namespace webaccel {

namespace {

// Field numbers from onnx.proto.
constexpr uint32_t model_graph = 7;
constexpr uint32_t graph_initializer = 5;
constexpr uint32_t graph_input = 11;
constexpr uint32_t graph_output = 12;
constexpr uint32_t tensor_name = 8;
constexpr uint32_t value_name = 1;
constexpr uint32_t value_type = 2;
constexpr uint32_t type_tensor = 1;
constexpr uint32_t tensor_type_elem = 1;
constexpr uint32_t tensor_type_shape = 2;
constexpr uint32_t shape_dim = 1;
constexpr uint32_t dim_value = 1;

// The walk below follows onnx.proto's fixed path (model, graph, value,
// type, tensor type, shape, dimension): seven levels, never recursion, so a
// file's nesting cannot grow the stack. What it may grow is bounded here.
constexpr size_t max_values = 4096; // graph inputs plus outputs
constexpr size_t max_rank = 64;     // dimensions of one shape

/// One message's fields, in order.
class fields {
public:
  explicit fields(std::string_view bytes) : rest_(bytes) {
    // nop
  }

  /// The next field; false at the end.
  bool next() {
    if (rest_.empty())
      return false;
    auto key = varint();
    number_ = static_cast<uint32_t>(key >> 3);
    wire_ = static_cast<uint32_t>(key & 7);
    switch (wire_) {
      case 0:
        value_ = varint();
        break;
      case 1:
        skip(8);
        break;
      case 2: {
        auto n = varint();
        if (n > rest_.size())
          throw std::runtime_error("a field runs past the end of its message");
        bytes_ = rest_.substr(0, n);
        rest_.remove_prefix(n);
        break;
      }
      case 5:
        skip(4);
        break;
      default:
        throw std::runtime_error("unknown protobuf wire type "
                                 + std::to_string(wire_));
    }
    return true;
  }

  uint32_t number() const {
    return number_;
  }

  bool is(uint32_t number, uint32_t wire) const {
    return number_ == number && wire_ == wire;
  }

  uint64_t value() const {
    return value_;
  }

  std::string_view bytes() const {
    return bytes_;
  }

private:
  uint64_t varint() {
    uint64_t out = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (rest_.empty())
        throw std::runtime_error("the file ends inside a number");
      auto b = static_cast<uint8_t>(rest_.front());
      rest_.remove_prefix(1);
      out |= uint64_t(b & 0x7f) << shift;
      if ((b & 0x80) == 0)
        return out;
    }
    throw std::runtime_error("a number is longer than 10 bytes");
  }

  void skip(size_t n) {
    if (n > rest_.size())
      throw std::runtime_error("the file ends inside a field");
    rest_.remove_prefix(n);
  }

  std::string_view rest_;
  uint32_t number_ = 0;
  uint32_t wire_ = 0;
  uint64_t value_ = 0;
  std::string_view bytes_;
};

std::vector<int64_t> read_shape(std::string_view shape) {
  std::vector<int64_t> dims;
  for (fields s{shape}; s.next();) {
    if (!s.is(shape_dim, 2))
      continue;
    if (dims.size() == max_rank)
      throw std::runtime_error("a shape has more than "
                               + std::to_string(max_rank) + " dimensions");
    int64_t size = -1;
    for (fields d{s.bytes()}; d.next();)
      if (d.is(dim_value, 0))
        size = static_cast<int64_t>(d.value());
    dims.push_back(size);
  }
  return dims;
}

onnx_value read_value(std::string_view info) {
  onnx_value out;
  for (fields v{info}; v.next();) {
    if (v.is(value_name, 2)) {
      out.name = std::string{v.bytes()};
    } else if (v.is(value_type, 2)) {
      for (fields t{v.bytes()}; t.next();) {
        if (!t.is(type_tensor, 2))
          continue;
        for (fields tt{t.bytes()}; tt.next();) {
          if (tt.is(tensor_type_elem, 0))
            out.elem_type = static_cast<int32_t>(tt.value());
          else if (tt.is(tensor_type_shape, 2))
            out.dims = read_shape(tt.bytes());
        }
      }
    }
  }
  return out;
}

} // namespace

onnx_signature parse_onnx_signature(std::string_view model_bytes) {
  std::string_view graph;
  bool found = false;
  for (fields m{model_bytes}; m.next();)
    if (m.is(model_graph, 2)) {
      graph = m.bytes();
      found = true;
    }
  if (!found)
    throw std::runtime_error("no graph in the model");
  std::set<std::string> initialized;
  std::vector<onnx_value> inputs;
  onnx_signature out;
  for (fields g{graph}; g.next();) {
    if (inputs.size() + out.outputs.size() > max_values)
      throw std::runtime_error("the graph has more than "
                               + std::to_string(max_values)
                               + " inputs and outputs");
    if (g.is(graph_initializer, 2)) {
      for (fields t{g.bytes()}; t.next();)
        if (t.is(tensor_name, 2))
          initialized.emplace(t.bytes());
    } else if (g.is(graph_input, 2)) {
      inputs.push_back(read_value(g.bytes()));
    } else if (g.is(graph_output, 2)) {
      out.outputs.push_back(read_value(g.bytes()));
    }
  }
  for (auto& in : inputs)
    if (initialized.count(in.name) == 0)
      out.inputs.push_back(std::move(in));
  return out;
}

onnx_signature read_onnx_signature(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    throw config_error(path + ": cannot read the model file");
  std::stringstream buf;
  buf << in.rdbuf();
  try {
    return parse_onnx_signature(buf.str());
  } catch (const std::runtime_error& e) {
    throw config_error(path + ": not an ONNX model: " + e.what());
  }
}

} // namespace webaccel
