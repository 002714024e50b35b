#include "tools/wav.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace webaccel {

namespace {

uint32_t le32(const char* p) {
  auto u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t{u[0]} | uint32_t{u[1]} << 8 | uint32_t{u[2]} << 16
         | uint32_t{u[3]} << 24;
}

uint16_t le16(const char* p) {
  auto u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<uint16_t>(u[0] | u[1] << 8);
}

} // namespace

audio_clip read_wav(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    throw std::runtime_error(path + ": cannot read the file");
  std::vector<char> bytes{std::istreambuf_iterator<char>{in}, {}};
  return parse_wav(bytes, path);
}

audio_clip parse_wav(const std::vector<char>& bytes,
                     const std::string& origin) {
  auto fail = [&](const std::string& what) {
    return std::runtime_error(origin + ": " + what);
  };
  // Bound what we accept: an hour of 48 kHz stereo 16-bit is ~700 MB.
  if (bytes.size() > (uint64_t{1} << 30))
    throw fail("file larger than 1 GiB");
  if (bytes.size() < 12 || std::memcmp(bytes.data(), "RIFF", 4) != 0
      || std::memcmp(bytes.data() + 8, "WAVE", 4) != 0)
    throw fail("not a RIFF/WAVE file");
  uint16_t format = 0, channels = 0, bits = 0;
  uint32_t rate = 0;
  const char* data = nullptr;
  size_t data_len = 0;
  size_t pos = 12;
  while (pos + 8 <= bytes.size()) {
    auto id = bytes.data() + pos;
    size_t len = le32(id + 4);
    auto body = pos + 8;
    if (len > bytes.size() - body)
      len = bytes.size() - body; // Truncated files: use what is there.
    if (std::memcmp(id, "fmt ", 4) == 0 && len >= 16) {
      format = le16(id + 8);
      channels = le16(id + 10);
      rate = le32(id + 12);
      bits = le16(id + 22);
    } else if (std::memcmp(id, "data", 4) == 0) {
      data = bytes.data() + body;
      data_len = len;
    }
    pos = body + len + (len & 1);
  }
  if (channels == 0 || rate == 0)
    throw fail("no valid 'fmt ' chunk");
  if (data == nullptr)
    throw fail("no 'data' chunk");
  bool pcm16 = format == 1 && bits == 16;
  bool float32 = format == 3 && bits == 32;
  if (!pcm16 && !float32)
    throw fail("unsupported encoding (format " + std::to_string(format) + ", "
               + std::to_string(bits)
               + " bits); use 16-bit PCM or 32-bit float");
  audio_clip clip;
  clip.sample_rate = rate;
  size_t frame_bytes = size_t{channels} * bits / 8;
  size_t frames = data_len / frame_bytes;
  clip.samples.resize(frames);
  for (size_t i = 0; i < frames; ++i) {
    float sum = 0;
    for (size_t c = 0; c < channels; ++c) {
      auto p = data + i * frame_bytes + c * bits / 8;
      if (pcm16) {
        sum += static_cast<int16_t>(le16(p)) / 32768.0f;
      } else {
        uint32_t u = le32(p);
        float f;
        std::memcpy(&f, &u, sizeof f);
        sum += f;
      }
    }
    clip.samples[i] = sum / channels;
  }
  return clip;
}

std::vector<uint8_t> encode_wav(const audio_clip& clip) {
  std::vector<uint8_t> out;
  auto put = [&](uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i)
      out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  auto tag = [&](const char* t) { out.insert(out.end(), t, t + 4); };
  auto data_bytes = static_cast<uint32_t>(clip.samples.size() * 2);
  tag("RIFF");
  put(36 + data_bytes, 4);
  tag("WAVE");
  tag("fmt ");
  put(16, 4);
  put(1, 2); // PCM
  put(1, 2); // mono
  put(clip.sample_rate, 4);
  put(clip.sample_rate * 2, 4);
  put(2, 2);
  put(16, 2);
  tag("data");
  put(data_bytes, 4);
  for (auto s : clip.samples) {
    auto v
      = static_cast<int16_t>(std::lround(std::clamp(s, -1.0f, 1.0f) * 32767));
    put(static_cast<uint16_t>(v), 2);
  }
  return out;
}

audio_clip resample(const audio_clip& in, unsigned rate) {
  if (in.sample_rate == rate || in.samples.empty())
    return in.sample_rate == rate ? in : audio_clip{rate, {}};
  audio_clip out;
  out.sample_rate = rate;
  auto n
    = static_cast<size_t>(double(in.samples.size()) * rate / in.sample_rate);
  out.samples.resize(n);
  double step = double(in.sample_rate) / rate;
  for (size_t i = 0; i < n; ++i) {
    double x = i * step;
    auto j = static_cast<size_t>(x);
    double frac = x - j;
    float a = in.samples[std::min(j, in.samples.size() - 1)];
    float b = in.samples[std::min(j + 1, in.samples.size() - 1)];
    out.samples[i] = static_cast<float>(a + (b - a) * frac);
  }
  return out;
}

} // namespace webaccel
