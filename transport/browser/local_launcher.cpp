#include "transport/browser/local_launcher.hpp"

#include <filesystem>

#include "transport/browser/launch_profiles.hpp"

namespace webaccel {

namespace {

class local_browser final : public browser_instance {
public:
  explicit local_browser(std::unique_ptr<process> proc)
    : proc_(std::move(proc)) {
    // nop
  }

  pid_t pid() const override {
    return proc_->running() ? proc_->pid() : 0;
  }

  void track_helpers() override {
    proc_->track_helpers();
  }

  uint64_t memory_bytes() override {
    return proc_->running() ? proc_->memory_bytes() : 0;
  }

  void stop() override {
    proc_->stop();
  }

private:
  std::unique_ptr<process> proc_;
};

} // namespace

std::unique_ptr<browser_instance>
as_browser_instance(std::unique_ptr<process> proc) {
  if (!proc)
    return nullptr;
  return std::make_unique<local_browser>(std::move(proc));
}

std::unique_ptr<browser_instance>
launch_local_browser(const installed_browser& browser, const std::string& url,
                     const std::vector<std::string>& extra,
                     browser_instance::exit_handler on_exit,
                     std::string& error) {
  auto profile = make_scratch_dir(browser.kind + "-", error);
  if (profile.empty())
    return nullptr;
  auto opts = local_launch_options(browser, profile, url, extra, error);
  if (!error.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(profile, ec);
    return nullptr;
  }
  return as_browser_instance(
    process::start(std::move(opts), std::move(on_exit), error));
}

} // namespace webaccel
