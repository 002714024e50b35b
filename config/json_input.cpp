#include "config/json_input.hpp"

namespace webaccel::json_input {

size_t nesting_depth(std::string_view text, bool comments, size_t stop_after) {
  size_t depth = 0;
  size_t deepest = 0;
  const size_t n = text.size();
  for (size_t i = 0; i < n; ++i) {
    switch (text[i]) {
      case '[':
      case '{':
        if (++depth > deepest) {
          deepest = depth;
          if (deepest > stop_after)
            return deepest;
        }
        break;
      case ']':
      case '}':
        // Unbalanced closers are the parser's to refuse.
        if (depth > 0)
          --depth;
        break;
      case '"':
        // Skip the string; a backslash escapes the next byte.
        for (++i; i < n && text[i] != '"'; ++i)
          if (text[i] == '\\')
            ++i;
        break;
      case '/':
        if (!comments || i + 1 >= n)
          break;
        if (text[i + 1] == '/') {
          while (i < n && text[i] != '\n')
            ++i;
        } else if (text[i + 1] == '*') {
          auto end = text.find("*/", i + 2);
          i = end == std::string_view::npos ? n : end + 1;
        }
        break;
      default:
        break;
    }
  }
  return deepest;
}

parsed parse(std::string_view text, const options& opts) {
  parsed out;
  if (nesting_depth(text, opts.comments, opts.max_depth) > opts.max_depth) {
    out.error = "nested deeper than " + std::to_string(opts.max_depth)
                + " levels of arrays and objects";
    out.too_deep = true;
    return out;
  }
  try {
    out.doc = json::parse(text, nullptr, /*allow_exceptions=*/true,
                          opts.comments);
  } catch (const json::exception& e) {
    // nlohmann's text names the line and column.
    out.error = std::string{"not valid JSON: "} + e.what();
    out.doc = nullptr;
  }
  return out;
}

const json* member(const json& obj, const char* key) {
  if (!obj.is_object())
    return nullptr;
  auto i = obj.find(key);
  return i == obj.end() ? nullptr : &*i;
}

std::optional<std::string> string_at(const json& obj, const char* key) {
  auto* x = member(obj, key);
  if (x == nullptr || !x->is_string())
    return std::nullopt;
  return x->get<std::string>();
}

std::string string_or(const json& obj, const char* key,
                      const std::string& fallback) {
  return string_at(obj, key).value_or(fallback);
}

bool bool_or(const json& obj, const char* key, bool fallback) {
  auto* x = member(obj, key);
  return x != nullptr && x->is_boolean() ? x->get<bool>() : fallback;
}

std::optional<uint64_t> unsigned_at(const json& obj, const char* key) {
  auto* x = member(obj, key);
  if (x == nullptr || !x->is_number_unsigned())
    return std::nullopt;
  return x->get<uint64_t>();
}

std::optional<int64_t> integer_at(const json& obj, const char* key) {
  auto* x = member(obj, key);
  if (x == nullptr)
    return std::nullopt;
  if (x->is_number_unsigned()) {
    auto v = x->get<uint64_t>();
    if (v > static_cast<uint64_t>(INT64_MAX))
      return std::nullopt;
    return static_cast<int64_t>(v);
  }
  if (x->is_number_integer())
    return x->get<int64_t>();
  return std::nullopt;
}

const json* object_at(const json& obj, const char* key) {
  auto* x = member(obj, key);
  return x != nullptr && x->is_object() ? x : nullptr;
}

const json* array_at(const json& obj, const char* key) {
  auto* x = member(obj, key);
  return x != nullptr && x->is_array() ? x : nullptr;
}

std::string excerpt(const json& x, size_t max_chars) {
  auto text = x.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > max_chars) {
    text.resize(max_chars);
    text += "...";
  }
  return text;
}

} // namespace webaccel::json_input
