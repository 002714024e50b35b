// `webaccel run`: loads models placed by the router, runs each on a real
// input and prints the results with their provenance. Without --model it
// runs the config's demo: one default model per family on inputs the build
// made (speech, a rendered text line, a sentence).
#include <chrono>
#include <iostream>

#include "actors/runtime.hpp"
#include "tools/cli_args.hpp"
#include "tools/commands.hpp"
#include "tools/result_json.hpp"
#include "tools/result_text.hpp"
#include "tools/stats.hpp"
#include "transport/wire/media_file.hpp"

namespace webaccel {

namespace {

using clock_type = std::chrono::steady_clock;

/// The items to run: the demo, or the one the command line names.
std::vector<demo_item> items_to_run(const cli_args& a,
                                    const runtime_config& cfg) {
  if (!a.has("--model")) {
    if (a.has("--text") || a.has("--input"))
      throw usage_error("--text and --input need --model");
    if (cfg.demo.empty())
      throw usage_error("the config has no demo; pass --model and an input");
    return cfg.demo;
  }
  demo_item item{a.get("--model"), a.get("--text"), a.get("--input")};
  if (cfg.models.count(item.model) == 0) {
    std::string known;
    for (auto& [name, entry] : cfg.models)
      known += (known.empty() ? "" : ", ") + name;
    throw usage_error("unknown model '" + item.model + "' (known: " + known
                      + ")");
  }
  if (item.text.empty() && item.file.empty())
    throw usage_error("no input for " + item.model
                      + ": pass --text TEXT and/or --input FILE");
  return {item};
}

infer_request request_for(const demo_item& item) {
  infer_request req;
  if (!item.text.empty())
    req.raw.push_back(raw_input::text(item.text));
  if (!item.file.empty())
    req.raw.push_back(read_media_file(item.file));
  return req;
}

hardware_preferences preferences_from(const cli_args& a,
                                      const runtime_config& cfg) {
  auto prefs = cfg.default_preferences;
  if (a.has("--browser"))
    prefs.browser = a.get("--browser");
  if (a.has("--platform"))
    prefs.priority_list = {a.get("--platform")};
  if (a.has("--precision"))
    prefs.precision = a.get("--precision");
  return prefs;
}

int run(const cli_args& a) {
  auto cfg = load_cli_config(a, "run");
  auto items = items_to_run(a, cfg);
  auto prefs = preferences_from(a, cfg);
  bool json = a.has("--json");
  // Progress goes to stderr with --json so stdout stays one object a line.
  auto& progress = json ? std::cerr : std::cout;
  auto started = clock_type::now();
  runtime rt{cfg};
  for (auto& item : items) {
    auto& entry = cfg.models.at(item.model);
    auto req = request_for(item);
    progress << "webaccel run: " << item.model << " ("
             << to_string(entry.family)
             << (entry.synthetic_weights ? ", SYNTHETIC weights" : "")
             << ") on " << (item.file.empty() ? "" : item.file)
             << (item.file.empty() || item.text.empty() ? "" : " and ")
             << (item.text.empty() ? "" : "\"" + item.text + "\"") << std::endl;
    auto model = rt.get_model(entry.family, item.model, prefs);
    auto result = model.infer(std::move(req));
    if (json) {
      std::cout << result_to_json(result).dump() << std::endl;
      if (!std::cout)
        throw std::runtime_error("stdout was closed; stopping");
    } else {
      std::cout << describe_origin(result) << describe_outputs(result);
    }
  }
  progress << "done in " << seconds_since(started) << " s" << std::endl;
  rt.shutdown();
  return 0;
}

} // namespace

int run_main(const cli_args& a) {
  return run(a);
}

} // namespace webaccel
