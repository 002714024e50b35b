// A host program that embeds webaccel, as the README shows it: it runs
// tiny BERT on a sentence in a real headless browser and prints the
// embedding's shape, the first values and where it ran. Build it against an
// installed webaccel:
//   g++ -std=c++17 embed_host.cpp $(pkg-config --cflags --libs webaccel)
#include <webaccel/webaccel.hpp>

#include <iostream>

int main(int argc, char** argv) {
  try {
    // The installed default config: the browser assets and the default
    // models under share/webaccel. WEBACCEL_* variables override it.
    auto cfg = webaccel::default_config();
    webaccel::apply_environment(cfg);
    webaccel::runtime rt{cfg};
    auto bert = rt.get_model(webaccel::model_family::text_embedding,
                             "tiny_bert");
    webaccel::infer_request req;
    req.raw.push_back(
      webaccel::raw_input::text(argc > 1 ? argv[1] : "hello from a host"));
    auto result = bert.infer(req);
    for (auto& out : result.outputs) {
      if (out.name != "sentence_embedding")
        continue;
      std::cout << out.name << " [";
      for (size_t i = 0; i < out.shape.size(); ++i)
        std::cout << (i ? "," : "") << out.shape[i];
      std::cout << "] " << out.to_floats().at(0) << " ... on "
                << result.origin.browser << " " << result.origin.browser_version
                << " (" << result.origin.platform << ")"
                << (result.simulated ? " simulated" : "") << "\n";
    }
    rt.shutdown();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "embed_host: " << e.what() << "\n";
    return 1;
  }
}
