// Reads PCM WAV files into mono float samples and resamples them; what the
// CLI and the tests feed to audio models.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace webaccel {

/// Mono audio in [-1, 1].
struct audio_clip {
  unsigned sample_rate = 0;
  std::vector<float> samples;

  double seconds() const {
    return sample_rate == 0 ? 0.0 : double(samples.size()) / sample_rate;
  }
};

/// Reads a 16-bit PCM (or 32-bit float) WAV, averaging channels.
/// @throws std::runtime_error naming the file and the problem
audio_clip read_wav(const std::string& path);

/// The same from the file's bytes; `origin` names them in errors. Chunks
/// are walked in one loop (no recursion), lengths checked against what is
/// there, and a file that says more frames than it has gives what it has.
audio_clip parse_wav(const std::vector<char>& bytes, const std::string& origin);

/// A 16-bit PCM mono WAV file of the clip.
std::vector<uint8_t> encode_wav(const audio_clip& clip);

/// Linear-interpolation resampling to `rate` (identity if equal).
audio_clip resample(const audio_clip& in, unsigned rate);

} // namespace webaccel
