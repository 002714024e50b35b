#include "tools/serve/model_contract.hpp"

#include <set>

#include "config/model_registry_reader.hpp"

namespace webaccel {

namespace {

using json = nlohmann::json;

/// The protocol's name of an ONNX element type; "" for one it lacks.
const char* datatype_of(int32_t onnx_type) {
  switch (onnx_type) {
    case 1:
      return "FP32";
    case 2:
      return "UINT8";
    case 3:
      return "INT8";
    case 4:
      return "UINT16";
    case 5:
      return "INT16";
    case 6:
      return "INT32";
    case 7:
      return "INT64";
    case 8:
      return "BYTES";
    case 9:
      return "BOOL";
    case 10:
      return "FP16";
    case 11:
      return "FP64";
    case 12:
      return "UINT32";
    case 13:
      return "UINT64";
    default:
      return "";
  }
}

json tensor_json(const onnx_value& v) {
  return {{"name", v.name},
          {"datatype", datatype_of(v.elem_type)},
          {"shape", v.dims}};
}

const onnx_value* find_value(const std::vector<onnx_value>& values,
                             const std::string& name) {
  for (auto& v : values)
    if (v.name == name)
      return &v;
  return nullptr;
}

/// Triton's type name of a protocol datatype ("FP32" -> "TYPE_FP32").
std::string triton_type(const std::string& datatype) {
  return datatype == "BYTES" ? "TYPE_STRING" : "TYPE_" + datatype;
}

/// A metadata tensor as a Triton config tensor; the first dimension left
/// out when it is the batch's.
json triton_tensor(const json& t, bool drop_batch, bool input) {
  auto dims = t["shape"];
  if (drop_batch && dims.size() > 1)
    dims.erase(dims.begin());
  json out{{"name", t["name"]},
           {"data_type", triton_type(t["datatype"].get<std::string>())},
           {"dims", dims}};
  if (input)
    out["format"] = "FORMAT_NONE";
  return out;
}

/// The names of `names`, quoted, for an error: "'a', 'b'".
std::string quoted(const std::vector<std::string>& names) {
  std::string out;
  for (auto& n : names)
    out += (out.empty() ? "'" : ", '") + n + "'";
  return out;
}

} // namespace

json model_metadata(const std::string& name, const model_entry& e,
                    const onnx_signature& graph) {
  json inputs = json::array();
  // Models with page-side preprocessing take raw text, images or audio.
  for (auto& step : e.preprocessing)
    inputs.push_back({{"name", raw_input_of(step.kind)},
                      {"datatype", "BYTES"},
                      {"shape", {-1}}});
  if (inputs.empty())
    for (auto& in : e.inputs)
      if (auto* v = find_value(graph.inputs, in))
        inputs.push_back(tensor_json(*v));
  json outputs = json::array();
  if (e.postprocessing.kind == "ctc") {
    outputs.push_back(
      {{"name", "text"}, {"datatype", "BYTES"}, {"shape", {1}}});
  } else {
    for (auto& out : e.outputs)
      if (auto* v = find_value(graph.outputs, out))
        outputs.push_back(tensor_json(*v));
    // The page's similarity step adds CLIP's scores (images x texts).
    if (e.postprocessing.kind == "similarity")
      outputs.push_back({{"name", "logits_per_image"},
                         {"datatype", "FP32"},
                         {"shape", {-1, -1}}});
  }
  return {{"name", name},
          {"versions", {"1"}},
          {"platform", "onnxruntime-web"},
          {"family", to_string(e.family)},
          {"synthetic_weights", e.synthetic_weights},
          {"inputs", inputs},
          {"outputs", outputs}};
}

json triton_model_config(const std::string& name, const model_entry& e,
                         const onnx_signature& graph) {
  auto meta = model_metadata(name, e, graph);
  auto batched = e.batching.max_batch_size > 1;
  auto drop_batch = batched && e.batch_dimension;
  json inputs = json::array();
  for (auto& t : meta["inputs"])
    inputs.push_back(
      triton_tensor(t, drop_batch && t["datatype"] != "BYTES", true));
  json outputs = json::array();
  for (auto& t : meta["outputs"])
    outputs.push_back(triton_tensor(t, drop_batch, false));
  json config{
    {"name", name},
    {"platform", "onnxruntime_onnx"},
    {"backend", "onnxruntime"},
    {"version_policy", {{"latest", {{"num_versions", 1}}}}},
    {"max_batch_size", batched ? e.batching.max_batch_size : 0},
    {"input", inputs},
    {"output", outputs},
    // One instance per browser that loads it, placed by the router.
    {"instance_group",
     {{{"name", name}, {"kind", "KIND_MODEL"}, {"count", 1}}}},
    {"model_transaction_policy", {{"decoupled", false}}},
    {"parameters",
     {{"webaccel_runtime", {{"string_value", "onnxruntime-web in a browser"}}},
      {"webaccel_family", {{"string_value", to_string(e.family)}}},
      {"webaccel_synthetic_weights",
       {{"string_value", e.synthetic_weights ? "true" : "false"}}}}}};
  if (batched)
    config["dynamic_batching"] = {{"preferred_batch_size", json::array()},
                                  {"max_queue_delay_microseconds",
                                   uint64_t{e.batching.max_delay_ms} * 1000},
                                  {"default_queue_policy",
                                   {{"timeout_action", "REJECT"},
                                    {"default_timeout_microseconds", 0},
                                    {"allow_timeout_override", true},
                                    {"max_queue_size", e.max_queue}}}};
  return config;
}

std::string check_inputs(const std::string& name, const model_entry& e,
                         const kserve::parsed_infer& asked) {
  std::set<std::string> raw;
  for (auto& step : e.preprocessing)
    raw.insert(raw_input_of(step.kind));
  std::vector<std::string> takes{raw.begin(), raw.end()};
  takes.insert(takes.end(), e.inputs.begin(), e.inputs.end());
  std::set<std::string> known{takes.begin(), takes.end()};
  std::vector<std::string> unknown;
  bool any_raw = false;
  std::set<std::string> given;
  for (auto& in : asked.input_names) {
    if (known.count(in) == 0)
      unknown.push_back(in);
    any_raw = any_raw || raw.count(in) != 0;
    given.insert(in);
  }
  if (!unknown.empty())
    return (unknown.size() == 1 ? "input " : "inputs ") + quoted(unknown)
           + (unknown.size() == 1 ? " is not one " : " are not ones ")
           + "model '" + name + "' takes (it takes " + quoted(takes) + ")";
  // Raw inputs make the graph's inputs in the page; without one, every
  // graph input must be there.
  if (any_raw)
    return {};
  std::vector<std::string> missing;
  for (auto& in : e.inputs)
    if (given.count(in) == 0)
      missing.push_back(in);
  if (missing.empty())
    return {};
  return "model '" + name + "' needs "
         + (missing.size() == 1 ? "input " : "inputs ") + quoted(missing)
         + (raw.empty()
              ? ""
              : " (or its raw input " + quoted({raw.begin(), raw.end()}) + ")");
}

} // namespace webaccel
