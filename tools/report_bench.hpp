// `webaccel bench report`: how long `webaccel report` takes on a big DB.
// It writes a metrics DB with `rows` inference rows through the store's own
// writer, in two shapes, and times reading it back and rendering each
// format:
//  - per_row: `rows` inferences at 2,000/s with one row each
//    (metrics.inference_log), so a few thousand per-second rollups;
//  - rollups: `rows` per-second rollup rows, one inference each (days of
//    traffic at low rates: the reader's worst case).
// The events are generated (fixed seed), not measured: this benchmark is
// about the reader and the renderers, not the runtime.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace webaccel {

struct report_bench_options {
  size_t rows = 1000000;
  std::function<void(const std::string&)> progress;
};

nlohmann::json run_report_bench(const report_bench_options& o);

} // namespace webaccel
