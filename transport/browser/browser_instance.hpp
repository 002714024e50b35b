// A running browser as a browser connection sees it, however it was
// started: a local process group, or a session on a WebDriver remote end.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>

namespace webaccel {

class browser_instance {
public:
  /// Called at most once, from another thread, when the browser is gone
  /// (status as waitpid gives it, -1, or `refused`; and a description).
  using exit_handler = std::function<void(int status, std::string what)>;

  /// The exit status of a browser its remote end could not take: down, not
  /// ready, or without a slot for it (an unavailable browser, not a crash).
  static constexpr int refused = -2;

  virtual ~browser_instance() = default;

  /// Local process id of the browser's main process; 0 if not local.
  virtual pid_t pid() const = 0;

  /// Notes helper processes started since launch (see process.hpp).
  virtual void track_helpers() = 0;

  /// Memory the browser's processes use, in bytes; 0 if unknown here.
  virtual uint64_t memory_bytes() = 0;

  /// Ends the browser and cleans up after it. Idempotent; blocks a bounded
  /// time.
  virtual void stop() = 0;
};

} // namespace webaccel
