#include "config/thread_barrier.hpp"

#include <atomic>
#include <stdexcept>

#include "config/logging.hpp"

namespace webaccel {

namespace {

constexpr size_t kinds = sizeof(all_thread_kinds) / sizeof(all_thread_kinds[0]);

std::atomic<uint64_t> caught[kinds];

} // namespace

const char* to_string(thread_kind kind) {
  switch (kind) {
    case thread_kind::blocking_pool:
      return "blocking_pool";
    case thread_kind::launcher:
      return "launcher";
    case thread_kind::process_reaper:
      return "process_reaper";
    case thread_kind::process_watcher:
      return "process_watcher";
    case thread_kind::dashboard_feed:
      return "dashboard_feed";
    case thread_kind::signal:
      return "signal";
    case thread_kind::io:
      return "io";
    case thread_kind::model_loader:
      return "model_loader";
  }
  return "unknown";
}

uint64_t caught_exceptions(thread_kind kind) {
  return caught[static_cast<size_t>(kind)].load();
}

void report_caught(thread_kind kind, const char* work,
                   const std::string& what) noexcept {
  caught[static_cast<size_t>(kind)].fetch_add(1);
  try {
    if (auto log = logger())
      log->error("{} thread: {} failed with an exception: {}", to_string(kind),
                 work, what);
  } catch (...) {
    // The count stands; a logger that throws has nothing more to say.
  }
}

std::string current_exception_text() noexcept {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

} // namespace webaccel
