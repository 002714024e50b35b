#include "transport/browser/launch_profiles.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace webaccel {

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

std::vector<std::string> firefox_args(const std::string& profile_dir,
                                      const std::string& url,
                                      const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"--headless", "--no-remote", "--profile",
                                   profile_dir};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(url);
  return args;
}

std::string firefox_user_prefs() {
  return R"(// Written by webaccel for a throwaway profile.
// WebGPU: off by default in ESR, and blocklisted on software adapters.
user_pref("dom.webgpu.enabled", true);
user_pref("gfx.webgpu.ignore-blocklist", true);
// A worker page, not a user: no first-run pages, no session restore.
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("browser.aboutwelcome.enabled", false);
user_pref("browser.sessionstore.resume_from_crash", false);
user_pref("toolkit.startup.max_resumed_crashes", -1);
// Nothing that talks to the network on its own.
user_pref("app.update.enabled", false);
user_pref("app.update.auto", false);
user_pref("app.normandy.enabled", false);
user_pref("app.shield.optoutstudies.enabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("toolkit.telemetry.unified", false);
user_pref("toolkit.telemetry.archive.enabled", false);
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("browser.safebrowsing.downloads.enabled", false);
user_pref("browser.safebrowsing.update.enabled", false);
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("network.dns.disablePrefetch", true);
user_pref("network.prefetch-next", false);
user_pref("extensions.update.enabled", false);
user_pref("extensions.getAddons.cache.enabled", false);
user_pref("browser.search.update", false);
user_pref("media.gmp-manager.updateEnabled", false);
user_pref("services.settings.server", "http://127.0.0.1:9/");
// Keep a background page's timers at full speed.
user_pref("dom.min_background_timeout_value", 0);
user_pref("dom.timeout.enable_budget_timer_throttling", false);
)";
}

std::string find_software_vulkan_icd() {
  for (auto path : {"/usr/lib/chromium/vk_swiftshader_icd.json",
                    "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json",
                    "/usr/share/vulkan/icd.d/lvp_icd.aarch64.json"})
    if (access(path, R_OK) == 0)
      return path;
  return {};
}

std::vector<std::string> browser_environment(browser_engine engine,
                                             const std::string& profile_dir,
                                             const std::string& vulkan_icd) {
  std::vector<std::string> env = {
    "XDG_CONFIG_HOME=" + profile_dir + "/config",
    "XDG_CACHE_HOME=" + profile_dir + "/cache",
    // Chromium's process-singleton socket (/tmp/org.chromium.Chromium.*)
    // and both engines' other temporary files: inside the profile, which
    // is removed with the browser, even one killed with SIGKILL.
    "TMPDIR=" + profile_dir + "/tmp",
  };
  if (engine == browser_engine::firefox) {
    env.push_back("MOZ_CRASHREPORTER_DISABLE=1");
    env.push_back("MOZ_CRASHREPORTER_NO_REPORT=1");
    if (!vulkan_icd.empty()) {
      env.push_back("VK_ICD_FILENAMES=" + vulkan_icd);
      // SwiftShader's ICD names its library relative to Chromium's dir.
      auto dir = vulkan_icd.substr(0, vulkan_icd.rfind('/'));
      if (vulkan_icd.find("swiftshader") != std::string::npos)
        env.push_back("LD_LIBRARY_PATH=" + dir);
    }
  }
  return env;
}

process_options local_launch_options(const installed_browser& browser,
                                     const std::string& profile_dir,
                                     const std::string& url,
                                     const std::vector<std::string>& extra,
                                     std::string& error) {
  process_options opts;
  opts.executable = browser.executable;
  opts.log_file = profile_dir + "/browser.log";
  opts.scratch_dir = profile_dir;
  // Asked to close first, a browser removes its lock files and sockets.
  opts.graceful_stop = std::chrono::milliseconds{2000};
  std::error_code ec;
  if (!std::filesystem::create_directories(profile_dir + "/tmp", ec) && ec) {
    error = "cannot create " + profile_dir + "/tmp: " + ec.message();
    return opts;
  }
  if (browser.engine == browser_engine::chromium) {
    // Chromium aborts (SIGABRT) when its singleton socket's path,
    // TMPDIR/.org.chromium.Chromium.XXXXXX/SingletonSocket, passes the 107
    // bytes a Unix socket path may have.
    constexpr size_t max_tmp_dir = 107 - 45;
    auto tmp = profile_dir + "/tmp";
    if (tmp.size() > max_tmp_dir) {
      error = "the browser's temp dir " + tmp + " is "
              + std::to_string(tmp.size()) + " characters long; Chromium "
              + "needs at most " + std::to_string(max_tmp_dir)
              + " for its socket there: set TMPDIR to a shorter directory";
      return opts;
    }
    opts.args = chromium_flags(profile_dir, url, extra);
    opts.env = browser_environment(browser.engine, profile_dir, {});
    return opts;
  }
  std::ofstream prefs{profile_dir + "/user.js"};
  prefs << firefox_user_prefs();
  if (!prefs.flush()) {
    error = "cannot write " + profile_dir + "/user.js";
    return opts;
  }
  opts.args = firefox_args(profile_dir, url, extra);
  opts.env = browser_environment(browser.engine, profile_dir,
                                 find_software_vulkan_icd());
  return opts;
}

} // namespace webaccel
