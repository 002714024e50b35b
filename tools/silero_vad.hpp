// Drives Silero VAD v5 over a clip the way silero-vad's OnnxWrapper (and
// @ricky0123/vad-web) do: 512-sample frames at 16 kHz, each prefixed with
// the last 64 samples of the previous frame, the recurrent state carried
// from one inference to the next.
#pragma once

#include <functional>
#include <vector>

#include "actors/runtime.hpp"
#include "tools/wav.hpp"

namespace webaccel {

/// Speech probability of one frame and the result it came from.
struct vad_frame {
  double start_s = 0;
  float speech_probability = 0;
  infer_result result;
};

/// Called after each frame's inference (for progress and streaming output).
using vad_progress
  = std::function<void(const vad_frame&, size_t index, size_t total)>;

/// Samples per frame and of carried context at 16 kHz.
constexpr size_t vad_frame_samples = 512;
constexpr size_t vad_context_samples = 64;

/// One fixed frame of input (a quiet sine burst, zero state) for
/// benchmarks and probes.
std::vector<tensor> vad_probe_frame();

/// Runs the model over the whole clip (resampled to 16 kHz).
/// @throws failure from the runtime
std::vector<vad_frame> run_vad(const model_handle& model, const audio_clip& clip,
                               const vad_progress& progress = nullptr);

/// A stretch of speech: frames whose probability passed a threshold.
struct speech_segment {
  double start_s = 0;
  double end_s = 0;
};

/// Joins consecutive frames at or above `threshold` into segments.
std::vector<speech_segment> speech_segments(const std::vector<vad_frame>& f,
                                            float threshold = 0.5f);

} // namespace webaccel
