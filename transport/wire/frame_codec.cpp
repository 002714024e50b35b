// The wire format's two building blocks, shared by both directions:
// JSON field access that never throws (a page is outside input), and binary
// frames (a JSON header, then tensor and raw-input bytes). See
// frame_codec.hpp.
#include "transport/wire/frame_codec.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "config/json_input.hpp"

namespace webaccel::wire::detail {

// -- JSON field access that never throws -------------------------------------

// The wire's readers are json_input's, with the page's own length caps.

std::optional<uint64_t> get_u64(const json& obj, const char* key) {
  return json_input::unsigned_at(obj, key);
}

std::optional<double> get_number(const json& obj, const char* key) {
  auto* x = json_input::member(obj, key);
  if (x == nullptr || !x->is_number())
    return std::nullopt;
  return x->get<double>();
}

std::string get_string(const json& obj, const char* key, size_t max_len) {
  auto s = json_input::string_or(obj, key);
  if (s.size() > max_len)
    s.resize(max_len);
  return s;
}

bool get_bool(const json& obj, const char* key) {
  return json_input::bool_or(obj, key);
}

const json& get_object(const json& obj, const char* key) {
  static const json empty = json::object();
  auto* x = json_input::object_at(obj, key);
  return x != nullptr ? *x : empty;
}

std::vector<std::string> get_names(const json& obj, const char* key,
                                   const limits& lim) {
  std::vector<std::string> out;
  auto* names = json_input::array_at(obj, key);
  if (names == nullptr)
    return out;
  for (auto& x : *names)
    if (x.is_string() && out.size() < lim.max_tensors)
      out.push_back(x.get<std::string>().substr(0, lim.max_name_bytes));
  return out;
}

std::string to_text(const json& doc) {
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<json> parse_json(std::string_view text) {
  auto read = json_input::parse(text);
  if (!read)
    return std::nullopt;
  return std::move(read.doc);
}

platform_support read_platform(const json& obj) {
  return {get_bool(obj, "available"),
          get_string(obj, "reason", max_error_text)};
}

// -- binary frames ------------------------------------------------------------

decoded<std::vector<uint8_t>>
pack(json header, const std::vector<tensor>& tensors, const limits& lim,
     const std::vector<raw_input>& raws,
     const std::vector<uint32_t>& tensor_items,
     const std::vector<uint32_t>& raw_items) {
  using res = decoded<std::vector<uint8_t>>;
  if (tensors.size() + raws.size() > lim.max_tensors)
    return res::fail("too many tensors: "
                     + std::to_string(tensors.size() + raws.size()) + " > "
                     + std::to_string(lim.max_tensors));
  auto specs = json::array();
  uint64_t offset = 0;
  for (auto& t : tensors) {
    auto n = t.element_count();
    if (n < 0)
      return res::fail("tensor '" + t.name + "' has an invalid shape");
    if (static_cast<uint64_t>(n) * element_size(t.type) != t.data.size())
      return res::fail(
        "tensor '" + t.name + "' holds " + std::to_string(t.data.size())
        + " bytes, its shape and dtype need "
        + std::to_string(static_cast<uint64_t>(n) * element_size(t.type)));
    specs.push_back({{"name", t.name},
                     {"dtype", to_string(t.type)},
                     {"shape", t.shape},
                     {"offset", offset},
                     {"length", t.data.size()}});
    if (specs.size() <= tensor_items.size())
      specs.back()["item"] = tensor_items[specs.size() - 1];
    offset += t.data.size();
  }
  header["tensors"] = std::move(specs);
  if (!raws.empty()) {
    auto raw_specs = json::array();
    for (auto& r : raws) {
      if (r.name.empty() || r.name.size() > lim.max_name_bytes
          || r.media_type.size() > lim.max_name_bytes)
        return res::fail("a raw input needs a name and a media type of at most "
                         + std::to_string(lim.max_name_bytes) + " bytes");
      raw_specs.push_back({{"name", r.name},
                           {"media_type", r.media_type},
                           {"offset", offset},
                           {"length", r.data.size()}});
      if (raw_specs.size() <= raw_items.size())
        raw_specs.back()["item"] = raw_items[raw_specs.size() - 1];
      offset += r.data.size();
    }
    header["raw"] = std::move(raw_specs);
  }
  auto head = to_text(header);
  auto total = 4 + head.size() + offset;
  if (head.size() > lim.max_header_bytes || total > lim.max_message_bytes)
    return res::fail("frame of " + std::to_string(total)
                     + " bytes exceeds the limit of "
                     + std::to_string(lim.max_message_bytes));
  std::vector<uint8_t> out;
  out.reserve(total);
  auto len = static_cast<uint32_t>(head.size());
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<uint8_t>(len >> (8 * i)));
  out.insert(out.end(), head.begin(), head.end());
  for (auto& t : tensors)
    out.insert(out.end(), t.data.begin(), t.data.end());
  for (auto& r : raws)
    out.insert(out.end(), r.data.begin(), r.data.end());
  return res::ok(std::move(out));
}

decoded<unpacked> unpack(const std::vector<uint8_t>& frame, const limits& lim) {
  using res = decoded<unpacked>;
  if (frame.size() > lim.max_message_bytes)
    return res::fail("frame of " + std::to_string(frame.size())
                     + " bytes exceeds the limit of "
                     + std::to_string(lim.max_message_bytes));
  if (frame.size() < 4)
    return res::fail("binary frame shorter than its 4-byte header length");
  uint32_t head_len = 0;
  for (int i = 0; i < 4; ++i)
    head_len |= uint32_t{frame[i]} << (8 * i);
  if (head_len > lim.max_header_bytes)
    return res::fail("binary frame header of " + std::to_string(head_len)
                     + " bytes exceeds the limit of "
                     + std::to_string(lim.max_header_bytes));
  if (head_len > frame.size() - 4)
    return res::fail("binary frame header length " + std::to_string(head_len)
                     + " runs past the frame end");
  auto read = json_input::parse(std::string_view{
    reinterpret_cast<const char*>(frame.data() + 4), head_len});
  if (read.too_deep)
    return res::fail("binary frame header is " + read.error);
  if (!read || !read.doc.is_object())
    return res::fail("binary frame header is not a JSON object");
  unpacked out;
  out.header = std::move(read.doc);
  auto specs = out.header.find("tensors");
  if (specs == out.header.end() || !specs->is_array())
    return res::fail("binary frame header lacks a 'tensors' array");
  if (specs->size() > lim.max_tensors)
    return res::fail("too many tensors: " + std::to_string(specs->size()));
  const uint64_t payload_begin = 4 + uint64_t{head_len};
  const uint64_t payload_size = frame.size() - payload_begin;
  for (size_t i = 0; i < specs->size(); ++i) {
    auto& spec = (*specs)[i];
    auto where = "tensor " + std::to_string(i);
    if (!spec.is_object())
      return res::fail(where + " is not an object");
    tensor t;
    auto name = spec.find("name");
    if (name == spec.end() || !name->is_string()
        || name->get_ref<const std::string&>().size() > lim.max_name_bytes)
      return res::fail(where + " has no valid name");
    t.name = name->get<std::string>();
    auto type = parse_dtype(get_string(spec, "dtype", 16));
    if (!type)
      return res::fail("tensor '" + t.name + "' has an unknown dtype");
    t.type = *type;
    auto shape = spec.find("shape");
    if (shape == spec.end() || !shape->is_array()
        || shape->size() > lim.max_rank)
      return res::fail("tensor '" + t.name + "' has no valid shape");
    for (auto& d : *shape) {
      if (!d.is_number_unsigned())
        return res::fail("tensor '" + t.name
                         + "' has a dimension that is not a non-negative "
                           "integer");
      t.shape.push_back(static_cast<int64_t>(d.get<uint64_t>()));
    }
    auto offset = get_u64(spec, "offset");
    auto length = get_u64(spec, "length");
    if (!offset || !length || *offset > payload_size
        || *length > payload_size - *offset)
      return res::fail("tensor '" + t.name
                       + "' has a byte range outside the frame");
    auto n = t.element_count();
    if (n < 0 || static_cast<uint64_t>(n) > payload_size
        || static_cast<uint64_t>(n) * element_size(t.type) != *length)
      return res::fail("tensor '" + t.name
                       + "' has a length that does not match its shape");
    auto first = frame.begin()
                 + static_cast<ptrdiff_t>(payload_begin + *offset);
    t.data.assign(first, first + static_cast<ptrdiff_t>(*length));
    out.tensors.push_back(std::move(t));
    if (auto item = get_u64(spec, "item"))
      out.tensor_items.push_back(static_cast<uint32_t>(*item));
  }
  if (auto raws = out.header.find("raw"); raws != out.header.end()) {
    if (!raws->is_array() || raws->size() + specs->size() > lim.max_tensors)
      return res::fail("binary frame header has an invalid 'raw' list");
    for (auto& spec : *raws) {
      if (!spec.is_object())
        return res::fail("a raw input is not an object");
      raw_input r;
      r.name = get_string(spec, "name", lim.max_name_bytes);
      r.media_type = get_string(spec, "media_type", lim.max_name_bytes);
      auto offset = get_u64(spec, "offset").value_or(payload_size + 1);
      auto length = get_u64(spec, "length").value_or(payload_size + 1);
      if (r.name.empty() || offset > payload_size
          || length > payload_size - offset)
        return res::fail("raw input '" + r.name
                         + "' is malformed or outside the frame");
      auto first = frame.begin()
                   + static_cast<ptrdiff_t>(payload_begin + offset);
      r.data.assign(first, first + static_cast<ptrdiff_t>(length));
      out.raw.push_back(std::move(r));
      if (auto item = get_u64(spec, "item"))
        out.raw_items.push_back(static_cast<uint32_t>(*item));
    }
  }

  return res::ok(std::move(out));
}

} // namespace webaccel::wire::detail
