#include "transport/browser/browser_detection.hpp"

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <sstream>

#include "transport/browser/process.hpp"

namespace webaccel {

std::string find_on_path(const std::string& name) {
  const char* path_env = std::getenv("PATH");
  std::stringstream dirs{path_env ? path_env : "/usr/bin:/bin"};
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    auto candidate = (dir.empty() ? std::string{"."} : dir) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  return {};
}

std::string version_from_banner(const std::string& banner) {
  // The first token that starts with digits and has a dot in it.
  std::stringstream words{banner};
  std::string word;
  while (words >> word)
    if (std::isdigit(static_cast<unsigned char>(word[0]))
        && word.find('.') != std::string::npos)
      return word;
  return {};
}

std::optional<installed_browser>
detect_browser(const std::string& kind, const std::string& configured,
               std::string& error, std::chrono::milliseconds timeout) {
  auto info = find_browser_kind(kind);
  if (info == nullptr) {
    error = "unknown browser kind '" + kind + "'";
    return std::nullopt;
  }
  std::string exe;
  if (!configured.empty()) {
    if (access(configured.c_str(), X_OK) != 0) {
      error = "configured " + kind + " executable '" + configured
              + "' is not executable";
      return std::nullopt;
    }
    exe = configured;
  } else {
    for (auto& name : info->executables)
      if (exe = find_on_path(name); !exe.empty())
        break;
    if (exe.empty()) {
      std::string names;
      for (auto& name : info->executables)
        names += (names.empty() ? "" : ", ") + name;
      error = kind + " is not installed (looked for " + names + " on PATH)";
      return std::nullopt;
    }
  }
  auto banner = capture_output(exe, {"--version"}, timeout, error);
  if (!banner) {
    error = exe + " --version failed: " + error;
    return std::nullopt;
  }
  auto version = version_from_banner(*banner);
  if (version.empty()) {
    error = exe + " --version printed no version: " + banner->substr(0, 200);
    return std::nullopt;
  }
  return installed_browser{kind, info->engine, exe, version};
}

} // namespace webaccel
