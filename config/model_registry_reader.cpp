#include "config/model_registry_reader.hpp"

#include <filesystem>
#include <set>

#include "config/json_reader.hpp"

namespace webaccel {

namespace {

using json = nlohmann::json;

enum class option_type { integer, boolean, text, numbers, integers };

struct option_schema {
  option_type type;
  /// Allowed values of a text option; empty = any.
  std::set<std::string> one_of = {};
};

struct step_schema {
  /// "pre", "post" or "both": where the step may appear.
  std::string stage;
  std::map<std::string, option_schema> options;
  /// Keys whose value is a FILE; all are required.
  std::set<std::string> files;
};

const std::map<std::string, step_schema>& step_kinds() {
  using t = option_type;
  static const std::map<std::string, step_schema> kinds{
    {"wordpiece",
     {"pre",
      {{"max_length", {t::integer}}, {"lowercase", {t::boolean}}},
      {"vocab"}}},
    {"image",
     {"pre",
      {{"input", {t::text}},
       {"resize", {t::text, {"stretch", "fit_height", "multiple_of_32"}}},
       {"width", {t::integer}},
       {"height", {t::integer}},
       {"max_width", {t::integer}},
       {"max_side", {t::integer}},
       {"mean", {t::numbers}},
       {"std", {t::numbers}},
       {"channel_order", {t::text, {"rgb", "bgr"}}}},
      {}}},
    {"audio_frames",
     {"pre",
      {{"sample_rate", {t::integer}},
       {"frame_samples", {t::integer}},
       {"context_samples", {t::integer}},
       {"input", {t::text}},
       {"state_input", {t::text}},
       {"state_output", {t::text}},
       {"state_shape", {t::integers}},
       {"rate_input", {t::text}},
       {"output", {t::text}}},
      {}}},
    {"ctc", {"post", {{"input", {t::text}}}, {"keys"}}},
    {"similarity", {"post", {{"scale", {t::numbers}}}, {}}},
  };
  return kinds;
}

std::string kind_names(const std::string& stage) {
  std::string out;
  for (auto& [name, schema] : step_kinds())
    if (schema.stage == stage)
      out += ", " + name;
  return out;
}

bool is_hex_sha256(const std::string& s) {
  if (s.size() != 64)
    return false;
  for (auto c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

/// Reads path/sha256/size_bytes from `r` (a FILE object, or a model's top
/// level).
model_file read_file_fields(object_reader& r, const std::string& base_dir) {
  model_file out;
  r.get("path", out.path);
  if (out.path.empty())
    fail(r.child("path"), "is required");
  out.path = resolve_path(base_dir, out.path);
  r.get("sha256", out.sha256);
  if (!is_hex_sha256(out.sha256))
    fail(r.child("sha256"), "expected 64 lower-case hex digits");
  r.get_int("size_bytes", out.size_bytes, 1, uint64_t{1} << 40);
  if (out.size_bytes == 0)
    fail(r.child("size_bytes"), "is required");
  return out;
}

model_file read_file(const json& x, const std::string& path,
                     const std::string& base_dir) {
  object_reader r{x, path};
  auto out = read_file_fields(r, base_dir);
  r.reject_unknown_keys();
  return out;
}

void check_option(const json& value, const option_schema& schema,
                  const std::string& path) {
  auto all = [&](auto pred) {
    if (!value.is_array() || value.empty())
      return false;
    for (auto& v : value)
      if (!pred(v))
        return false;
    return true;
  };
  switch (schema.type) {
    case option_type::integer:
      if (!value.is_number_integer() || value.get<int64_t>() <= 0)
        fail(path, "expected a positive integer, got " + value.dump());
      break;
    case option_type::boolean:
      if (!value.is_boolean())
        fail(path, "expected true or false, got " + value.dump());
      break;
    case option_type::text:
      if (!value.is_string())
        fail(path, "expected a string, got " + value.dump());
      if (!schema.one_of.empty()
          && schema.one_of.count(value.get<std::string>()) == 0) {
        std::string allowed;
        for (auto& v : schema.one_of)
          allowed += (allowed.empty() ? "" : ", ") + v;
        fail(path,
             "unknown value " + value.dump() + " (expected " + allowed + ")");
      }
      break;
    case option_type::numbers:
      if (!value.is_number()
          && !all([](const json& v) { return v.is_number(); }))
        fail(path,
             "expected a number or an array of numbers, got " + value.dump());
      break;
    case option_type::integers:
      if (!all([](const json& v) {
            return v.is_number_integer() && v.get<int64_t>() > 0;
          }))
        fail(path,
             "expected an array of positive integers, got " + value.dump());
      break;
  }
}

processing_step read_step(const json& x, const std::string& path,
                          const std::string& stage,
                          const std::string& base_dir) {
  if (!x.is_object())
    fail(path, "expected an object, got " + type_name(x));
  processing_step out;
  auto kind = x.find("kind");
  if (kind == x.end() || !kind->is_string())
    fail(path + ".kind",
         "is required (expected one of: none" + kind_names(stage) + ")");
  out.kind = kind->get<std::string>();
  if (out.kind == "none") {
    if (x.size() != 1)
      fail(path, "a step of kind 'none' takes no options");
    return out;
  }
  auto schema = step_kinds().find(out.kind);
  if (schema == step_kinds().end() || schema->second.stage != stage)
    fail(path + ".kind", "unknown kind '" + out.kind
                           + "' (expected one of: none" + kind_names(stage)
                           + ")");
  json options = json::object();
  for (auto& [key, value] : x.items()) {
    auto child = path + "." + key;
    if (key == "kind")
      continue;
    if (schema->second.files.count(key) > 0)
      out.files.emplace(key, read_file(value, child, base_dir));
    else if (auto o = schema->second.options.find(key);
             o != schema->second.options.end()) {
      check_option(value, o->second, child);
      options[key] = value;
    } else
      fail(path, "unknown key '" + key + "' for kind '" + out.kind + "'");
  }
  for (auto& key : schema->second.files)
    if (out.files.count(key) == 0)
      fail(path + "." + key, "is required for kind '" + out.kind + "'");
  out.options = options.dump();
  return out;
}

model_variant read_variant(const json& x, const std::string& path,
                           const std::string& base_dir) {
  model_variant out;
  object_reader r{x, path};
  r.get("precision", out.precision);
  check_precision(r.child("precision"), out.precision);
  r.get("mixed_precision", out.mixed_precision);
  auto file = r.find("file");
  auto parts = r.find("parts");
  if ((file == nullptr) == (parts == nullptr))
    fail(path, "needs exactly one of 'file' or 'parts'");
  if (file != nullptr)
    out.parts.emplace("model", read_file(*file, r.child("file"), base_dir));
  if (parts != nullptr) {
    if (!parts->is_object() || parts->empty())
      fail(r.child("parts"), "expected an object of part name -> file");
    for (auto& [name, value] : parts->items())
      out.parts.emplace(name, read_file(value, r.child("parts") + "." + name,
                                        base_dir));
  }
  r.reject_unknown_keys();
  return out;
}

model_entry read_model(const json& x, const std::string& path,
                       const std::string& base_dir) {
  model_entry out;
  object_reader r{x, path};
  r.get("name", out.name);
  if (out.name.empty())
    fail(r.child("name"), "is required");
  std::string family;
  r.get("family", family);
  auto fam = parse_model_family(family);
  if (!fam)
    fail(r.child("family"), "unknown family '" + family
                              + "' (expected audio, vision, text_embedding, "
                                "text_generation or multimodal)");
  out.family = *fam;
  r.get("description", out.description);
  r.get("synthetic_weights", out.synthetic_weights);
  r.get("inputs", out.inputs);
  r.get("outputs", out.outputs);
  r.get("batch_dimension", out.batch_dimension);
  r.get_int("max_queue", out.max_queue, 1, 1u << 20);
  if (auto b = r.find("batching")) {
    object_reader br{*b, r.child("batching")};
    br.get_int("max_batch_size", out.batching.max_batch_size, 1, 1024);
    br.get_int("max_delay_ms", out.batching.max_delay_ms, 0, 10000);
    br.reject_unknown_keys();
    if (out.batching.max_batch_size > 1 && !out.batch_dimension)
      fail(br.child("max_batch_size"), "batching needs \"batch_dimension\": "
                                       "true (the first dimension of "
                                       "every input and output is the batch)");
  }
  if (auto pre = r.find("preprocessing")) {
    auto ppath = r.child("preprocessing");
    if (pre->is_array()) {
      for (size_t i = 0; i < pre->size(); ++i)
        out.preprocessing.push_back(read_step(
          (*pre)[i], ppath + "[" + std::to_string(i) + "]", "pre", base_dir));
    } else {
      out.preprocessing.push_back(read_step(*pre, ppath, "pre", base_dir));
    }
    std::set<std::string> consumed;
    for (auto& step : out.preprocessing)
      if (!consumed.insert(raw_input_of(step.kind)).second)
        fail(ppath,
             "two steps take the raw input '" + raw_input_of(step.kind) + "'");
  }
  if (auto post = r.find("postprocessing"))
    out.postprocessing = read_step(*post, r.child("postprocessing"), "post",
                                   base_dir);
  if (auto variants = r.find("variants")) {
    if (!variants->is_array() || variants->empty())
      fail(r.child("variants"), "expected a non-empty array of variants");
    for (size_t i = 0; i < variants->size(); ++i) {
      auto vpath = r.child("variants") + "[" + std::to_string(i) + "]";
      auto v = read_variant((*variants)[i], vpath, base_dir);
      for (auto& other : out.variants)
        if (other.precision == v.precision
            && other.mixed_precision == v.mixed_precision)
          fail(vpath, "a second " + v.precision
                        + (v.mixed_precision ? " mixed" : "") + " variant");
      out.variants.push_back(std::move(v));
    }
  } else if (r.find("path") != nullptr) {
    // The one-variant shorthand: the file's fields at the top level.
    model_variant v;
    r.get("precision", v.precision);
    check_precision(r.child("precision"), v.precision);
    v.parts.emplace("model", read_file_fields(r, base_dir));
    out.variants.push_back(std::move(v));
  } else {
    fail(path, "needs 'variants' (or 'path', 'sha256' and 'size_bytes' for one "
               "file)");
  }
  r.reject_unknown_keys();
  return out;
}

} // namespace

std::map<std::string, model_entry> read_models(const json& x,
                                               const std::string& path,
                                               const std::string& base_dir) {
  if (!x.is_array())
    fail(path, "expected an array, got " + type_name(x));
  std::map<std::string, model_entry> out;
  for (size_t i = 0; i < x.size(); ++i) {
    auto item_path = path + "[" + std::to_string(i) + "]";
    auto entry = read_model(x[i], item_path, base_dir);
    if (out.count(entry.name) > 0)
      fail(item_path + ".name", "duplicate model name '" + entry.name + "'");
    out.emplace(entry.name, std::move(entry));
  }
  return out;
}

std::string raw_input_of(const std::string& kind) {
  if (kind == "wordpiece")
    return "text";
  if (kind == "image")
    return "image";
  if (kind == "audio_frames")
    return "audio";
  return kind;
}

} // namespace webaccel
