// The one barrier every thread the library starts runs its work under: the
// blocking pool's tasks, a WebDriver browser's launcher, a process's reaper
// and watcher, the dashboard feed, serve's model loader, the node's signal
// thread and the Beast I/O threads. An exception that would leave such a thread
// ends in std::terminate and takes the host program with it; here it becomes a
// failure of that one piece of work instead: logged (naming the thread kind
// and the work), counted per kind (the counts are in /metrics), and handed
// to the work's own failure path (a launch failure, a 500, ...).
#pragma once

#include <cstdint>
#include <exception>
#include <string>

namespace webaccel {

/// The kinds of thread the library starts.
enum class thread_kind : uint8_t {
  blocking_pool,
  launcher,
  process_reaper,
  process_watcher,
  dashboard_feed,
  signal,
  io,
  model_loader,
};

/// Every kind, for reports.
constexpr thread_kind all_thread_kinds[] = {
  thread_kind::blocking_pool,
  thread_kind::launcher,
  thread_kind::process_reaper,
  thread_kind::process_watcher,
  thread_kind::dashboard_feed,
  thread_kind::signal,
  thread_kind::io,
  thread_kind::model_loader,
};

/// "blocking_pool", "launcher", ...
const char* to_string(thread_kind kind);

/// Exceptions the barrier caught on threads of `kind` in this process.
uint64_t caught_exceptions(thread_kind kind);

/// Logs and counts an exception caught on a thread of `kind` while doing
/// `work`. Never throws.
void report_caught(thread_kind kind, const char* work,
                   const std::string& what) noexcept;

/// The text of the exception being handled (call inside a catch).
std::string current_exception_text() noexcept;

/// Runs `work()`. An exception it throws is reported (report_caught) and
/// its text handed to `on_failure`, which is itself guarded. Returns
/// whether `work` ended normally.
template <class Work, class OnFailure>
bool run_in_barrier(thread_kind kind, const char* what, Work&& work,
                    OnFailure&& on_failure) noexcept {
  std::string error;
  try {
    work();
    return true;
  } catch (...) {
    error = current_exception_text();
  }
  report_caught(kind, what, error);
  try {
    on_failure(error);
  } catch (...) {
    report_caught(kind, "reporting a failure", current_exception_text());
  }
  return false;
}

/// run_in_barrier with nothing more to do on failure than to report it.
template <class Work>
bool run_in_barrier(thread_kind kind, const char* what, Work&& work) noexcept {
  return run_in_barrier(kind, what, std::forward<Work>(work),
                        [](const std::string&) {});
}

} // namespace webaccel
