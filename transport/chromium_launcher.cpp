#include "transport/chromium_launcher.hpp"

#include <unistd.h>

#include <cstdlib>
#include <sstream>

namespace webaccel {

namespace {

bool is_executable(const std::string& path) {
  return access(path.c_str(), X_OK) == 0;
}

} // namespace

std::optional<std::string> find_chromium(const std::string& configured) {
  if (!configured.empty()) {
    if (is_executable(configured))
      return configured;
    return std::nullopt;
  }
  const char* path_env = std::getenv("PATH");
  std::string path = path_env ? path_env : "/usr/bin:/bin";
  for (auto name : {"chromium", "chromium-browser", "google-chrome"}) {
    std::stringstream dirs{path};
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
      auto candidate = (dir.empty() ? std::string{"."} : dir) + "/" + name;
      if (is_executable(candidate))
        return candidate;
    }
  }
  return std::nullopt;
}

std::vector<std::string> chromium_flags(const std::string& profile_dir,
                                        const std::string& url,
                                        const std::vector<std::string>& extra) {
  std::vector<std::string> flags = {
    "--headless",
    // Root in containers has no usable sandbox; pages are our own.
    "--no-sandbox",
    "--no-first-run",
    "--no-default-browser-check",
    // Without these Chromium floods a closed network with connections.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    // Keep timers and rAF running at full speed in a hidden headless tab.
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
    // WebGPU (on SwiftShader without a GPU) and WebNN's API for probing.
    "--enable-unsafe-webgpu",
    "--enable-webgpu-developer-features",
    "--enable-features=WebMachineLearningNeuralNetwork",
    "--user-data-dir=" + profile_dir,
  };
  flags.insert(flags.end(), extra.begin(), extra.end());
  flags.push_back(url);
  return flags;
}

std::unique_ptr<process> launch_chromium(const std::string& executable,
                                         const std::string& url,
                                         const std::vector<std::string>& extra,
                                         process::exit_handler on_exit,
                                         std::string& error) {
  auto profile = make_scratch_dir("webaccel-chromium-", error);
  if (profile.empty())
    return nullptr;
  process_options opts;
  opts.executable = executable;
  opts.args = chromium_flags(profile, url, extra);
  opts.log_file = profile + "/browser.log";
  // Keep Chromium's crash database and caches inside the profile, out of
  // the user's home.
  opts.env = {"XDG_CONFIG_HOME=" + profile + "/config",
              "XDG_CACHE_HOME=" + profile + "/cache"};
  opts.scratch_dir = profile;
  return process::start(std::move(opts), std::move(on_exit), error);
}

} // namespace webaccel
