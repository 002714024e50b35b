// `webaccel doctor [--json]`: every browser kind × platform on this machine,
// from real probes: each installed browser is started once, its page probes
// WebGPU (adapter, software fallback), WebNN (createContext) and WASM, and
// the exact reason is shown for whatever is missing. Also its cold start
// and memory.
#include <chrono>
#include <iomanip>
#include <iostream>

#include <nlohmann/json.hpp>

#include "actors/runtime.hpp"
#include "tools/cli_args.hpp"
#include "tools/commands.hpp"

namespace webaccel {

namespace {

using json = nlohmann::json;
using clock_type = std::chrono::steady_clock;

json platform_json(const platform_support& p) {
  json out{{"available", p.available}};
  if (!p.available)
    out["reason"] = p.reason;
  return out;
}

json probe(runtime& rt, const std::string& kind,
           const installed_browser& found) {
  json out{{"kind", kind},
           {"installed", true},
           {"executable", found.executable},
           {"version", found.version}};
  auto t0 = clock_type::now();
  browser_capabilities caps;
  try {
    caps = rt.connect_browser(kind);
  } catch (const failure& f) {
    out["error"] = f.what();
    return out;
  }
  out["cold_start_ms"]
    = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
  out["user_agent"] = caps.user_agent;
  for (auto& k : rt.stats().kinds)
    if (k.kind == kind && !k.connections.empty())
      out["memory_mib"] = double(k.connections.front().process_bytes)
                          / (1 << 20);
  auto wasm = platform_json(caps.wasm);
  wasm["simd"] = caps.wasm_simd;
  wasm["threads"] = caps.wasm_threads;
  auto webgpu = platform_json(caps.webgpu);
  if (caps.webgpu.available)
    webgpu["adapter"] = {{"vendor", caps.adapter.vendor},
                         {"architecture", caps.adapter.architecture},
                         {"device", caps.adapter.device},
                         {"description", caps.adapter.description},
                         {"fallback", caps.adapter.fallback}};
  out["platforms"] = {
    {"wasm", wasm}, {"webgpu", webgpu}, {"webnn", platform_json(caps.webnn)}};
  return out;
}

void print_text(const json& report) {
  for (auto& b : report["browsers"]) {
    auto kind = b["kind"].get<std::string>();
    if (!b["installed"].get<bool>()) {
      std::cout << kind << ": not usable: " << b["reason"].get<std::string>()
                << "\n\n";
      continue;
    }
    std::cout << kind << " " << b["version"].get<std::string>() << " ("
              << b["executable"].get<std::string>() << ")";
    if (b.contains("error")) {
      std::cout << "\n  did not start: " << b["error"].get<std::string>()
                << "\n\n";
      continue;
    }
    std::cout << std::fixed << std::setprecision(0) << ": cold start "
              << b["cold_start_ms"].get<double>() << " ms";
    if (b.contains("memory_mib"))
      std::cout << ", memory " << b["memory_mib"].get<double>() << " MiB";
    std::cout << "\n";
    for (auto name : {"wasm", "webgpu", "webnn"}) {
      auto& p = b["platforms"][name];
      std::cout << "  " << std::left << std::setw(7) << name << std::right;
      if (!p["available"].get<bool>()) {
        std::cout << "no: " << p["reason"].get<std::string>() << "\n";
        continue;
      }
      std::cout << "yes";
      if (std::string{name} == "wasm")
        std::cout << " (simd " << (p["simd"].get<bool>() ? "yes" : "no")
                  << ", threads " << (p["threads"].get<bool>() ? "yes" : "no")
                  << ")";
      if (p.contains("adapter")) {
        auto& a = p["adapter"];
        auto vendor = a["vendor"].get<std::string>();
        auto arch = a["architecture"].get<std::string>();
        std::cout << ": adapter "
                  << (vendor.empty() && arch.empty() ? "(no info)"
                                                     : vendor + " " + arch);
        if (a["fallback"].get<bool>())
          std::cout << ", a software fallback (slow: no GPU)";
      }
      std::cout << "\n";
    }
    std::cout << "\n";
  }
}

int doctor(const cli_args& a) {
  auto cfg = load_cli_config(a, "doctor");
  runtime rt{cfg};
  json report{{"browsers", json::array()}};
  for (auto& [kind, bc] : cfg.browsers) {
    if (auto i = rt.installed_browsers().find(kind);
        i != rt.installed_browsers().end())
      report["browsers"].push_back(probe(rt, kind, i->second));
    else
      report["browsers"].push_back(
        {{"kind", kind},
         {"installed", false},
         {"reason", rt.missing_browsers().at(kind)}});
  }
  rt.shutdown();
  if (a.has("--json"))
    std::cout << report.dump(2) << std::endl;
  else
    print_text(report);
  for (auto& b : report["browsers"])
    if (b["installed"].get<bool>() && !b.contains("error"))
      return 0;
  std::cerr << "webaccel doctor: no browser works here\n";
  return 1;
}

} // namespace

int doctor_main(const cli_args& a) {
  return doctor(a);
}

} // namespace webaccel
