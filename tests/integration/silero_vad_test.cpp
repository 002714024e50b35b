// Real headless Chromium and Firefox, real onnxruntime-web, real Silero VAD v5
// weights, on speech the build synthesized between two silences. Generous
// timeouts: the browser's cold start and session creation take seconds.
#include <dirent.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "actors/runtime.hpp"
#include "tests/support/process_census.hpp"
#include "tools/silero_vad.hpp"

using namespace webaccel;
using namespace webaccel::test;

namespace {

struct truth {
  double speech_start_s = 0;
  double speech_end_s = 0;
};

/// The demo's speech clip (the config's audio demo input).
std::string demo_speech(const runtime_config& cfg) {
  for (auto& item : cfg.demo)
    if (item.model == "silero_vad_v5")
      return item.file;
  FAIL("the default config has no speech demo");
  return {};
}

truth read_truth(const std::string& wav_path) {
  auto json_path = wav_path.substr(0, wav_path.size() - 4) + ".json";
  std::ifstream in{json_path};
  REQUIRE_MESSAGE(in, "missing " << json_path);
  auto doc = nlohmann::json::parse(in);
  return {doc.at("speech_start_s").get<double>(),
          doc.at("speech_end_s").get<double>()};
}

} // namespace

TEST_CASE("Silero VAD in headless Chromium and Firefox hears speech and not "
          "silence, and leaves nothing behind") {
  std::string kind;
  SUBCASE("firefox") {
    kind = "firefox";
  }
  SUBCASE("chromium") {
    kind = "chromium";
  }
  auto dirs_before = temp_dir_leftovers();
  auto cfg = default_config();
  cfg.default_preferences.browser = kind;
  auto clip = read_wav(demo_speech(cfg));
  auto t = read_truth(demo_speech(cfg));
  {
    runtime rt{cfg};
    REQUIRE_MESSAGE(rt.installed_browsers().count(kind) == 1,
                    kind << " is not installed: "
                         << rt.missing_browsers().at(kind));
    auto caps = rt.connect_browser(kind);
    INFO("user agent: " << caps.user_agent);
    CHECK(caps.browser == kind);
    CHECK_FALSE(caps.browser_version.empty());
    CHECK(caps.wasm.available);
    // What the probe says must be explained when it says no.
    // (Firefox leaves a software adapter's info strings empty.)
    if (!caps.webgpu.available)
      CHECK_FALSE(caps.webgpu.reason.empty());
    else
      CHECK((caps.adapter.fallback || !caps.adapter.vendor.empty()));
    if (!caps.webnn.available)
      CHECK_FALSE(caps.webnn.reason.empty());

    auto model = rt.get_model(model_family::audio, "silero_vad_v5");
    auto vad = run_vad(model, clip);
    auto& frames = vad.frames;
    REQUIRE(frames.size()
            == clip.samples.size() * 16000 / clip.sample_rate
                 / vad_frame_samples);
    float max_in_speech = 0, max_in_silence = 0;
    for (auto& f : frames) {
      // Leave 0.3 s of slack at each edge for the model's onset and decay.
      auto end_s = f.start_s + 0.032;
      if (f.start_s > t.speech_start_s + 0.3 && end_s < t.speech_end_s - 0.3)
        max_in_speech = std::max(max_in_speech, f.speech_probability);
      if (end_s < t.speech_start_s - 0.3 || f.start_s > t.speech_end_s + 0.3)
        max_in_silence = std::max(max_in_silence, f.speech_probability);
    }
    CHECK(max_in_speech > 0.8f);
    CHECK(max_in_silence < 0.1f);
    auto segments = speech_segments(frames);
    REQUIRE_FALSE(segments.empty());
    CHECK(segments.front().start_s
          == doctest::Approx(t.speech_start_s).epsilon(0.3 / t.speech_start_s));
    CHECK(segments.back().end_s < t.speech_end_s + 0.5);

    auto& r = vad.result;
    CHECK(r.model == "silero_vad_v5");
    CHECK(r.family == model_family::audio);
    CHECK_FALSE(r.simulated);
    CHECK_FALSE(r.synthetic_weights);
    CHECK(r.origin.browser == kind);
    CHECK(r.origin.platform == "wasm");
    CHECK(r.time.total > 0);
    CHECK(r.time.compute > 0);
    CHECK(r.time.total >= r.time.compute);
    rt.shutdown();
    CHECK_THROWS_AS(model.infer(std::vector<tensor>{}), failure);
  }
  auto left = children_of_this_process();
  CHECK_MESSAGE(left.empty(), "left behind:\n" << describe_processes(left));
  CHECK(temp_dir_leftovers() == dirs_before);
}

TEST_CASE("inputs the model rejects fail that request only, with a reason") {
  runtime rt{default_config()};
  auto model = rt.get_model(model_family::audio, "silero_vad_v5");
  try {
    model.infer(
      {tensor::from_floats("input", {1, 576}, std::vector<float>(576))});
    FAIL("an inference without 'state' and 'sr' should fail");
  } catch (const failure& f) {
    CHECK(f.code() == errc::invalid_request);
    INFO(f.what());
    CHECK(std::string{f.what()}.find("state") != std::string::npos);
  }
  // The browser and the model are still usable afterwards.
  std::vector<float> silence(576);
  auto r = model.infer(
    {tensor::from_floats("input", {1, 576}, silence),
     tensor::from_floats("state", {2, 1, 128}, std::vector<float>(256)),
     tensor::from_int64s("sr", {}, {16000})});
  CHECK(r.outputs.size() == 2);
}

TEST_CASE("WebGPU and WASM give the same speech probabilities, and WebGPU's "
          "provenance names its adapter") {
  auto cfg = default_config();
  auto clip = resample(read_wav(demo_speech(cfg)), 16000);
  auto t = read_truth(demo_speech(cfg));
  runtime rt{cfg};
  auto caps = rt.connect_browser("chromium");
  if (!caps.webgpu.available) {
    MESSAGE("no WebGPU in this browser (" << caps.webgpu.reason
                                          << "); nothing to compare");
    return;
  }
  // Twelve frames from the middle of the speech: ~3 s of WebGPU compute on
  // a software adapter.
  auto first = static_cast<size_t>((t.speech_start_s + 0.5) * 16000);
  audio_clip excerpt{
    16000,
    {clip.samples.begin() + ptrdiff_t(first),
     clip.samples.begin() + ptrdiff_t(first + 12 * vad_frame_samples)}};
  hardware_preferences gpu;
  gpu.priority_list = {"webgpu"};
  gpu.browser = "chromium";
  hardware_preferences cpu;
  cpu.priority_list = {"wasm"};
  cpu.browser = "chromium";
  auto gpu_run
    = run_vad(rt.get_model(model_family::audio, "silero_vad_v5", gpu), excerpt);
  auto cpu_run
    = run_vad(rt.get_model(model_family::audio, "silero_vad_v5", cpu), excerpt);
  auto& on_gpu = gpu_run.frames;
  auto& on_cpu = cpu_run.frames;
  REQUIRE(on_gpu.size() == 12);
  REQUIRE(on_cpu.size() == 12);
  auto& origin = gpu_run.result.origin;
  CHECK(origin.platform == "webgpu");
  CHECK(origin.adapter.vendor == caps.adapter.vendor);
  CHECK(origin.adapter.fallback == caps.adapter.fallback);
  CHECK(cpu_run.result.origin.platform == "wasm");
  for (size_t i = 0; i < 12; ++i)
    CHECK(on_gpu[i].speech_probability
          == doctest::Approx(on_cpu[i].speech_probability).epsilon(1e-3));
}
