// JSON that came from outside: an HTTP body, a page's frame, a WebDriver
// remote end's answer, a config file. nlohmann's parser is iterative, but
// copying, comparing, dumping or walking the document it builds recurses
// once per level: a 400 KB array nested 200,000 deep overflows any thread's
// stack. So outside JSON is parsed only after one scan of its bytes (no
// recursion) proves its nesting is within a bound, and its fields are read
// by functions that never throw (nlohmann's `value(key, default)` throws
// when the key holds another type).
//
// Used by every parser of outside JSON: transport/kserve (OIP), transport/
// wire (the page's frames and bundles), transport/browser (a Grid's status
// and session answers), config (config files), transport/store (documents
// kept in the metrics DB).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace webaccel::json_input {

using json = nlohmann::json;

/// The deepest nesting of arrays and objects accepted from outside. The
/// deepest document we take is an OIP request: the body, `inputs`, one
/// input, then one array level per tensor dimension; 64 leaves room for
/// rank-60 tensors and for config files, and keeps every walk over the
/// document a few KB of stack.
constexpr size_t max_depth = 64;

/// How to read a document.
struct options {
  /// Deepest nesting accepted.
  size_t max_depth = json_input::max_depth;
  /// Whether `//` and `/* */` comments are allowed (config files).
  bool comments = false;
};

/// The nesting depth of the deepest array or object in `text`, found in one
/// pass over its bytes without recursion (brackets inside strings and, with
/// `comments`, inside comments do not count). Counting stops at
/// `stop_after` + 1, so the scan of a hostile document ends early.
size_t nesting_depth(std::string_view text, bool comments = false,
                     size_t stop_after = SIZE_MAX);

/// A parsed document, or why there is none.
struct parsed {
  json doc;
  /// Empty when `doc` holds the document.
  std::string error;
  /// Whether it was refused for its depth (else, if at all, as malformed).
  bool too_deep = false;

  explicit operator bool() const {
    return error.empty();
  }
};

/// Parses `text` without exceptions. The error says "nested deeper than N
/// levels" (checked before any parsing) or "not valid JSON: <where>".
parsed parse(std::string_view text, const options& opts = {});

// -- fields that never throw --------------------------------------------------

/// The member `key` of `obj` if `obj` is an object that has it; else null.
const json* member(const json& obj, const char* key);

/// The string at `key`, or nullopt if absent or another type.
std::optional<std::string> string_at(const json& obj, const char* key);

/// The string at `key`, or `fallback`.
std::string string_or(const json& obj, const char* key,
                      const std::string& fallback = {});

/// The bool at `key`, or `fallback` if absent or another type.
bool bool_or(const json& obj, const char* key, bool fallback = false);

/// The unsigned integer at `key`, or nullopt.
std::optional<uint64_t> unsigned_at(const json& obj, const char* key);

/// The integer at `key` (signed or unsigned, within int64), or nullopt.
std::optional<int64_t> integer_at(const json& obj, const char* key);

/// The object at `key`, or null if absent or another type.
const json* object_at(const json& obj, const char* key);

/// The array at `key`, or null if absent or another type.
const json* array_at(const json& obj, const char* key);

/// `x` as short text for an error message: at most `max_chars` characters,
/// invalid UTF-8 replaced. Safe on any document this reader accepted.
std::string excerpt(const json& x, size_t max_chars = 200);

} // namespace webaccel::json_input
