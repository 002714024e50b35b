// Every default model in a real headless browser, on inputs the build made:
// the real models must say the right thing (the recogniser reads the
// rendered line, the detector finds it, the classifier sees it upright);
// the synthetic ones must match onnxruntime-node run outside the browser on
// the same inputs. Then the page's checks: bad raw inputs and a model file
// that changed after the runtime verified it.
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "actors/runtime.hpp"
#include "tests/support/process_census.hpp"
#include "transport/browser/process.hpp"
#include "transport/wire/media_file.hpp"

using namespace webaccel;
using namespace webaccel::test;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string sentence = "Browsers are a pool of accelerators.";

std::string env_or_fail(const char* name) {
  auto value = std::getenv(name);
  REQUIRE_MESSAGE(value != nullptr, name << " is not set (meson test sets it)");
  return value;
}

/// The demo's rendered text line.
std::string demo_image(const runtime_config& cfg) {
  for (auto& item : cfg.demo)
    if (item.model == "ppocr_rec")
      return item.file;
  FAIL("the default config has no vision demo");
  return {};
}

const tensor& output(const infer_result& r, const std::string& name) {
  for (auto& t : r.outputs)
    if (t.name == name)
      return t;
  FAIL("no output '" << name << "' from " << r.model);
  throw std::logic_error("unreachable");
}

/// Runs onnxruntime-node on `request` (see tests/reference/reference.mjs).
json reference(const json& request) {
  // Its files, and onnxruntime's own (/tmp/mat-debug-PID.log), in a
  // folder of ours that goes with the run.
  std::string error;
  fs::path dir = make_scratch_dir("reference-", error);
  REQUIRE_MESSAGE(!dir.empty(), error);
  auto in = dir / "in.json";
  auto out = dir / "out.json";
  std::ofstream{in} << request.dump();
  auto log = capture_output(
    "/usr/bin/env",
    {"TMPDIR=" + dir.string(), env_or_fail("WEBACCEL_NODE"),
     env_or_fail("WEBACCEL_REFERENCE"), in.string(), out.string()},
    std::chrono::seconds{120}, error);
  std::ifstream result{out};
  auto doc = result ? json::parse(result, nullptr, false) : json{};
  result.close();
  fs::remove_all(dir);
  REQUIRE_MESSAGE(log.has_value(), "reference run failed: " << error);
  REQUIRE_MESSAGE(!doc.is_null(), "the reference wrote no " << out);
  return doc;
}

std::vector<std::string> part_paths(const model_variant& v) {
  std::vector<std::string> out;
  for (auto& [name, file] : v.parts)
    out.push_back(file.path);
  return out;
}

/// Largest absolute difference between a browser output and a reference one.
double max_difference(const tensor& got, const json& want) {
  auto g = got.to_floats();
  REQUIRE(want.at("shape").get<std::vector<int64_t>>() == got.shape);
  auto& w = want.at("data");
  REQUIRE(w.size() == g.size());
  double worst = 0;
  for (size_t i = 0; i < g.size(); ++i)
    worst = std::max(worst, std::abs(double(g[i]) - w[i].get<double>()));
  return worst;
}

double cosine(const std::vector<float>& a, const json& b) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    auto y = b[i].get<double>();
    dot += a[i] * y;
    na += double(a[i]) * a[i];
    nb += y * y;
  }
  return dot / std::sqrt(na * nb);
}

/// A fixed image tensor for the CLIP image tower: [1, 3, 64, 64].
tensor test_pixels() {
  std::vector<float> v(3 * 64 * 64);
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = static_cast<float>(std::sin(double(i) * 0.01));
  return tensor::from_floats("pixel_values", {1, 3, 64, 64}, v);
}

json pixels_as_json(const tensor& t) {
  return json{{"name", t.name},
              {"dtype", "float32"},
              {"shape", t.shape},
              {"data", t.to_floats()}};
}

infer_request raw_request(std::vector<raw_input> raw) {
  infer_request req;
  req.raw = std::move(raw);
  return req;
}

} // namespace

