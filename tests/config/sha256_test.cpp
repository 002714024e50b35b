#include "config/sha256.hpp"

#include <cstdio>
#include <fstream>

#include <doctest/doctest.h>

using namespace webaccel;

TEST_CASE("sha256 matches the FIPS 180-4 test vectors") {
  CHECK(sha256_hex("")
        == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc")
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
        == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000000, 'a'))
        == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256 of a file equals the digest of its bytes") {
  auto path = std::string{"sha256_test.tmp"};
  {
    std::ofstream out{path, std::ios::binary};
    out << std::string(70000, 'x');
  }
  CHECK(sha256_file_hex(path) == sha256_hex(std::string(70000, 'x')));
  std::remove(path.c_str());
  CHECK_FALSE(sha256_file_hex("/nonexistent/webaccel/file"));
}
