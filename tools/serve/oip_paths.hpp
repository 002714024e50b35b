// The paths of the Open Inference Protocol and Triton's extensions that
// name a model, split by hand: a regex over a request's path (outside
// input, up to the server's 16 KB head) recurses once per character in
// libstdc++. A model name is 1 to 256 of [A-Za-z0-9_.-].
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace webaccel {

/// "/v2/models/NAME[/versions/VERSION][/ACTION]".
struct model_path {
  std::string model;
  /// "" when the path names none.
  std::string version;
  /// "", "ready", "infer", "stats" or "config".
  std::string action;
};

/// The model path `path` names; nullopt if it names none (another action,
/// a bad name, a missing version).
std::optional<model_path> parse_model_path(std::string_view path);

/// "/v2/repository/models/NAME/(load|unload)".
struct repository_path {
  std::string model;
  bool load = false;
};

std::optional<repository_path> parse_repository_path(std::string_view path);

/// Whether `name` may name a model here.
bool is_model_name(std::string_view name);

} // namespace webaccel