TEST_CASE("every default model gives correct outputs in a real browser") {
  auto cfg = default_config();
  auto image = read_media_file(demo_image(cfg));
  runtime rt{cfg};

  SUBCASE("the PaddleOCR recogniser reads the rendered line") {
    auto r = rt.get_model(model_family::vision, "ppocr_rec")
               .infer(raw_request({image}));
    auto& text = output(r, "text");
    CHECK(std::string(text.data.begin(), text.data.end())
          == "Hello World 2024");
    CHECK(output(r, "confidence").to_floats().at(0) > 0.9f);
    CHECK(r.family == model_family::vision);
    CHECK_FALSE(r.synthetic_weights);
    CHECK_FALSE(r.simulated);
  }
  SUBCASE("the PaddleOCR detector finds the text, not the margins") {
    auto r = rt.get_model(model_family::vision, "ppocr_det")
               .infer(raw_request({image}));
    auto& map = output(r, "sigmoid_0.tmp_0");
    // 320x48 is resized to multiples of 32: 320x64.
    REQUIRE(map.shape == std::vector<int64_t>{1, 1, 64, 320});
    auto p = map.to_floats();
    auto at = [&](int y, int x) { return p[size_t(y) * 320 + size_t(x)]; };
    float text_peak = 0, margin_peak = 0;
    for (int y = 0; y < 64; ++y)
      for (int x = 0; x < 320; ++x) {
        // The line spans about x 12..290 and the middle rows.
        if (x >= 20 && x < 280 && y >= 24 && y < 40)
          text_peak = std::max(text_peak, at(y, x));
        if (x < 4 || x >= 310)
          margin_peak = std::max(margin_peak, at(y, x));
      }
    CHECK(text_peak > 0.9f);
    CHECK(margin_peak < 0.1f);
  }
  SUBCASE("the PaddleOCR classifier sees the line upright") {
    auto r = rt.get_model(model_family::vision, "ppocr_cls")
               .infer(raw_request({image}));
    auto p = output(r, "softmax_0.tmp_0").to_floats();
    REQUIRE(p.size() == 2);
    CHECK(p[0] > 0.9f); // class 0 = 0 degrees, class 1 = 180 degrees
  }
  SUBCASE("tiny BERT (synthetic) matches onnxruntime-node on the same text") {
    auto& entry = cfg.models.at("tiny_bert");
    auto r = rt.get_model(model_family::text_embedding, "tiny_bert")
               .infer(raw_request({raw_input::text(sentence)}));
    CHECK(r.synthetic_weights);
    auto want = reference(
      {{"parts", part_paths(*entry.variant("fp32", false))},
       {"text", sentence},
       {"vocab", entry.preprocessing.at(0).files.at("vocab").path}});
    CHECK(max_difference(output(r, "sentence_embedding"), want["sentence_"
                                                               "embedding"])
          < 1e-4);
    CHECK(max_difference(output(r, "last_hidden_state"), want["last_hidden_"
                                                              "state"])
          < 1e-3);
  }
  SUBCASE("tiny BERT's q8 and fp16 variants stay close to the fp32 reference") {
    auto& entry = cfg.models.at("tiny_bert");
    auto want = reference(
      {{"parts", part_paths(*entry.variant("fp32", false))},
       {"text", sentence},
       {"vocab", entry.preprocessing.at(0).files.at("vocab").path}});
    for (auto precision : {"q8", "fp16"}) {
      CAPTURE(precision);
      auto prefs = cfg.default_preferences;
      prefs.precision = precision;
      prefs.mixed_precision = std::string{precision} == "fp16";
      auto r = rt.get_model(model_family::text_embedding, "tiny_bert", prefs)
                 .infer(raw_request({raw_input::text(sentence)}));
      CHECK(r.origin.precision == precision);
      CHECK(r.origin.mixed_precision == prefs.mixed_precision);
      CHECK(cosine(output(r, "sentence_embedding").to_floats(),
                   want["sentence_embedding"]["data"])
            > 0.999);
    }
  }
  SUBCASE("tiny CLIP (synthetic): both towers match onnxruntime-node, and the "
          "page scores the pair") {
    auto& entry = cfg.models.at("tiny_clip");
    auto model = rt.get_model(model_family::multimodal, "tiny_clip");
    auto pixels = test_pixels();
    infer_request req = raw_request({raw_input::text("hello world")});
    req.inputs.push_back(pixels);
    auto r = model.infer(std::move(req));
    CHECK(r.synthetic_weights);
    auto want
      = reference({{"parts", part_paths(*entry.variant("fp32", false))},
                   {"text", "hello world"},
                   {"max_length", 77},
                   {"vocab", entry.preprocessing.at(0).files.at("vocab").path},
                   {"tensors", json::array({pixels_as_json(pixels)})}});
    CHECK(max_difference(output(r, "text_embeds"), want["text_embeds"]) < 1e-4);
    CHECK(max_difference(output(r, "image_embeds"), want["image_embeds"])
          < 1e-4);
    auto text = output(r, "text_embeds").to_floats();
    auto img = output(r, "image_embeds").to_floats();
    double dot = 0;
    for (size_t i = 0; i < text.size(); ++i)
      dot += double(text[i]) * img[i];
    CHECK(output(r, "logits_per_image").to_floats().at(0)
          == doctest::Approx(100 * dot).epsilon(1e-4));
    SUBCASE("a text alone runs the text tower only") {
      auto t = model.infer(raw_request({raw_input::text("hello world")}));
      CHECK(t.outputs.size() == 1);
      CHECK(t.outputs.at(0).name == "text_embeds");
    }
  }
}

