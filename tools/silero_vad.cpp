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

std::vector<vad_frame> run_vad(const model_handle& model, const audio_clip& input,
                               const vad_progress& progress) {
  constexpr unsigned rate = 16000;
  auto clip = resample(input, rate);
  auto total = clip.samples.size() / vad_frame_samples;
  std::vector<float> state(2 * 1 * 128, 0.0f);
  std::vector<float> window(vad_context_samples + vad_frame_samples, 0.0f);
  std::vector<vad_frame> frames;
  for (size_t i = 0; i < total; ++i) {
    // Keep the previous frame's tail as context, then append this frame.
    std::copy(window.end() - vad_context_samples, window.end(), window.begin());
    auto first
      = clip.samples.begin() + static_cast<ptrdiff_t>(i * vad_frame_samples);
    std::copy(first, first + vad_frame_samples, window.begin() + vad_context_samples);
    std::vector<tensor> inputs{
      tensor::from_floats("input", {1, int64_t(window.size())}, window),
      tensor::from_floats("state", {2, 1, 128}, state),
      tensor::from_int64s("sr", {}, {rate}),
    };
    vad_frame frame;
    frame.start_s = double(i * vad_frame_samples) / rate;
    frame.result = model.infer(std::move(inputs));
    std::vector<float> prob;
    for (auto& out : frame.result.outputs) {
      if (out.name == "output")
        prob = out.to_floats();
      else if (out.name == "stateN")
        state = out.to_floats();
    }
    if (prob.size() != 1 || state.size() != 2 * 128)
      throw std::runtime_error("model output does not look like Silero VAD "
                               "v5 (expected 'output' [1,1] and 'stateN' "
                               "[2,1,128])");
    frame.speech_probability = prob[0];
    frames.push_back(std::move(frame));
    if (progress)
      progress(frames.back(), i, total);
  }
  return frames;
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
