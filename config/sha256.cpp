#include "config/sha256.hpp"

#include <fstream>
#include <memory>
#include <stdexcept>
#include <vector>

#include <openssl/evp.h>

namespace webaccel {

namespace {

/// One digest in progress (OpenSSL's EVP interface).
class sha256_state {
public:
  sha256_state() : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1)
      throw std::runtime_error("OpenSSL cannot start a SHA-256 digest");
  }

  void update(const void* data, size_t size) {
    if (size > 0 && EVP_DigestUpdate(ctx_.get(), data, size) != 1)
      throw std::runtime_error("OpenSSL's SHA-256 update failed");
  }

  std::string finish() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), digest, &size) != 1)
      throw std::runtime_error("OpenSSL's SHA-256 final step failed");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (unsigned i = 0; i < size; ++i) {
      out += hex[digest[i] >> 4];
      out += hex[digest[i] & 15];
    }
    return out;
  }

private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

} // namespace

std::string sha256_hex(std::string_view data) {
  sha256_state st;
  st.update(data.data(), data.size());
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
    st.update(buf.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad())
    return std::nullopt;
  return st.finish();
}

} // namespace webaccel
