// A child process in its own process group, in the manner of libcamera's
// Process: start it, learn when it exits, kill the whole group, reap every
// member and remove its scratch directory. Used for browsers.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace webaccel {

/// What to start.
struct process_options {
  std::string executable;
  std::vector<std::string> args;
  /// Extra "NAME=value" entries added to this process's environment.
  std::vector<std::string> env;
  /// File that receives the child's stdout and stderr ("" = /dev/null).
  std::string log_file;
  /// Directory removed (recursively) once the group is gone ("" = none).
  std::string scratch_dir;
  /// stop() first asks the group leader to exit (SIGTERM) and waits this
  /// long for it before it kills the group (0 = kill at once). A browser
  /// that exits on its own removes what it keeps outside its profile.
  std::chrono::milliseconds graceful_stop{0};
};

/// A running child process group. Not copyable; stop() or the destructor
/// kills and reaps the whole group.
class process final {
public:
  /// Called once, from the reaper thread, when the group leader exits;
  /// gets waitpid's status and a description ("exited with code 1",
  /// "killed by signal 9").
  using exit_handler = std::function<void(int status, std::string what)>;

  /// Starts `opts`. Returns nullptr and sets `error` if it cannot start.
  static std::unique_ptr<process>
  start(process_options opts, exit_handler on_exit, std::string& error);

  ~process();

  process(const process&) = delete;
  process& operator=(const process&) = delete;

  /// Process id of the group leader (= the process group id).
  pid_t pid() const {
    return pid_;
  }

  /// True until the group leader exited.
  bool running() const {
    return running_;
  }

  /// Asks the leader to exit (see `graceful_stop`), kills the whole group
  /// with SIGKILL, reaps its members and removes the scratch directory.
  /// Idempotent; blocks at most a few seconds.
  void stop();

  /// Records helpers that left the process group but carry this process's
  /// marker and were adopted by us (Chromium's crashpad handlers
  /// double-fork into sessions of their own). stop() kills and reaps them.
  /// Safe to call any time; cheap enough to call after start-up.
  void track_helpers();

  /// PSS of the group and its tracked helpers, in bytes.
  uint64_t memory_bytes();

  /// Describes a waitpid status in words.
  static std::string describe_status(int status);

private:
  process(pid_t pid, std::string marker, process_options opts,
          exit_handler on_exit);

  void reap_leader();

  /// Notes new helpers every second until stop(): a helper that
  /// starts late and exits on its own must still be known, or it would
  /// stay a zombie of ours.
  void watch_helpers();

  /// Kills the recorded helpers and reaps them until `deadline`.
  void reap_helpers(std::chrono::steady_clock::time_point deadline);

  pid_t pid_;
  /// "WEBACCEL_PROCESS=<unique>", set in the child's environment.
  std::string marker_;
  std::mutex helpers_mtx_;
  std::set<pid_t> helpers_;
  process_options opts_;
  exit_handler on_exit_;
  std::atomic<bool> running_{true};
  /// Signalled by the reaper once the leader exited.
  std::mutex exit_mtx_;
  std::condition_variable exit_cv_;
  std::thread reaper_;
  std::mutex watch_mtx_;
  std::condition_variable watch_cv_;
  bool watching_ = true;
  std::thread watcher_;
  std::mutex stop_mtx_;
  bool stopped_ = false;
};

/// Makes this process adopt orphaned descendants (PR_SET_CHILD_SUBREAPER),
/// so that a browser's helpers can be reaped after its main process died.
/// Called once by process::start.
void adopt_orphaned_descendants();

/// Creates a fresh private directory under $TMPDIR (or /tmp) named
/// "webaccel-" + `prefix` + random suffix, owned by this process (see
/// remove_stale_scratch_dirs). Returns "" and sets `error` on failure.
std::string make_scratch_dir(const std::string& prefix, std::string& error);

/// Removes the scratch directories of webaccel processes that are gone
/// (killed with SIGKILL before they could clean up). Directories of live
/// processes are left alone. Returns how many were removed.
size_t remove_stale_scratch_dirs();

/// Runs `executable args...` to completion and returns what it wrote to
/// stdout and stderr; nullopt and `error` if it cannot start, fails, or
/// runs longer than `timeout` (it is then killed).
std::optional<std::string> capture_output(const std::string& executable,
                                          const std::vector<std::string>& args,
                                          std::chrono::milliseconds timeout,
                                          std::string& error);

} // namespace webaccel
