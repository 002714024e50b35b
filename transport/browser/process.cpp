#include "transport/browser/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <sstream>

#include "config/thread_barrier.hpp"
#include "transport/browser/proc_table.hpp"
#include "transport/browser/process_memory.hpp"

extern char** environ;

namespace webaccel {

namespace {

/// Builds a NULL-terminated argv/envp array over `strings`.
std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

/// A marker unique to each started process within this runtime.
std::string next_marker() {
  static std::atomic<uint64_t> counter{0};
  return "WEBACCEL_PROCESS=" + std::to_string(getpid()) + "-"
         + std::to_string(++counter);
}

/// Children of this process whose environment holds `marker`. Zombies have
/// no readable environment, which is why helpers are tracked while alive.
std::vector<pid_t> marked_children(const std::string& marker) {
  std::vector<pid_t> out;
  auto self = getpid();
  for (auto& p : list_processes()) {
    if (p.ppid != self)
      continue;
    std::ifstream environ_file{"/proc/" + std::to_string(p.pid) + "/environ",
                               std::ios::binary};
    std::string env{std::istreambuf_iterator<char>{environ_file}, {}};
    if (env.find(std::string{'\0'} + marker + '\0') != std::string::npos
        || env.rfind(marker + '\0', 0) == 0)
      out.push_back(p.pid);
  }
  return out;
}

/// Reaps zombies among our children that were Chromium's crashpad handlers.
/// They double-fork out of the browser's process group and are adopted by
/// us (subreaper); one that exits before the watcher saw it alive has no
/// environment left to carry our marker, so only its name tells what it
/// was. Only zombies are touched: reaping the dead harms no one.
void reap_dead_crash_handlers() {
  auto self = getpid();
  for (auto& p : list_processes())
    if (p.ppid == self && p.state == 'Z' && p.name == "chrome_crashpad")
      waitpid(p.pid, nullptr, WNOHANG);
}

std::string scratch_root() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

/// Names the owner of a scratch directory.
constexpr const char* owner_file = ".webaccel-owner";

/// "pid start-time" of a live process (start time in clock ticks since
/// boot, so that a reused pid does not pass for the owner); "" if gone.
std::string process_identity(pid_t pid) {
  auto p = read_proc_entry(pid);
  return p ? std::to_string(pid) + " " + std::to_string(p->start_time)
           : std::string{};
}

} // namespace

void adopt_orphaned_descendants() {
  static std::once_flag once;
  std::call_once(once, [] { prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); });
}

std::string make_scratch_dir(const std::string& prefix, std::string& error) {
  std::string templ = scratch_root() + "/webaccel-" + prefix + "XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) {
    error = "cannot create a directory from " + templ + ": "
            + std::strerror(errno);
    return {};
  }
  std::ofstream owner{templ + "/" + owner_file};
  owner << process_identity(getpid());
  return templ;
}

size_t remove_stale_scratch_dirs() {
  size_t removed = 0;
  std::error_code ec;
  for (auto& entry : std::filesystem::directory_iterator{scratch_root(), ec}) {
    if (entry.path().filename().string().rfind("webaccel-", 0) != 0
        || !entry.is_directory(ec))
      continue;
    std::ifstream owner{entry.path() / owner_file};
    pid_t pid = 0;
    unsigned long long started = 0;
    if (!(owner >> pid >> started))
      continue; // Not ours, or being created right now.
    if (process_identity(pid)
        == std::to_string(pid) + " " + std::to_string(started))
      continue; // Its owner still runs.
    std::filesystem::remove_all(entry.path(), ec);
    if (!ec)
      ++removed;
  }
  return removed;
}

