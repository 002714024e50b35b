#include "transport/wire/wire_format.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "config/json_input.hpp"
#include "transport/wire/frame_codec.hpp"

namespace webaccel::wire {

using namespace detail;

// -- page -> runtime ----------------------------------------------------------

decoded<page_message> decode_page_text(std::string_view frame,
                                       const limits& lim) {
  using res = decoded<page_message>;
  if (frame.size() > lim.max_message_bytes)
    return res::fail("text frame of " + std::to_string(frame.size())
                     + " bytes exceeds the limit of "
                     + std::to_string(lim.max_message_bytes));
  auto read = json_input::parse(frame);
  if (read.too_deep)
    return res::fail("text frame is " + read.error);
  if (!read || !read.doc.is_object())
    return res::fail("text frame is not a JSON object");
  auto* doc = &read.doc;
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
         || fault == "close" || fault == "freeze" || fault == "wedge";
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
