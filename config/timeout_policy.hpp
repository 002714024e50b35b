// Deadlines, all bounded so that no wait is forever. Plain data read from the
// config's "timeouts" section; connections, the router, model instances and
// the recovery supervisor get it as it is, and actors/rules/deadlines
// applies it to requests.
#pragma once

#include <cstdint>
#include <map>

#include "messages/model.hpp"

namespace webaccel {

struct timeout_policy {
  /// From launch to the page's hello.
  uint32_t launch_ms = 60000;
  /// For a model to load in the page.
  uint32_t load_ms = 120000;
  /// Default deadline of one inference, before the factors below.
  uint32_t infer_ms = 30000;
  /// Factor on infer_ms per family (families not listed: 1). The config
  /// replaces the factors it names and keeps the others.
  std::map<model_family, double> family_multipliers = {
    {model_family::audio, 3.0},
    {model_family::vision, 2.0},
    {model_family::text_embedding, 1.5},
    {model_family::text_generation, 1.5},
  };
  /// Inputs up to this size get the plain deadline; larger ones
  /// proportionally more.
  uint64_t reference_input_bytes = 1u << 20;
  /// No inference deadline is longer than this.
  uint32_t max_infer_ms = 600000;
};

} // namespace webaccel
