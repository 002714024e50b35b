// How long a request may take: the request's own timeout, or the default
// one scaled by the model family (audio and vision need longer than text)
// and by the size of the input (a 10 MiB image takes longer than a 100 KiB
// one). A pure function; the model actor applies it.
#pragma once

#include <cstdint>

#include "config/timeout_policy.hpp"
#include "messages/model.hpp"

namespace webaccel {

/// The deadline of a request: `requested_ms` if non-zero (the caller's
/// word), else infer_ms * family factor * max(1, input / reference), capped
/// at max_infer_ms.
uint32_t request_deadline_ms(const timeout_policy& policy, model_family family,
                             uint64_t input_bytes, uint32_t requested_ms);

} // namespace webaccel
