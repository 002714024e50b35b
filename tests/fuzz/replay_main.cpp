// A fuzz target's main() where libFuzzer is not linked (the GCC build):
// runs the target once on every file named on the command line, or in the
// folders named there. The committed seeds and the inputs that once crashed
// a target run this way in every build, so a fixed crash stays fixed.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void run_file(const std::filesystem::path& path) {
  std::ifstream in{path, std::ios::binary};
  std::vector<uint8_t> bytes{std::istreambuf_iterator<char>{in},
                             std::istreambuf_iterator<char>{}};
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
}

} // namespace

int main(int argc, char** argv) {
  size_t runs = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path arg{argv[i]};
    if (std::filesystem::is_directory(arg)) {
      for (auto& entry : std::filesystem::recursive_directory_iterator{arg})
        if (entry.is_regular_file()) {
          run_file(entry.path());
          ++runs;
        }
    } else {
      run_file(arg);
      ++runs;
    }
  }
  std::fprintf(stderr, "replayed %zu inputs\n", runs);
  return runs > 0 ? 0 : 1;
}
