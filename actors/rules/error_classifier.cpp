#include "actors/rules/error_classifier.hpp"

#include <algorithm>
#include <cctype>

namespace webaccel {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool matches(const classification_rule& r, const std::string& name,
             const std::string& lower_message, page_phase phase) {
  return (r.name.empty() || r.name == name)
         && (r.message.empty()
             || lower_message.find(r.message) != std::string::npos)
         && (!r.phase || *r.phase == phase);
}

} // namespace

const std::vector<classification_rule>& default_classification_rules() {
  using p = page_phase;
  // Messages in lower case. Where a browser words it differently, both
  // wordings are here; tests/actors/rules/captured_page_errors.json has them.
  static const std::vector<classification_rule> rules = {
    // WebGPU and JavaScript heaps.
    {"GPUOutOfMemoryError", "", std::nullopt, errc::out_of_memory},
    {"", "out of memory", std::nullopt, errc::out_of_memory},
    {"", "array buffer allocation failed", std::nullopt, errc::out_of_memory},
    {"", "could not allocate memory", std::nullopt, errc::out_of_memory},
    {"", "maximum memory size exceeded", std::nullopt, errc::out_of_memory},
    {"", "failed to grow memory", std::nullopt, errc::out_of_memory},
    {"", "failed to allocate", std::nullopt, errc::out_of_memory},
    {"", "bad_alloc", std::nullopt, errc::out_of_memory},
    // A buffer over the engine's size limit: the tensor is too big here.
    {"", "invalid array buffer length", std::nullopt, errc::out_of_memory},
    {"", "invalid array length", std::nullopt, errc::out_of_memory},
    // The GPU went away under the page (its process died or restarted).
    {"GPUDeviceLostError", "", std::nullopt, errc::browser_crash},
    {"", "device was destroyed", std::nullopt, errc::browser_crash},
    {"", "device destroyed", std::nullopt, errc::browser_crash},
    {"", "device lost", std::nullopt, errc::browser_crash},
    // Our page's own names.
    {"ModelHashMismatch", "", std::nullopt, errc::model_incompatible},
    {"ModelFetchError", "", std::nullopt, errc::model_incompatible},
    {"UnsupportedPlatform", "", std::nullopt, errc::browser_capability},
    {"UnknownModel", "", std::nullopt, errc::connection},
    {"InvalidInput", "", std::nullopt, errc::invalid_request},
    // The platform is not there.
    {"NotSupportedError", "", std::nullopt, errc::browser_capability},
    {"", "no available backend", std::nullopt, errc::browser_capability},
    {"", "webgpu is not supported", std::nullopt, errc::browser_capability},
    {"", "webnn is not supported", std::nullopt, errc::browser_capability},
    {"", "navigator.gpu", std::nullopt, errc::browser_capability},
    {"", "navigator.ml", std::nullopt, errc::browser_capability},
    // onnxruntime-web rejects an operator.
    {"", "is not a registered function/op", std::nullopt,
     errc::unsupported_operation},
    {"", "could not find an implementation", std::nullopt,
     errc::unsupported_operation},
    {"", "not implemented", std::nullopt, errc::unsupported_operation},
    {"", "unsupported op", std::nullopt, errc::unsupported_operation},
    // onnxruntime-web cannot read the model.
    {"", "protobuf parsing failed", p::load, errc::model_incompatible},
    {"", "opset", p::load, errc::model_incompatible},
    // onnxruntime-web rejects the inputs of a run.
    {"", "is missing in 'feeds'", p::infer, errc::invalid_request},
    {"", "unexpected input data type", p::infer, errc::invalid_request},
    {"", "got invalid dimensions for input", p::infer, errc::invalid_request},
  };
  return rules;
}

error_classifier::error_classifier(std::vector<classification_rule> extra)
  : rules_(std::move(extra)) {
  for (auto& r : rules_)
    r.message = lower(r.message);
  auto& builtin = default_classification_rules();
  rules_.insert(rules_.end(), builtin.begin(), builtin.end());
}

errc error_classifier::classify(const std::string& name,
                                const std::string& message,
                                page_phase phase) const {
  auto msg = lower(message);
  for (auto& r : rules_)
    if (matches(r, name, msg, phase))
      return r.category;
  return phase == page_phase::load ? errc::model_incompatible
                                   : errc::invalid_request;
}

errc classify_page_error(const std::string& name, const std::string& message,
                         page_phase phase) {
  static const error_classifier builtin;
  return builtin.classify(name, message, phase);
}

} // namespace webaccel
