#include "tools/silero_vad.hpp"

#include <cmath>

#include <stdexcept>

namespace webaccel {

std::vector<tensor> vad_probe_frame() {
  std::vector<float> window(vad_context_samples + vad_frame_samples);
  for (size_t i = 0; i < window.size(); ++i)
    window[i] = 0.1f * static_cast<float>(std::sin(double(i) * 0.05));
  return {tensor::from_floats("input", {1, int64_t(window.size())}, window),
          tensor::from_floats("state", {2, 1, 128}, std::vector<float>(256)),
          tensor::from_int64s("sr", {}, {16000})};
}

std::vector<vad_frame> vad_frames(const infer_result& result) {
  for (auto& out : result.outputs) {
    if (out.name != "output")
      continue;
    auto probabilities = out.to_floats();
    if (out.shape.size() != 1 || probabilities.empty())
      break;
    std::vector<vad_frame> frames;
    for (size_t i = 0; i < probabilities.size(); ++i)
      frames.push_back(
        {double(i * vad_frame_samples) / 16000, probabilities[i]});
    return frames;
  }
  throw std::runtime_error("the answer of " + result.model
                           + " has no per-frame 'output' [frames]; is it "
                             "Silero VAD "
                             "with the audio_frames preprocessing?");
}

vad_run run_vad(const model_handle& model, const audio_clip& clip) {
  infer_request req;
  req.raw.push_back({"audio", "audio/wav", encode_wav(clip)});
  vad_run out;
  out.result = model.infer(std::move(req));
  out.frames = vad_frames(out.result);
  return out;
}

std::vector<speech_segment> speech_segments(const std::vector<vad_frame>& f,
                                            float threshold) {
  std::vector<speech_segment> out;
  constexpr double frame_s = double(vad_frame_samples) / 16000;
  for (auto& frame : f) {
    if (frame.speech_probability < threshold)
      continue;
    if (!out.empty() && frame.start_s - out.back().end_s < frame_s / 2)
      out.back().end_s = frame.start_s + frame_s;
    else
      out.push_back({frame.start_s, frame.start_s + frame_s});
  }
  return out;
}

} // namespace webaccel
