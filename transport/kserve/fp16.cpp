#include "transport/kserve/fp16.hpp"

#include <cstring>

namespace webaccel::kserve {

/// IEEE 754 half from float, rounding to nearest even.
uint16_t to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000u;
  int32_t exponent = static_cast<int32_t>((x >> 23) & 0xff) - 127 + 15;
  uint32_t mantissa = x & 0x7fffffu;
  if (((x >> 23) & 0xff) == 0xff) // Inf or NaN.
    return static_cast<uint16_t>(sign | 0x7c00u | (mantissa ? 0x200u : 0));
  if (exponent >= 31)
    return static_cast<uint16_t>(sign | 0x7c00u);
  if (exponent <= 0) {
    if (exponent < -10)
      return static_cast<uint16_t>(sign);
    mantissa |= 0x800000u;
    auto shift = static_cast<uint32_t>(14 - exponent);
    auto half = mantissa >> shift;
    auto rest = mantissa & ((1u << shift) - 1);
    auto mid = 1u << (shift - 1);
    if (rest > mid || (rest == mid && (half & 1)))
      half++;
    return static_cast<uint16_t>(sign | half);
  }
  auto half = static_cast<uint32_t>(exponent) << 10 | (mantissa >> 13);
  auto rest = mantissa & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1)))
    half++; // May carry into the exponent, which is right.
  return static_cast<uint16_t>(sign | half);
}

/// Float from IEEE 754 half (subnormals, infinities and NaN too).
float from_half(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1f;
  uint32_t mantissa = h & 0x3ffu;
  uint32_t x;
  if (exponent == 0) {
    if (mantissa == 0) {
      x = sign;
    } else { // Subnormal: normalize.
      int32_t e = -1;
      do {
        e++;
        mantissa <<= 1;
      } while ((mantissa & 0x400u) == 0);
      x = sign | static_cast<uint32_t>(127 - 15 - e) << 23
          | (mantissa & 0x3ffu) << 13;
    }
  } else if (exponent == 31) {
    x = sign | 0x7f800000u | mantissa << 13;
  } else {
    x = sign | (exponent + 127 - 15) << 23 | mantissa << 13;
  }
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

} // namespace webaccel::kserve