TEST_CASE("a bad raw input fails that request only, with the reason") {
  auto cfg = default_config();
  runtime rt{cfg};
  auto ocr = rt.get_model(model_family::vision, "ppocr_rec");
  auto expect_invalid = [&](infer_request req, const std::string& says) {
    try {
      ocr.infer(std::move(req));
      FAIL("the request should have failed");
    } catch (const failure& f) {
      CHECK(f.code() == errc::invalid_request);
      CHECK_MESSAGE(std::string{f.what()}.find(says) != std::string::npos,
                    f.what());
    }
  };
  expect_invalid(raw_request({raw_input::text("hello")}), "this model takes no "
                                                          "raw 'text' input "
                                                          "(it takes image)");
  expect_invalid(
    raw_request({raw_input{"image", "image/png", {0x89, 'P', 'N', 'G', 1, 2}}}),
    "cannot decode the image");
  // The model still works.
  auto r = ocr.infer(raw_request({read_media_file(demo_image(cfg))}));
  CHECK(
    std::string(output(r, "text").data.begin(), output(r, "text").data.end())
    == "Hello World 2024");
}

TEST_CASE("a model file that changed after it was verified is refused by the "
          "page as model_incompatible") {
  auto cfg = default_config();
  auto& entry = cfg.models.at("tiny_bert");
  auto original = entry.variant("fp32", false)->parts.at("model");
  std::string error;
  auto dir = make_scratch_dir("model-", error);
  REQUIRE_MESSAGE(!dir.empty(), error);
  auto copy = dir + "/fp32.onnx";
  fs::copy_file(original.path, copy);
  entry.variants = {*entry.variant("fp32", false)};
  entry.variants[0].parts["model"].path = copy;
  {
    runtime rt{cfg};
    // Same size, different bytes.
    std::fstream f{copy, std::ios::in | std::ios::out | std::ios::binary};
    f.seekp(1000);
    f.put('\x42');
    f.close();
    try {
      rt.get_model(model_family::text_embedding, "tiny_bert");
      FAIL("a changed model file must not load");
    } catch (const failure& e) {
      CHECK(e.code() == errc::model_incompatible);
      CHECK_MESSAGE(std::string{e.what()}.find("sha256") != std::string::npos,
                    e.what());
    }
  }
  fs::remove_all(dir);
  auto left = children_of_this_process();
  CHECK_MESSAGE(left.empty(), "left behind:\n" << describe_processes(left));
}

