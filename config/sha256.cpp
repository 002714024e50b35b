#include "config/sha256.hpp"

#include <array>
#include <cstring>
#include <fstream>
#include <vector>

namespace webaccel {

namespace {

constexpr std::array<uint32_t, 64> round_constants
  = {0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
     0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
     0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
     0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
     0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
     0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
     0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
     0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
     0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
     0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
     0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

uint32_t rotr(uint32_t x, int n) {
  return (x >> n) | (x << (32 - n));
}

/// Incremental SHA-256 state.
class sha256_state {
public:
  void update(const unsigned char* data, size_t len) {
    total_bytes_ += len;
    while (len > 0) {
      auto n = std::min(len, block_.size() - fill_);
      std::memcpy(block_.data() + fill_, data, n);
      fill_ += n;
      data += n;
      len -= n;
      if (fill_ == block_.size()) {
        compress();
        fill_ = 0;
      }
    }
  }

  std::string finish() {
    uint64_t bit_len = total_bytes_ * 8;
    unsigned char pad = 0x80;
    update(&pad, 1);
    unsigned char zero = 0;
    while (fill_ != 56)
      update(&zero, 1);
    unsigned char len_be[8];
    for (int i = 0; i < 8; ++i)
      len_be[i] = static_cast<unsigned char>(bit_len >> (56 - 8 * i));
    update(len_be, 8);
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (auto word : h_)
      for (int shift = 28; shift >= 0; shift -= 4)
        out += digits[(word >> shift) & 0xf];
    return out;
  }

private:
  void compress() {
    uint32_t w[64];
    for (int i = 0; i < 16; ++i)
      w[i] = uint32_t{block_[4 * i]} << 24 | uint32_t{block_[4 * i + 1]} << 16
             | uint32_t{block_[4 * i + 2]} << 8 | uint32_t{block_[4 * i + 3]};
    for (int i = 16; i < 64; ++i) {
      auto s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      auto s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    auto v = h_;
    for (int i = 0; i < 64; ++i) {
      auto s1 = rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25);
      auto ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
      auto t1 = v[7] + s1 + ch + round_constants[i] + w[i];
      auto s0 = rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22);
      auto maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
      auto t2 = s0 + maj;
      v = {t1 + t2, v[0], v[1], v[2], v[3] + t1, v[4], v[5], v[6]};
    }
    for (int i = 0; i < 8; ++i)
      h_[i] += v[i];
  }

  std::array<uint32_t, 8> h_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::array<unsigned char, 64> block_{};
  size_t fill_ = 0;
  uint64_t total_bytes_ = 0;
};

} // namespace

std::string sha256_hex(std::string_view data) {
  sha256_state st;
  st.update(reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return st.finish();
}

std::optional<std::string> sha256_file_hex(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return std::nullopt;
  sha256_state st;
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    st.update(reinterpret_cast<const unsigned char*>(buf.data()),
              static_cast<size_t>(in.gcount()));
  }
  if (in.bad())
    return std::nullopt;
  return st.finish();
}

} // namespace webaccel
