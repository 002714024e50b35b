// Silero VAD v5 over a clip: the clip goes to the page as a WAV file; the
// page's audio_frames step resamples it to 16 kHz and runs 512-sample frames,
// each prefixed with the last 64 samples of the previous one, carrying the
// recurrent state, as silero-vad's OnnxWrapper and @ricky0123/vad-web do.
// One request per clip; the answer is one probability per frame.
#pragma once

#include <vector>

#include "actors/runtime.hpp"
#include "tools/wav.hpp"

namespace webaccel {

/// Speech probability of one frame.
struct vad_frame {
  double start_s = 0;
  float speech_probability = 0;
};

/// A clip's frames and the result they came from.
struct vad_run {
  std::vector<vad_frame> frames;
  infer_result result;
};

/// Samples per frame and of carried context at 16 kHz.
constexpr size_t vad_frame_samples = 512;
constexpr size_t vad_context_samples = 64;

/// One fixed frame of input (a quiet sine burst, zero state) for
/// benchmarks and probes.
std::vector<tensor> vad_probe_frame();

/// Runs the model over the whole clip.
/// @throws failure from the runtime, std::runtime_error if the answer does
///         not look like Silero VAD's
vad_run run_vad(const model_handle& model, const audio_clip& clip);

/// The frames of a result of the audio_frames pipeline ("output", one
/// probability per frame). @throws std::runtime_error if it has none
std::vector<vad_frame> vad_frames(const infer_result& result);

/// A stretch of speech: frames whose probability passed a threshold.
struct speech_segment {
  double start_s = 0;
  double end_s = 0;
};

/// Joins consecutive frames at or above `threshold` into segments.
std::vector<speech_segment> speech_segments(const std::vector<vad_frame>& f,
                                            float threshold = 0.5f);

} // namespace webaccel
