#include "messages/model.hpp"

namespace webaccel {

const char* to_string(model_family x) {
  switch (x) {
    case model_family::audio: return "audio";
    case model_family::vision: return "vision";
    case model_family::text_embedding: return "text_embedding";
    case model_family::text_generation: return "text_generation";
    case model_family::multimodal: return "multimodal";
  }
  return "unknown";
}

std::optional<model_family> parse_model_family(std::string_view name) {
  for (auto x : {model_family::audio, model_family::vision, model_family::text_embedding,
                 model_family::text_generation, model_family::multimodal})
    if (name == to_string(x))
      return x;
  return std::nullopt;
}

} // namespace webaccel
