// IEEE 754 half precision, for the protocol's FP16 tensors: conversions
// to and from float without a library.
#pragma once

#include <cstdint>

namespace webaccel::kserve {

/// The half nearest `f` (ties to even); overflow gives infinity.
uint16_t to_half(float f);

/// The float `h` stands for.
float from_half(uint16_t h);

} // namespace webaccel::kserve