std::optional<std::string> capture_output(const std::string& executable,
                                          const std::vector<std::string>& args,
                                          std::chrono::milliseconds timeout,
                                          std::string& error) {
  auto dir = make_scratch_dir("capture-", error);
  if (dir.empty())
    return std::nullopt;
  auto log = dir + "/output";
  auto exited = std::make_shared<std::promise<std::string>>();
  auto done = exited->get_future();
  process_options opts{executable, args, {}, log, dir};
  auto proc = process::start(
    std::move(opts),
    [exited](int status, std::string what) {
      exited->set_value(WIFEXITED(status) && WEXITSTATUS(status) == 0 ? ""
                                                                      : what);
    },
    error);
  if (!proc)
    return std::nullopt;
  std::optional<std::string> out;
  if (done.wait_for(timeout) != std::future_status::ready) {
    error = executable + " did not finish within "
            + std::to_string(timeout.count()) + " ms";
  } else if (auto what = done.get(); !what.empty()) {
    error = executable + " " + what;
  } else {
    std::ifstream in{log, std::ios::binary};
    out = std::string{std::istreambuf_iterator<char>{in}, {}};
  }
  proc->stop(); // Kills what is left and removes the directory.
  return out;
}

std::unique_ptr<process>
process::start(process_options opts, exit_handler on_exit, std::string& error) {
  adopt_orphaned_descendants();
  std::vector<std::string> argv_strings{opts.executable};
  argv_strings.insert(argv_strings.end(), opts.args.begin(), opts.args.end());
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e)
    env_strings.emplace_back(*e);
  env_strings.insert(env_strings.end(), opts.env.begin(), opts.env.end());
  auto marker = next_marker();
  env_strings.push_back(marker);
  auto argv = c_strings(argv_strings);
  auto envp = c_strings(env_strings);
  auto log = opts.log_file.empty() ? std::string{"/dev/null"} : opts.log_file;
  // Reports a failed exec from the child; closes on a successful one.
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) {
    error = std::string{"cannot create a pipe: "} + std::strerror(errno);
    return nullptr;
  }
  auto parent = getpid();
  auto pid = fork();
  if (pid == 0) {
    // The child of a multi-threaded parent: async-signal-safe calls only.
    setpgid(0, 0); // A group of its own: one kill(-pgid) reaches all.
    // Die with the runtime, however it dies (SIGKILL, crash, SIGPIPE), so
    // no browser outlives it. The signal follows the spawning thread;
    // CAF's workers live as long as the actor system.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
      _exit(127);
    // Children must not inherit a host's blocked or ignored signals.
    struct sigaction dfl = {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig)
      if (sig != SIGKILL && sig != SIGSTOP)
        sigaction(sig, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    int in = open("/dev/null", O_RDONLY);
    int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (out < 0)
      out = open("/dev/null", O_WRONLY);
    dup2(in, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    execve(opts.executable.c_str(), argv.data(), envp.data());
    int err = errno;
    [[maybe_unused]] auto ignored = write(report[1], &err, sizeof err);
    _exit(127);
  }
  close(report[1]);
  if (pid < 0) {
    close(report[0]);
    error = std::string{"cannot fork: "} + std::strerror(errno);
    return nullptr;
  }
  setpgid(pid, pid); // Also here, so that it holds before we kill(-pid).
  int child_errno = 0;
  ssize_t n;
  do {
    n = read(report[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  close(report[0]);
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    waitpid(pid, nullptr, 0);
    error = "cannot start " + opts.executable + ": "
            + std::strerror(child_errno);
    if (!opts.scratch_dir.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(opts.scratch_dir, ec);
    }
    return nullptr;
  }
  return std::unique_ptr<process>{
    new process(pid, std::move(marker), std::move(opts), std::move(on_exit))};
}

process::process(pid_t pid, std::string marker, process_options opts,
                 exit_handler on_exit)
  : pid_(pid),
    marker_(std::move(marker)),
    opts_(std::move(opts)),
    on_exit_(std::move(on_exit)) {
  reaper_ = std::thread{[this] { reap_leader(); }};
  watcher_ = std::thread{[this] { watch_helpers(); }};
}

process::~process() {
  stop();
}

void process::reap_leader() {
  int status = 0;
  pid_t rc;
  do {
    rc = waitpid(pid_, &status, 0);
  } while (rc < 0 && errno == EINTR);
  {
    std::lock_guard<std::mutex> guard{exit_mtx_};
    running_ = false;
  }
  exit_cv_.notify_all();
  // Helpers notice their client is gone and exit soon: record them now,
  // while their environment can still be read.
  run_in_barrier(thread_kind::process_reaper, "recording a browser's helpers",
                 [this] { track_helpers(); });
  if (on_exit_)
    run_in_barrier(
      thread_kind::process_reaper, "reporting a process's exit", [&] {
        on_exit_(status, rc < 0 ? std::string{"lost track of the process"}
                                : describe_status(status));
      });
}

void process::watch_helpers() {
  std::unique_lock<std::mutex> lock{watch_mtx_};
  while (!watch_cv_.wait_for(lock, std::chrono::milliseconds{1000},
                             [this] { return !watching_; })) {
    run_in_barrier(thread_kind::process_watcher, "tracking a browser's helpers",
                   [this] {
                     track_helpers();
                     // Reap helpers that already exited, so they are not
                     // zombies meanwhile.
                     std::lock_guard<std::mutex> guard{helpers_mtx_};
                     for (auto i = helpers_.begin(); i != helpers_.end();) {
                       int status = 0;
                       auto rc = waitpid(*i, &status, WNOHANG);
                       i = rc == *i || (rc < 0 && errno == ECHILD)
                             ? helpers_.erase(i)
                             : std::next(i);
                     }
                     reap_dead_crash_handlers();
                   });
  }
}

void process::track_helpers() {
  auto found = marked_children(marker_);
  std::lock_guard<std::mutex> guard{helpers_mtx_};
  for (auto pid : found)
    if (pid != pid_)
      helpers_.insert(pid);
}

void process::reap_helpers(std::chrono::steady_clock::time_point deadline) {
  std::lock_guard<std::mutex> guard{helpers_mtx_};
  for (auto pid : helpers_)
    kill(pid, SIGKILL);
  for (auto i = helpers_.begin(); i != helpers_.end();) {
    int status = 0;
    auto rc = waitpid(*i, &status, WNOHANG);
    if (rc == *i || (rc < 0 && errno == ECHILD)) {
      i = helpers_.erase(i);
    } else if (std::chrono::steady_clock::now() >= deadline) {
      break;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
  }
}

void process::stop() {
  std::lock_guard<std::mutex> guard{stop_mtx_};
  if (stopped_)
    return;
  stopped_ = true;
  {
    std::lock_guard<std::mutex> watch_guard{watch_mtx_};
    watching_ = false;
  }
  watch_cv_.notify_all();
  if (watcher_.joinable())
    watcher_.join();
  track_helpers();
  if (opts_.graceful_stop.count() > 0 && running_) {
    kill(pid_, SIGTERM);
    std::unique_lock<std::mutex> lock{exit_mtx_};
    exit_cv_.wait_for(lock, opts_.graceful_stop, [this] { return !running_; });
  }
  kill(-pid_, SIGKILL);
  if (reaper_.joinable())
    reaper_.join();
  // Reap the rest of the group: helpers that outlived the leader were
  // adopted by us (subreaper). Bounded, in case one is stuck in the kernel.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{5};
  while (std::chrono::steady_clock::now() < deadline) {
    kill(-pid_, SIGKILL);
    int status = 0;
    auto rc = waitpid(-pid_, &status, WNOHANG);
    if (rc < 0 && errno == ECHILD) {
      // None is our child; wait until the group is empty (members that are
      // children of an unrelated reaper may take a moment to go).
      if (kill(-pid_, 0) < 0 && errno == ESRCH)
        break;
    }
    if (rc <= 0)
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  reap_helpers(deadline + std::chrono::seconds{1});
  reap_dead_crash_handlers();
  if (!opts_.scratch_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(opts_.scratch_dir, ec);
  }
}

uint64_t process::memory_bytes() {
  std::set<pid_t> helpers;
  {
    std::lock_guard<std::mutex> guard{helpers_mtx_};
    helpers = helpers_;
  }
  return process_group_memory_bytes(pid_, helpers);
}

std::string process::describe_status(int status) {
  if (WIFEXITED(status))
    return "exited with code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " ("
           + strsignal(WTERMSIG(status)) + ")";
  return "stopped with status " + std::to_string(status);
}

} // namespace webaccel
