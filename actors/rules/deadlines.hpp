// How long a request may take: the request's own timeout, or the default
// one scaled by the model family (audio and vision need longer than text)
// and by the size of the input (a 10 MiB image takes longer than a 100 KiB
// one). A pure function; the model actor applies it.
#pragma once

#include <cstdint>
#include <map>

#include "messages/model.hpp"

namespace webaccel {

struct deadline_policy {
  /// The default deadline of one inference.
  uint32_t infer_ms = 30000;
  /// Per-family factors on it (families not listed: 1).
  std::map<model_family, double> family_multipliers = {
    {model_family::audio, 3.0},
    {model_family::vision, 2.0},
    {model_family::text_embedding, 1.5},
    {model_family::text_generation, 1.5},
  };
  /// Inputs up to this size get the plain deadline; larger ones
  /// proportionally more.
  uint64_t reference_input_bytes = 1u << 20;
  /// No deadline is longer than this.
  uint32_t max_ms = 600000;
};

/// The deadline of a request: `requested_ms` if non-zero (the caller's
/// word), else infer_ms * family factor * max(1, input / reference), capped
/// at max_ms.
uint32_t request_deadline_ms(const deadline_policy& policy, model_family family,
                             uint64_t input_bytes, uint32_t requested_ms);

} // namespace webaccel
