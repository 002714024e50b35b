#include "messages/model.hpp"

namespace webaccel {

const char* to_string(model_family x) {
  switch (x) {
    case model_family::audio:
      return "audio";
    case model_family::vision:
      return "vision";
    case model_family::text_embedding:
      return "text_embedding";
    case model_family::text_generation:
      return "text_generation";
    case model_family::multimodal:
      return "multimodal";
  }
  return "unknown";
}

std::optional<model_family> parse_model_family(std::string_view name) {
  for (auto x :
       {model_family::audio, model_family::vision, model_family::text_embedding,
        model_family::text_generation, model_family::multimodal})
    if (name == to_string(x))
      return x;
  return std::nullopt;
}

const model_variant* model_entry::variant(const std::string& precision,
                                          bool mixed) const {
  const model_variant* found = nullptr;
  for (auto& v : variants) {
    if (v.precision != precision)
      continue;
    if (v.mixed_precision == mixed)
      return &v;
    if (found == nullptr)
      found = &v;
  }
  return found;
}

std::string model_entry::variant_names() const {
  std::string out;
  for (auto& v : variants)
    out += (out.empty() ? "" : ", ") + v.precision
           + (v.mixed_precision ? " (mixed)" : "");
  return out;
}

std::string model_spec::page_key(const std::string& platform) const {
  return name + "/" + variant.precision
         + (variant.mixed_precision ? "-mixed" : "") + (warmup ? "/warm" : "")
         + "@" + platform;
}

namespace {

void add_step_files(const processing_step& step,
                    std::vector<const model_file*>& out) {
  for (auto& [name, file] : step.files)
    out.push_back(&file);
}

} // namespace

std::vector<const model_file*> files_of(const model_entry& entry) {
  std::vector<const model_file*> out;
  for (auto& v : entry.variants)
    for (auto& [part, file] : v.parts)
      out.push_back(&file);
  for (auto& step : entry.preprocessing)
    add_step_files(step, out);
  add_step_files(entry.postprocessing, out);
  return out;
}

std::vector<const model_file*> files_of(const model_spec& spec) {
  std::vector<const model_file*> out;
  for (auto& [part, file] : spec.variant.parts)
    out.push_back(&file);
  for (auto& step : spec.preprocessing)
    add_step_files(step, out);
  add_step_files(spec.postprocessing, out);
  return out;
}

uint64_t model_spec::total_bytes() const {
  uint64_t n = 0;
  for (auto* f : files_of(*this))
    n += f->size_bytes;
  return n;
}

model_spec make_spec(const model_entry& entry, const model_variant& variant) {
  model_spec out;
  out.name = entry.name;
  out.family = entry.family;
  out.synthetic_weights = entry.synthetic_weights;
  out.variant = variant;
  out.preprocessing = entry.preprocessing;
  out.postprocessing = entry.postprocessing;
  out.batch_dimension = entry.batch_dimension;
  out.batching = entry.batching;
  out.max_queue = entry.max_queue;
  return out;
}

} // namespace webaccel
