#include "actors/error_classifier.hpp"

#include <algorithm>
#include <cctype>

namespace webaccel {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool contains(const std::string& haystack, const char* needle) {
  return haystack.find(needle) != std::string::npos;
}

} // namespace

errc classify_page_error(const std::string& name, const std::string& message,
                         page_phase phase) {
  auto msg = lower(message);
  if (name == "GPUOutOfMemoryError" || contains(msg, "out of memory")
      || contains(msg, "array buffer allocation failed")
      || contains(msg, "failed to allocate"))
    return errc::out_of_memory;
  if (name == "ModelHashMismatch" || name == "ModelFetchError")
    return errc::model_incompatible;
  if (name == "UnsupportedPlatform" || contains(msg, "no available backend")
      || contains(msg, "webgpu is not supported")
      || contains(msg, "webnn is not supported"))
    return errc::browser_capability;
  if (contains(msg, "not implemented") || contains(msg, "unsupported op")
      || contains(msg, "could not find an implementation"))
    return errc::unsupported_operation;
  if (phase == page_phase::load)
    return errc::model_incompatible;
  // A run that failed for any other reason was given inputs the model
  // rejects (missing feed, wrong dtype or shape): the caller's to fix.
  if (name == "UnknownModel")
    return errc::connection;
  return errc::invalid_request;
}

} // namespace webaccel
