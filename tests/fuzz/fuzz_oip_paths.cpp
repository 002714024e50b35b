// A request's path as serve routes it: the model and repository paths are
// split by hand (a regex over outside input recursed per character). Any
// path names a model, or none; a name it gives is a valid one.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tools/serve/oip_paths.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view path{reinterpret_cast<const char*>(data), size};
  if (auto m = webaccel::parse_model_path(path))
    if (!webaccel::is_model_name(m->model))
      __builtin_trap();
  if (auto r = webaccel::parse_repository_path(path))
    if (!webaccel::is_model_name(r->model))
      __builtin_trap();
  return 0;
}