TEST_CASE("an idle model releases its browser session and loads again when "
          "used; an unloaded one is gone") {
  auto cfg = default_config();
  cfg.model_idle_unload_ms = 300;
  cfg.pool.heartbeat_ms = 200;
  runtime rt{cfg};
  auto bert = rt.get_model(model_family::text_embedding, "tiny_bert");
  auto first = bert.infer(raw_request({raw_input::text(sentence)}));
  auto loaded_in_pages = [&] {
    size_t n = 0;
    for (auto& k : rt.stats().kinds)
      for (auto& c : k.connections)
        n += c.loaded_models.size();
    return n;
  };
  // Wait (generously) for the eviction and for the page to drop the session.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
  while ((rt.stats().models.evictions == 0 || loaded_in_pages() != 0)
         && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  auto stats = rt.stats();
  CHECK(stats.models.evictions >= 1);
  CHECK(loaded_in_pages() == 0);
  // The same handle still works: the model loads itself again.
  auto again = bert.infer(raw_request({raw_input::text(sentence)}));
  CHECK(again.outputs.at(1).to_floats() == first.outputs.at(1).to_floats());
  // The cache: one miss, then a hit; an unload forgets it.
  auto same = rt.get_model(model_family::text_embedding, "tiny_bert");
  stats = rt.stats();
  CHECK(stats.models.misses == 1);
  CHECK(stats.models.hits == 1);
  CHECK(rt.unload(same));
  CHECK_FALSE(rt.unload(bert));
  CHECK_THROWS_AS(bert.infer(raw_request({raw_input::text(sentence)})),
                  failure);
  CHECK(rt.stats().models.instances == 0);
}

TEST_CASE("batched outputs equal unbatched ones; concurrent requests to "
          "different models all come back") {
  auto cfg = default_config();
  runtime rt{cfg};
  auto bert = rt.get_model(model_family::text_embedding, "tiny_bert");
  std::vector<std::string> texts;
  for (int i = 0; i < 12; ++i)
    texts.push_back(std::string(size_t(i % 4) + 1, 'a')
                    + " browsers run model number " + std::to_string(i)
                    + (i % 3 == 0 ? " with a longer tail of words" : ""));
  std::vector<infer_result> alone;
  for (auto& t : texts)
    alone.push_back(bert.infer(raw_request({raw_input::text(t)})));
  std::vector<infer_request> batch;
  for (auto& t : texts)
    batch.push_back(raw_request({raw_input::text(t)}));
  auto together = rt.run_batch(bert, std::move(batch));
  REQUIRE(together.size() == texts.size());
  uint32_t largest = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    CAPTURE(texts[i]);
    REQUIRE_MESSAGE(together[i].ok(), together[i].error->what());
    auto& r = *together[i].result;
    largest = std::max(largest, r.batch_size);
    CHECK(alone[i].batch_size == 1);
    for (auto name : {"sentence_embedding", "last_hidden_state"}) {
      auto& a = output(alone[i], name);
      auto& b = output(r, name);
      INFO("batch of " << r.batch_size << ", outputs " << r.outputs.size()
                       << ", shapes " << a.shape.size() << "/" << b.shape.size()
                       << " dim1 " << a.shape[1] << "/" << b.shape[1]);
      REQUIRE(a.shape == b.shape);
      auto av = a.to_floats();
      auto bv = b.to_floats();
      double worst = 0;
      for (size_t k = 0; k < av.size(); ++k)
        worst = std::max(worst, double(std::abs(av[k] - bv[k])));
      CHECK(worst < 1e-5);
    }
  }
  CHECK(largest > 1); // Twelve at once did share a batch.

  auto ocr = rt.get_model(model_family::vision, "ppocr_rec");
  auto image = read_media_file(demo_image(cfg));
  std::vector<std::pair<model_handle, infer_request>> work;
  for (int i = 0; i < 3; ++i) {
    work.emplace_back(ocr, raw_request({image}));
    work.emplace_back(bert, raw_request({raw_input::text(texts[size_t(i)])}));
  }
  work.emplace_back(ocr, raw_request({raw_input::text("not an image")}));
  auto outcomes = rt.execute_concurrent(std::move(work));
  REQUIRE(outcomes.size() == 7);
  for (size_t i = 0; i < 6; ++i) {
    REQUIRE_MESSAGE(outcomes[i].ok(), outcomes[i].error->what());
    CHECK(outcomes[i].result->model
          == (i % 2 == 0 ? "ppocr_rec" : "tiny_bert"));
  }
  REQUIRE_FALSE(outcomes[6].ok());
  CHECK(outcomes[6].error->code() == errc::invalid_request);
}
