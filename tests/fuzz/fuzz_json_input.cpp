// The bounded JSON reader every parser of outside JSON goes through: its
// one-pass depth scan must agree with the document nlohmann builds (never
// let a deeper one through), and the never-throwing field readers must
// never throw on whatever it accepted.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "config/json_input.hpp"

namespace {

using webaccel::json_input::json;

/// The depth of `doc`, measured without recursion.
size_t depth_of(const json& doc) {
  size_t deepest = 0;
  std::vector<std::pair<const json*, size_t>> todo{{&doc, 1}};
  while (!todo.empty()) {
    auto [x, d] = todo.back();
    todo.pop_back();
    if (!x->is_structured())
      continue;
    deepest = std::max(deepest, d);
    for (auto& child : *x)
      todo.emplace_back(&child, d + 1);
  }
  return deepest;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace in = webaccel::json_input;
  std::string_view text{reinterpret_cast<const char*>(data), size};
  for (bool comments : {false, true}) {
    auto read = in::parse(text, {in::max_depth, comments});
    if (!read)
      continue;
    if (depth_of(read.doc) > in::max_depth)
      __builtin_trap(); // The scan let a deeper document through.
    for (const char* key : {"a", "value", "ready", "nodes"}) {
      in::string_or(read.doc, key);
      in::bool_or(read.doc, key);
      in::unsigned_at(read.doc, key);
      in::integer_at(read.doc, key);
      in::object_at(read.doc, key);
      in::array_at(read.doc, key);
    }
    in::excerpt(read.doc);
  }
  return 0;
}
