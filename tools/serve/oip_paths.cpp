#include "tools/serve/oip_paths.hpp"

namespace webaccel {

namespace {

/// Removes `prefix` from the front of `s`; false if it is not there.
bool consume(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix)
    return false;
  s.remove_prefix(prefix.size());
  return true;
}

/// The next "/"-separated segment of `s` (which starts after a "/").
std::string_view segment(std::string_view& s) {
  auto end = s.find('/');
  auto out = s.substr(0, end);
  s.remove_prefix(end == std::string_view::npos ? s.size() : end + 1);
  return out;
}

} // namespace

bool is_model_name(std::string_view name) {
  if (name.empty() || name.size() > 256)
    return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
      return false;
  return true;
}

std::optional<model_path> parse_model_path(std::string_view path) {
  if (!consume(path, "/v2/models/"))
    return std::nullopt;
  model_path out;
  auto name = segment(path);
  if (!is_model_name(name))
    return std::nullopt;
  out.model = std::string{name};
  auto rest = path;
  if (consume(rest, "versions/")) {
    auto version = segment(rest);
    if (!is_model_name(version))
      return std::nullopt;
    out.version = std::string{version};
    path = rest;
  }
  if (path.empty())
    return out;
  for (std::string_view action : {"ready", "infer", "stats", "config"})
    if (path == action) {
      out.action = std::string{action};
      return out;
    }
  return std::nullopt;
}

std::optional<repository_path> parse_repository_path(std::string_view path) {
  if (!consume(path, "/v2/repository/models/"))
    return std::nullopt;
  auto name = segment(path);
  if (!is_model_name(name) || (path != "load" && path != "unload"))
    return std::nullopt;
  return repository_path{std::string{name}, path == "load"};
}

} // namespace webaccel
