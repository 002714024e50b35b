// What a WebDriver remote end or a Selenium Grid answers: its /status (the
// first byte even) or a new-session reply (odd, with the status code from
// the second byte). Both readers return a value or an error in text; a
// throw (nlohmann's type_error used to end the launcher's thread), crash
// or hang is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "transport/browser/grid_status.hpp"
#include "transport/browser/webdriver_launcher.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2)
    return 0;
  std::string body{reinterpret_cast<const char*>(data + 2), size - 2};
  std::string error;
  if (data[0] % 2 == 0) {
    if (auto status = webaccel::parse_grid_status(body, error)) {
      webaccel::grid_refusal(*status, "chrome");
      webaccel::abandoned_sessions(*status, webaccel::this_process_owner(),
                                   {"x"});
      for (auto& s : status->sessions)
        webaccel::is_orphan(s, webaccel::this_process_owner(),
                            [](int32_t) { return false; });
    }
  } else {
    unsigned code = data[1] % 2 == 0 ? 200 : 400 + data[1] % 200;
    webaccel::webdriver_session_id(code, body, error);
  }
  return 0;
}
