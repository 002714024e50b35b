// A directory of the test's own under TMPDIR, removed with everything in it
// when the test ends.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace webaccel::test {

class scratch_dir {
public:
  explicit scratch_dir(const std::string& what = "test") {
    auto pattern = (std::filesystem::temp_directory_path()
                    / ("webaccel-" + what + "-XXXXXX"))
                     .string();
    if (mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("cannot make a scratch dir " + pattern);
    path_ = pattern;
  }

  ~scratch_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;

  const std::filesystem::path& path() const {
    return path_;
  }

  /// A path inside it.
  std::string file(const std::string& name) const {
    return (path_ / name).string();
  }

private:
  std::filesystem::path path_;
};

} // namespace webaccel::test
