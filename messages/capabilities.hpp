// What a browser page really probed about itself and reported in `hello`.
#pragma once

#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace webaccel {

/// The GPU adapter WebGPU handed out, as `GPUAdapterInfo` describes it.
struct adapter_info {
  std::string vendor;
  std::string architecture;
  std::string device;
  std::string description;
  /// True for software adapters such as SwiftShader (`isFallbackAdapter`).
  bool fallback = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, adapter_info& x) {
  return f(caf::meta::type_name("adapter_info"), x.vendor, x.architecture,
           x.device, x.description, x.fallback);
}

/// Whether one platform works in the page, and if not, the exact reason.
struct platform_support {
  bool available = false;
  /// The error text or missing API that made it unavailable.
  std::string reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, platform_support& x) {
  return f(caf::meta::type_name("platform_support"), x.available, x.reason);
}

/// Everything the capability probe found.
struct browser_capabilities {
  /// Browser kind as launched ("chromium", "firefox", ...).
  std::string browser;
  /// Version from the user agent, e.g. "156.0.8078.79".
  std::string browser_version;
  std::string user_agent;
  platform_support webgpu;
  adapter_info adapter;
  platform_support webnn;
  platform_support wasm;
  bool wasm_simd = false;
  bool wasm_threads = false;
  bool cross_origin_isolated = false;
  unsigned hardware_concurrency = 0;
  /// The webaccel node whose browser this is ("local": the runtime's own).
  std::string node = "local";

  /// Returns the support record of "webgpu", "webnn" or "wasm".
  const platform_support* platform(const std::string& name) const {
    if (name == "webgpu")
      return &webgpu;
    if (name == "webnn")
      return &webnn;
    if (name == "wasm")
      return &wasm;
    return nullptr;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, browser_capabilities& x) {
  return f(caf::meta::type_name("browser_capabilities"), x.browser,
           x.browser_version, x.user_agent, x.webgpu, x.adapter, x.webnn,
           x.wasm, x.wasm_simd, x.wasm_threads, x.cross_origin_isolated,
           x.hardware_concurrency, x.node);
}

} // namespace webaccel
