#include "tools/result_text.hpp"

#include <cmath>
#include <cstdio>

#include "tools/silero_vad.hpp"

namespace webaccel {

namespace {

const tensor* find_output(const infer_result& r, const std::string& name) {
  for (auto& t : r.outputs)
    if (t.name == name)
      return &t;
  return nullptr;
}

std::string format(const char* fmt, double a, double b = 0) {
  char buf[128];
  std::snprintf(buf, sizeof(buf), fmt, a, b);
  return buf;
}

/// One character per 0.1 s: ' ' below 0.1, '.' below 0.5, '#' from 0.5.
std::string probability_strip(const std::vector<vad_frame>& frames) {
  auto seconds = frames.empty() ? 0.0 : frames.back().start_s + 0.032;
  std::string strip(static_cast<size_t>(seconds * 10) + 1, ' ');
  for (auto& f : frames) {
    auto i = static_cast<size_t>(f.start_s * 10);
    char c = f.speech_probability >= 0.5f   ? '#'
             : f.speech_probability >= 0.1f ? '.'
                                            : ' ';
    if (c == '#' || (c == '.' && strip[i] == ' '))
      strip[i] = c;
  }
  return strip;
}

std::string describe_speech(const infer_result& r) {
  auto frames = vad_frames(r);
  std::string out = "  speech probability, one character per 0.1 s (' ' < 0.1, "
                    "'.' < 0.5, "
                    "'#' >= 0.5):\n  ["
                    + probability_strip(frames)
                    + "]\n  speech segments (p >= 0.5):";
  auto segments = speech_segments(frames);
  if (segments.empty())
    out += " none";
  for (auto& s : segments)
    out += format(" %.2f-%.2f s", s.start_s, s.end_s);
  return out + "\n  " + std::to_string(frames.size()) + " frames of 32 ms\n";
}

std::string describe_embedding(const tensor& t) {
  auto v = t.to_floats();
  double norm = 0;
  for (auto x : v)
    norm += double(x) * x;
  std::string out = "  " + t.name + " [";
  for (size_t i = 0; i < t.shape.size(); ++i)
    out += (i ? "x" : "") + std::to_string(t.shape[i]);
  out += "], L2 norm " + format("%.3f", std::sqrt(norm)) + ", first values";
  for (size_t i = 0; i < v.size() && i < 4; ++i)
    out += format(" %.4f", v[i]);
  return out + "\n";
}

} // namespace

std::string describe_origin(const infer_result& r) {
  auto& o = r.origin;
  std::string platform = o.platform;
  if (o.platform == "webgpu")
    platform += " (adapter " + o.adapter.vendor + " " + o.adapter.architecture
                + (o.adapter.fallback ? ", software fallback)" : ")");
  return "  ran on " + o.browser + " " + o.browser_version + ", platform "
         + platform + ", precision " + o.precision
         + (o.mixed_precision ? " (mixed)" : "")
         + ", synthetic weights: " + (r.synthetic_weights ? "true" : "false")
         + ", simulated: " + (r.simulated ? "true" : "false")
         + format(", %.1f ms (in-page compute %.1f ms)\n", r.time.total,
                  r.time.compute)
         + "  placed: " + o.placement + "\n"
         + (o.ignored_options.empty() ? "" : "  ignored options: " + [&] {
             std::string all;
             for (auto& x : o.ignored_options)
               all += (all.empty() ? "" : "; ") + x;
             return all;
           }() + "\n");
}

std::string describe_outputs(const infer_result& r) {
  if (r.family == model_family::audio && find_output(r, "output") != nullptr)
    return describe_speech(r);
  std::string out;
  if (auto text = find_output(r, "text")) {
    out += "  text: \"" + std::string{text->data.begin(), text->data.end()}
           + "\"";
    if (auto c = find_output(r, "confidence");
        c != nullptr && !c->to_floats().empty())
      out += format(" (confidence %.3f)", c->to_floats()[0]);
    return out + "\n";
  }
  for (auto name : {"sentence_embedding", "text_embeds", "image_embeds"})
    if (auto t = find_output(r, name))
      out += describe_embedding(*t);
  if (auto logits = find_output(r, "logits_per_image"))
    for (auto v : logits->to_floats())
      out += format("  image-text score %.3f\n", v);
  if (!out.empty())
    return out;
  for (auto& t : r.outputs) {
    auto v = t.to_floats();
    out += "  " + t.name + ": " + std::to_string(v.size()) + " values";
    if (!v.empty()) {
      auto [lo, hi] = std::minmax_element(v.begin(), v.end());
      out += format(", min %.4f, max %.4f", *lo, *hi);
    }
    out += "\n";
  }
  return out;
}

} // namespace webaccel
