// A stand-in for the worker page in actor tests: records the frames a
// browser connection sends and answers in the page's words (wire_format).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "messages/bridge_channel.hpp"
#include "transport/browser/local_launcher.hpp"
#include "transport/browser/process.hpp"
#include "transport/wire/wire_format.hpp"

namespace webaccel::test {

/// Records frames instead of writing them to a socket.
class recording_channel : public bridge_channel {
public:
  void send_text(std::string frame) override {
    std::lock_guard<std::mutex> guard{mtx};
    texts.push_back(std::move(frame));
  }

  void send_binary(std::vector<uint8_t> frame) override {
    std::lock_guard<std::mutex> guard{mtx};
    binaries.push_back(std::move(frame));
  }

  void close() override {
    std::lock_guard<std::mutex> guard{mtx};
    closed = true;
  }

  std::mutex mtx;
  std::vector<std::string> texts;
  std::vector<std::vector<uint8_t>> binaries;
  bool closed = false;
};

/// Capabilities like those Chromium reports on a machine without a GPU.
inline browser_capabilities chromium_like_capabilities() {
  browser_capabilities caps;
  caps.user_agent = "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.8078.79";
  caps.webgpu = {true, ""};
  caps.adapter = {"google", "swiftshader", "", "", true};
  caps.webnn = {false, "createContext failed: cpu: NotSupportedError: WebNN "
                       "is not supported on this platform."};
  caps.wasm = {true, ""};
  caps.wasm_simd = true;
  return caps;
}

/// A launcher that starts a harmless child in place of a browser and
/// remembers the URL (and so the token) it was given.
struct fake_launcher {
  std::shared_ptr<std::vector<std::string>> urls
    = std::make_shared<std::vector<std::string>>();

  std::unique_ptr<browser_instance>
  operator()(const std::string& url, browser_instance::exit_handler on_exit,
             std::string& error) const {
    urls->push_back(url);
    process_options opts;
    opts.executable = "/bin/sleep";
    opts.args = {"300"};
    return as_browser_instance(process::start(opts, std::move(on_exit), error));
  }

  /// The token in the last launched URL.
  std::string last_token() const {
    auto& url = urls->back();
    return url.substr(url.find("token=") + 6);
  }
};

} // namespace webaccel::test
