#include <chrono>
#include <iostream>

#include "actors/runtime.hpp"
#include "tools/cli_args.hpp"
#include "tools/commands.hpp"
#include "tools/result_json.hpp"
#include "tools/silero_vad.hpp"
#include "tools/stats.hpp"

namespace webaccel {

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

/// One character per 0.1 s: ' ' below 0.1, '.' below 0.5, '#' from 0.5.
std::string probability_strip(const std::vector<vad_frame>& frames, double seconds) {
  std::string strip(static_cast<size_t>(seconds * 10), ' ');
  for (auto& f : frames) {
    auto i = static_cast<size_t>(f.start_s * 10);
    if (i >= strip.size())
      continue;
    char c = f.speech_probability >= 0.5f   ? '#'
             : f.speech_probability >= 0.1f ? '.'
                                            : ' ';
    if (c == '#' || (c == '.' && strip[i] == ' '))
      strip[i] = c;
  }
  return strip;
}

std::string describe_platform(const infer_result& r) {
  auto& o = r.origin;
  std::string out = o.platform;
  if (o.platform == "webgpu")
    out += " (adapter " + o.adapter.vendor + " " + o.adapter.architecture
           + (o.adapter.fallback ? ", software fallback)" : ")");
  return out;
}

void print_summary(const std::string& model, const audio_clip& clip,
                   const std::vector<vad_frame>& frames) {
  auto& first = frames.front().result;
  std::cout << "  ran on " << first.origin.browser << " "
            << first.origin.browser_version << ", platform "
            << describe_platform(first) << ", precision " << first.origin.precision
            << ", simulated: " << (first.simulated ? "true" : "false") << "\n";
  std::cout << "  speech probability, one character per 0.1 s "
               "(' ' < 0.1, '.' < 0.5, '#' >= 0.5):\n  ["
            << probability_strip(frames, clip.seconds()) << "]\n";
  std::cout << "  speech segments (p >= 0.5):";
  auto segments = speech_segments(frames);
  if (segments.empty())
    std::cout << " none";
  for (auto& s : segments)
    std::printf(" %.2f-%.2f s", s.start_s, s.end_s);
  std::vector<double> total, compute, overhead;
  for (auto& f : frames) {
    total.push_back(f.result.time.total);
    compute.push_back(f.result.time.compute);
    overhead.push_back(f.result.time.total - f.result.time.compute);
  }
  std::printf("\n  %zu inferences of %s: total p50 %.2f ms, in-page compute "
              "p50 %.2f ms, overhead p50 %.2f ms / p99 %.2f ms\n",
              frames.size(), model.c_str(), percentile(total, 50),
              percentile(compute, 50), percentile(overhead, 50),
              percentile(overhead, 99));
}

int run(const cli_args& a) {
  auto cfg = load_cli_config(a.get("--config"));
  auto name = a.get("--model", cfg.demo.model);
  if (name.empty() && !cfg.models.empty())
    name = cfg.models.begin()->first;
  auto spec = cfg.models.find(name);
  if (spec == cfg.models.end())
    throw usage_error("unknown model '" + name + "'");
  if (spec->second.family != model_family::audio)
    throw usage_error("model '" + name + "' is a " + to_string(spec->second.family)
                      + " model; this build feeds audio models (WAV input) "
                        "only");
  auto input = a.get("--input", cfg.demo.input);
  if (input.empty())
    throw usage_error("no input: pass --input FILE.wav");
  auto clip = read_wav(input);
  bool json = a.has("--json");
  // Progress goes to stderr with --json so stdout stays one object a line.
  auto& progress = json ? std::cerr : std::cout;
  progress << "webaccel run: " << name << " (" << to_string(spec->second.family)
           << ") on " << input << " (" << clip.seconds() << " s)\n"
           << "  starting a browser and loading the model..." << std::endl;
  auto started = clock_type::now();
  runtime rt{cfg};
  auto model = rt.get_model(spec->second.family, name);
  progress << "  ready after " << seconds_since(started) << " s; running "
           << size_t(clip.seconds() * 16000) / vad_frame_samples << " frames"
           << std::endl;
  size_t last_tenth = 0;
  auto frames
    = run_vad(model, clip, [&](const vad_frame& f, size_t i, size_t total) {
        if (json) {
          auto j = result_to_json(f.result);
          j["frame"] = i;
          j["start_s"] = f.start_s;
          j["speech_probability"] = f.speech_probability;
          std::cout << j.dump() << std::endl;
          if (!std::cout)
            throw std::runtime_error("stdout was closed; stopping");
        }
        auto tenth = (i + 1) * 10 / total;
        if (tenth != last_tenth) {
          last_tenth = tenth;
          progress << "  " << tenth * 10 << "%" << (tenth == 10 ? "\n" : "")
                   << std::flush;
        }
      });
  if (frames.empty())
    throw usage_error(input + " is shorter than one 32 ms frame");
  if (!json)
    print_summary(name, clip, frames);
  rt.shutdown();
  return 0;
}

} // namespace

int run_command(const std::vector<std::string>& args) {
  return run_guarded("run", [&] {
    return run(cli_args{args, {"--config", "--model", "--input"}, {"--json"}});
  });
}

} // namespace webaccel
