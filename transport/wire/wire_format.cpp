#include "transport/wire/wire_format.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include <nlohmann/json.hpp>

namespace webaccel::wire {

namespace {

using json = nlohmann::json;

// -- JSON field access that never throws -------------------------------------

/// Returns the unsigned integer at `key`, or nullopt if absent or not one.
std::optional<uint64_t> get_u64(const json& obj, const char* key) {
  auto i = obj.find(key);
  if (i == obj.end() || !i->is_number_unsigned())
    return std::nullopt;
  return i->get<uint64_t>();
}

std::optional<double> get_number(const json& obj, const char* key) {
  auto i = obj.find(key);
  if (i == obj.end() || !i->is_number())
    return std::nullopt;
  return i->get<double>();
}

std::string get_string(const json& obj, const char* key, size_t max_len) {
  auto i = obj.find(key);
  if (i == obj.end() || !i->is_string())
    return {};
  auto s = i->get<std::string>();
  if (s.size() > max_len)
    s.resize(max_len);
  return s;
}

bool get_bool(const json& obj, const char* key) {
  auto i = obj.find(key);
  return i != obj.end() && i->is_boolean() && i->get<bool>();
}

const json& get_object(const json& obj, const char* key) {
  static const json empty = json::object();
  auto i = obj.find(key);
  return i != obj.end() && i->is_object() ? *i : empty;
}

std::vector<std::string> get_names(const json& obj, const char* key,
                                   const limits& lim) {
  std::vector<std::string> out;
  auto i = obj.find(key);
  if (i == obj.end() || !i->is_array())
    return out;
  for (auto& x : *i)
    if (x.is_string() && out.size() < lim.max_tensors)
      out.push_back(x.get<std::string>().substr(0, lim.max_name_bytes));
  return out;
}

/// Serializes JSON; invalid UTF-8 in strings is replaced, never thrown.
std::string to_text(const json& doc) {
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

/// Parses JSON without exceptions; nullopt on malformed input.
std::optional<json> parse_json(std::string_view text) {
  auto doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded())
    return std::nullopt;
  return doc;
}

// Longest error text kept from a page; pages may send huge stack traces.
constexpr size_t max_error_text = 4096;

platform_support read_platform(const json& obj) {
  return {get_bool(obj, "available"),
          get_string(obj, "reason", max_error_text)};
}

// -- binary frames ------------------------------------------------------------

/// Serializes header + tensor bytes (+ raw input bytes) into one binary frame.
decoded<std::vector<uint8_t>>
pack(json header, const std::vector<tensor>& tensors, const limits& lim,
     const std::vector<raw_input>& raws = {},
     const std::vector<uint32_t>& tensor_items = {},
     const std::vector<uint32_t>& raw_items = {}) {
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

/// A binary frame split into its JSON header, tensors and raw inputs (and
/// for a batch, the request each belongs to).
struct unpacked {
  json header;
  std::vector<tensor> tensors;
  std::vector<raw_input> raw;
  std::vector<uint32_t> tensor_items;
  std::vector<uint32_t> raw_items;
};

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
  auto doc = parse_json(std::string_view{
    reinterpret_cast<const char*>(frame.data() + 4), head_len});
  if (!doc || !doc->is_object())
    return res::fail("binary frame header is not a JSON object");
  unpacked out;
  out.header = std::move(*doc);
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

} // namespace

// -- page -> runtime ----------------------------------------------------------

decoded<page_message> decode_page_text(std::string_view frame,
                                       const limits& lim) {
  using res = decoded<page_message>;
  if (frame.size() > lim.max_message_bytes)
    return res::fail("text frame of " + std::to_string(frame.size())
                     + " bytes exceeds the limit of "
                     + std::to_string(lim.max_message_bytes));
  auto doc = parse_json(frame);
  if (!doc || !doc->is_object())
    return res::fail("text frame is not a JSON object");
  auto type = get_string(*doc, "type", 32);
  auto id = get_u64(*doc, "id");
  if (type == "hello") {
    auto& caps = get_object(*doc, "capabilities");
    hello msg;
    auto& c = msg.capabilities;
    c.user_agent = get_string(caps, "user_agent", 1024);
    c.browser_version = browser_version_from_user_agent(c.user_agent);
    auto& gpu = get_object(caps, "webgpu");
    c.webgpu = read_platform(gpu);
    auto& adapter = get_object(gpu, "adapter");
    c.adapter.vendor = get_string(adapter, "vendor", lim.max_name_bytes);
    c.adapter.architecture = get_string(adapter, "architecture",
                                        lim.max_name_bytes);
    c.adapter.device = get_string(adapter, "device", lim.max_name_bytes);
    c.adapter.description = get_string(adapter, "description",
                                       lim.max_name_bytes);
    c.adapter.fallback = get_bool(adapter, "fallback");
    c.webnn = read_platform(get_object(caps, "webnn"));
    auto& wasm = get_object(caps, "wasm");
    c.wasm = read_platform(wasm);
    c.wasm_simd = get_bool(wasm, "simd");
    c.wasm_threads = get_bool(wasm, "threads");
    c.cross_origin_isolated = get_bool(caps, "cross_origin_isolated");
    c.hardware_concurrency = static_cast<unsigned>(
      get_u64(caps, "hardware_concurrency").value_or(0));
    return res::ok(std::move(msg));
  }
  if (!id)
    return res::fail("'" + type + "' message lacks a numeric 'id'");
  if (type == "loaded") {
    loaded msg;
    msg.id = *id;
    msg.model.key = get_string(*doc, "key", lim.max_name_bytes);
    msg.model.platform = get_string(*doc, "platform", 16);
    msg.model.execution_provider = get_string(*doc, "execution_provider", 16);
    msg.model.input_names = get_names(*doc, "inputs", lim);
    msg.model.output_names = get_names(*doc, "outputs", lim);
    msg.model.load_ms = get_number(*doc, "load_ms").value_or(0);
    msg.model.warmup_ms = get_number(*doc, "warmup_ms").value_or(0);
    msg.model.ignored_options = get_names(*doc, "ignored_options", lim);
    return res::ok(std::move(msg));
  }
  if (type == "error") {
    auto& err = get_object(*doc, "error");
    page_error msg{*id, get_string(err, "name", lim.max_name_bytes),
                   get_string(err, "message", max_error_text)};
    if (msg.name.empty())
      msg.name = "Error";
    return res::ok(std::move(msg));
  }
  if (type == "pong")
    return res::ok(pong{*id, get_u64(*doc, "heap_bytes").value_or(0)});
  return res::fail("unknown message type '" + type + "'");
}

decoded<result_frame> decode_result(const std::vector<uint8_t>& frame,
                                    const limits& lim) {
  using res = decoded<result_frame>;
  auto parts = unpack(frame, lim);
  if (!parts)
    return res::fail(parts.error);
  auto& head = parts.value->header;
  if (get_string(head, "type", 32) != "result")
    return res::fail("binary frame from the page is not a 'result'");
  auto id = get_u64(head, "id");
  if (!id)
    return res::fail("'result' lacks a numeric 'id'");
  result_frame out;
  out.id = *id;
  out.result.outputs = std::move(parts.value->tensors);
  if (auto items = get_u64(head, "items")) {
    auto& idx = parts.value->tensor_items;
    if (idx.size() != out.result.outputs.size())
      return res::fail("a batch 'result' must give every output its 'item'");
    for (auto i : idx)
      if (i >= *items)
        return res::fail("a batch 'result' names item " + std::to_string(i)
                         + " of " + std::to_string(*items));
    out.result.output_items = std::move(idx);
  }
  out.result.compute_ms = get_number(head, "compute_ms").value_or(0);
  out.result.page_ms = get_number(head, "page_ms").value_or(0);
  return res::ok(std::move(out));
}

std::string browser_version_from_user_agent(std::string_view ua) {
  for (std::string_view product : {"Edg/", "Firefox/", "Chrome/"}) {
    auto pos = ua.find(product);
    if (pos == std::string_view::npos)
      continue;
    auto begin = pos + product.size();
    auto end = begin;
    while (
      end < ua.size()
      && (std::isdigit(static_cast<unsigned char>(ua[end])) || ua[end] == '.'))
      ++end;
    return std::string{ua.substr(begin, end - begin)};
  }
  return {};
}

// -- runtime -> page ----------------------------------------------------------

namespace {

json file_ref(const model_file& f) {
  return json{{"url", "/models/" + f.sha256},
              {"sha256", f.sha256},
              {"size_bytes", f.size_bytes}};
}

json step_ref(const processing_step& step) {
  auto options = parse_json(step.options);
  json out = options && options->is_object() ? std::move(*options)
                                             : json::object();
  out["kind"] = step.kind;
  for (auto& [name, file] : step.files)
    out[name] = file_ref(file);
  return out;
}

} // namespace

std::string encode_load(const load_command& cmd) {
  auto& spec = cmd.spec;
  json parts = json::object();
  for (auto& [name, file] : spec.variant.parts)
    parts[name] = file_ref(file);
  json pre = json::array();
  for (auto& step : spec.preprocessing)
    pre.push_back(step_ref(step));
  return to_text(json{{"type", "load"},
                      {"id", cmd.id},
                      {"key", cmd.key},
                      {"model", spec.name},
                      {"parts", std::move(parts)},
                      {"preprocessing", std::move(pre)},
                      {"postprocessing", step_ref(spec.postprocessing)},
                      {"warmup", spec.warmup},
                      {"parallel_loading", spec.parallel_loading},
                      {"platform", cmd.platform}});
}

std::string encode_ping(uint64_t id) {
  return to_text(json{{"type", "ping"}, {"id", id}});
}

std::string encode_unload(const std::string& key) {
  return to_text(json{{"type", "unload"}, {"key", key}});
}

std::string encode_fault(const std::string& fault, uint32_t count) {
  return to_text(json{{"type", "fault"}, {"fault", fault}, {"count", count}});
}

bool is_page_fault(const std::string& fault) {
  return fault == "hang" || fault == "oom" || fault == "unsupported"
         || fault == "close" || fault == "freeze";
}

decoded<std::vector<uint8_t>> encode_infer(const infer_frame& cmd,
                                           const limits& lim) {
  return pack(json{{"type", "infer"}, {"id", cmd.id}, {"key", cmd.key}},
              cmd.inputs, lim, cmd.raw);
}

decoded<std::vector<uint8_t>> encode_infer(uint64_t id, const std::string& key,
                                           const page_infer_request& req,
                                           const limits& lim) {
  json header{{"type", "infer"}, {"id", id}, {"key", key}};
  if (req.batch_items > 0) {
    if (req.input_items.size() != req.inputs.size()
        || req.raw_items.size() != req.raw.size())
      return decoded<std::vector<uint8_t>>::fail("a batch must give every "
                                                 "input its item");
    header["items"] = req.batch_items;
  }
  if (req.page_repeat > 1)
    header["repeat"] = req.page_repeat;
  return pack(std::move(header), req.inputs, lim, req.raw, req.input_items,
              req.raw_items);
}

// -- the other direction ------------------------------------------------------

decoded<infer_frame> decode_infer(const std::vector<uint8_t>& frame,
                                  const limits& lim) {
  using res = decoded<infer_frame>;
  auto parts = unpack(frame, lim);
  if (!parts)
    return res::fail(parts.error);
  auto& head = parts.value->header;
  auto id = get_u64(head, "id");
  if (get_string(head, "type", 32) != "infer" || !id)
    return res::fail("binary frame is not an 'infer' with an id");
  return res::ok(infer_frame{*id, get_string(head, "key", lim.max_name_bytes),
                             std::move(parts.value->tensors),
                             std::move(parts.value->raw)});
}

decoded<std::vector<uint8_t>> encode_result(const result_frame& res,
                                            const limits& lim) {
  json header{{"type", "result"},
              {"id", res.id},
              {"compute_ms", res.result.compute_ms},
              {"page_ms", res.result.page_ms}};
  auto& items = res.result.output_items;
  if (!items.empty())
    header["items"] = *std::max_element(items.begin(), items.end()) + 1;
  return pack(std::move(header), res.result.outputs, lim, {}, items);
}

std::string encode_hello(const browser_capabilities& c) {
  auto platform = [](const platform_support& p) {
    return json{{"available", p.available}, {"reason", p.reason}};
  };
  auto gpu = platform(c.webgpu);
  gpu["adapter"] = {{"vendor", c.adapter.vendor},
                    {"architecture", c.adapter.architecture},
                    {"device", c.adapter.device},
                    {"description", c.adapter.description},
                    {"fallback", c.adapter.fallback}};
  auto wasm = platform(c.wasm);
  wasm["simd"] = c.wasm_simd;
  wasm["threads"] = c.wasm_threads;
  return to_text(json{{"type", "hello"},
                      {"capabilities",
                       {{"user_agent", c.user_agent},
                        {"webgpu", gpu},
                        {"webnn", platform(c.webnn)},
                        {"wasm", wasm},
                        {"cross_origin_isolated", c.cross_origin_isolated},
                        {"hardware_concurrency", c.hardware_concurrency}}}});
}

std::string encode_loaded(const loaded& msg) {
  return to_text(json{{"type", "loaded"},
                      {"id", msg.id},
                      {"key", msg.model.key},
                      {"platform", msg.model.platform},
                      {"execution_provider", msg.model.execution_provider},
                      {"inputs", msg.model.input_names},
                      {"outputs", msg.model.output_names},
                      {"load_ms", msg.model.load_ms},
                      {"warmup_ms", msg.model.warmup_ms},
                      {"ignored_options", msg.model.ignored_options}});
}

std::string encode_page_error(const page_error& msg) {
  return to_text(
    json{{"type", "error"},
         {"id", msg.id},
         {"error", {{"name", msg.name}, {"message", msg.message}}}});
}

} // namespace webaccel::wire
