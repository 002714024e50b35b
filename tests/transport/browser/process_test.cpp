#include "transport/browser/process.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>

#include <doctest/doctest.h>

#include "config/thread_barrier.hpp"
#include "tests/support/log_capture.hpp"
#include "transport/browser/proc_table.hpp"

using namespace webaccel;

namespace {

/// Collects the exit report the reaper thread delivers.
struct exit_report {
  std::mutex mtx;
  std::string what;
  std::atomic<bool> done{false};

  process::exit_handler handler() {
    return [this](int, std::string w) {
      std::lock_guard<std::mutex> guard{mtx};
      what = std::move(w);
      done = true;
    };
  }

  /// Waits (bounded) for the report; the child decides when it exits.
  bool wait() {
    for (int i = 0; i < 500 && !done; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
    return done;
  }
};

/// The pid a child script wrote into `path`, once it is there (0 if it
/// never is, within 5 s).
pid_t wait_for_pid_file(const std::string& path) {
  pid_t pid = 0;
  for (int i = 0; i < 500 && pid == 0; ++i) {
    std::ifstream in{path};
    in >> pid;
    if (pid == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  return pid;
}

bool group_gone(pid_t pgid) {
  return kill(-pgid, 0) < 0 && errno == ESRCH;
}

} // namespace

TEST_CASE("a child that exits on its own is reported with its exit code") {
  exit_report report;
  std::string error;
  auto p = process::start({"/bin/sh", {"-c", "exit 3"}, {}, "", ""},
                          report.handler(), error);
  REQUIRE_MESSAGE(p, error);
  REQUIRE(report.wait());
  CHECK(report.what == "exited with code 3");
  CHECK_FALSE(p->running());
}

TEST_CASE("an exit handler that throws is reported on the reaper thread, "
          "and the process is still reaped") {
  test::log_capture log;
  auto before = caught_exceptions(thread_kind::process_reaper);
  std::atomic<bool> called{false};
  std::string error;
  auto p = process::start(
    {"/bin/sh", {"-c", "exit 0"}, {}, "", ""},
    [&](int, std::string) {
      called = true;
      throw std::runtime_error("the connection was already gone");
    },
    error);
  REQUIRE_MESSAGE(p, error);
  for (int i = 0; i < 500 && p->running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  CHECK_FALSE(p->running());
  p->stop();
  CHECK(called);
  CHECK(caught_exceptions(thread_kind::process_reaper) == before + 1);
  CHECK(log.text().find("process_reaper thread: reporting a process's exit "
                        "failed with an exception: the connection was "
                        "already gone")
        != std::string::npos);
}

TEST_CASE("stop kills the whole process group, helpers included, and "
          "removes the scratch directory") {
  std::string error;
  auto dir = make_scratch_dir("process-test-", error);
  REQUIRE_MESSAGE(!dir.empty(), error);
  exit_report report;
  // A leader with two helpers, like a browser with its renderers.
  auto p = process::start(
    {"/bin/sh", {"-c", "sleep 300 & sleep 300 & wait"}, {}, dir + "/log", dir},
    report.handler(), error);
  REQUIRE_MESSAGE(p, error);
  auto pgid = p->pid();
  CHECK(getpgid(pgid) == pgid);
  p->stop();
  CHECK(report.done);
  CHECK(report.what == "killed by signal 9 (Killed)");
  CHECK(group_gone(pgid));
  CHECK_FALSE(std::filesystem::exists(dir));
  p->stop(); // Idempotent.
}

TEST_CASE("helpers that outlive their leader are still killed and reaped") {
  exit_report report;
  std::string error;
  // The leader exits at once, leaving an orphaned helper in its group.
  auto p = process::start({"/bin/sh", {"-c", "sleep 300 & exit 0"}, {}, "", ""},
                          report.handler(), error);
  REQUIRE_MESSAGE(p, error);
  REQUIRE(report.wait());
  auto pgid = p->pid();
  CHECK_FALSE(group_gone(pgid));
  p->stop();
  CHECK(group_gone(pgid));
}

TEST_CASE("a missing executable is an error, not a crash") {
  std::string error;
  auto p = process::start({"/nonexistent/browser", {}, {}, "", ""}, nullptr,
                          error);
  CHECK_FALSE(p);
  CHECK(error
        == "cannot start /nonexistent/browser: No such file or "
           "directory");
}

TEST_CASE("a helper that double-forked into its own session is killed and "
          "reaped too, like Chromium's crashpad handler") {
  std::string error;
  auto dir = make_scratch_dir("process-test-", error);
  REQUIRE_MESSAGE(!dir.empty(), error);
  auto pid_file = dir + "/helper.pid";
  // The subshell exits at once, so the helper is adopted by us.
  auto script = "(setsid sh -c 'echo $$ > " + pid_file
                + "; exec sleep 300' &); sleep 300";
  auto p = process::start({"/bin/sh", {"-c", script}, {}, "", ""}, nullptr,
                          error);
  REQUIRE_MESSAGE(p, error);
  auto helper = wait_for_pid_file(pid_file);
  REQUIRE(helper > 0);
  CHECK(getpgid(helper) != p->pid());
  p->stop();
  // Gone and reaped: not even a zombie is left.
  CHECK(kill(helper, 0) < 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a crashpad handler that exits before it was seen is reaped "
          "anyway") {
  std::string error;
  auto dir = make_scratch_dir("process-test-", error);
  REQUIRE_MESSAGE(!dir.empty(), error);
  // The kernel names a process after its executable (15 characters):
  // this one is "chrome_crashpad", as Chromium's handler is.
  auto handler = dir + "/chrome_crashpad_handler";
  std::filesystem::copy_file("/bin/true", handler);
  auto pid_file = dir + "/handler.pid";
  auto script = "(setsid sh -c 'echo $$ > " + pid_file + "; exec " + handler
                + "' &); sleep 300";
  auto p = process::start({"/bin/sh", {"-c", script}, {}, "", ""}, nullptr,
                          error);
  REQUIRE_MESSAGE(p, error);
  auto dead = wait_for_pid_file(pid_file);
  REQUIRE(dead > 0);
  // Wait until it is a zombie of ours, as it was on a fresh CI machine.
  std::optional<proc_entry> entry;
  for (int i = 0; i < 500; ++i) {
    entry = read_proc_entry(dead);
    if (entry && entry->state == 'Z')
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  REQUIRE(entry.has_value());
  CHECK(entry->name == "chrome_crashpad");
  CHECK(entry->ppid == getpid());
  p->stop();
  CHECK_FALSE(read_proc_entry(dead).has_value());
  std::filesystem::remove_all(dir);
}

TEST_CASE("a child dies with the runtime, even when the runtime is killed "
          "without cleaning up") {
  // As in a runtime: the orphan then comes to us, to check how it died.
  adopt_orphaned_descendants();
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  auto runtime_pid = fork();
  REQUIRE(runtime_pid >= 0);
  if (runtime_pid == 0) {
    // Stand-in for a runtime that crashes: start a child, then vanish
    // without running any destructor.
    std::string error;
    auto p = process::start({"/bin/sleep", {"300"}, {}, "", ""}, nullptr,
                            error);
    pid_t child = p ? p->pid() : 0;
    [[maybe_unused]] auto n = write(pipe_fds[1], &child, sizeof child);
    _exit(0);
  }
  close(pipe_fds[1]);
  pid_t child = 0;
  REQUIRE(read(pipe_fds[0], &child, sizeof child) == sizeof child);
  close(pipe_fds[0]);
  REQUIRE(child > 0);
  waitpid(runtime_pid, nullptr, 0);
  // We are a subreaper, so the orphan is ours to reap once it is dead.
  int status = 0;
  pid_t rc = 0;
  for (int i = 0; i < 500 && rc == 0; ++i) {
    rc = waitpid(child, &status, WNOHANG);
    if (rc == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  if (rc == 0) {
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
  }
  if (rc < 0 && errno == ECHILD) {
    // Another process object's reaper in this test binary (they reap the
    // adopted members of their groups with waitpid) got to it first: all
    // that can be checked is that it is gone.
    CHECK(kill(child, 0) == -1);
    return;
  }
  REQUIRE(rc == child);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
}

TEST_CASE("stop asks the leader to exit first when given time for it") {
  std::string error;
  auto dir = make_scratch_dir("graceful-test-", error);
  REQUIRE_MESSAGE(!dir.empty(), error);
  // The child says goodbye on SIGTERM, as a browser removes its sockets.
  auto script = "trap 'echo bye > " + dir + "/said; exit 0' TERM; "
                + "echo up > " + dir + "/up; while :; do sleep 0.05; done";
  for (auto graceful : {true, false}) {
    CAPTURE(graceful);
    std::filesystem::remove(dir + "/said");
    std::filesystem::remove(dir + "/up");
    process_options opts{"/bin/sh", {"-c", script}, {}, "", ""};
    if (graceful)
      opts.graceful_stop = std::chrono::milliseconds{5000};
    exit_report report;
    auto p = process::start(opts, report.handler(), error);
    REQUIRE_MESSAGE(p, error);
    for (int i = 0; i < 500 && !std::filesystem::exists(dir + "/up"); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
    REQUIRE(std::filesystem::exists(dir + "/up"));
    auto pid = p->pid();
    p->stop();
    CHECK(group_gone(pid));
    CHECK(std::filesystem::exists(dir + "/said") == graceful);
    CHECK(report.what
          == (graceful ? "exited with code 0" : "killed by signal 9 (Killed)"));
  }
  std::filesystem::remove_all(dir);
}
