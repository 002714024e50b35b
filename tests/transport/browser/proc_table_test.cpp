#include "transport/browser/proc_table.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <doctest/doctest.h>

using namespace webaccel;

TEST_CASE("proc_table: this process as /proc/PID/stat shows it") {
  auto self = read_proc_entry(getpid());
  REQUIRE(self.has_value());
  CHECK(self->pid == getpid());
  CHECK(self->ppid == getppid());
  CHECK(self->pgrp == getpgrp());
  CHECK(self->start_time > 0);
  CHECK_FALSE(self->exiting());
  CHECK(self->state != 'Z');
}

TEST_CASE("proc_table: a name with spaces and parentheses, and a zombie") {
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  auto child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    prctl(PR_SET_NAME, "odd) name (x", 0, 0, 0);
    char c = 1;
    (void) !write(ready[1], &c, 1);
    pause();
    _exit(0);
  }
  char c = 0;
  REQUIRE(read(ready[0], &c, 1) == 1);
  close(ready[0]);
  close(ready[1]);
  auto live = read_proc_entry(child);
  REQUIRE(live.has_value());
  CHECK(live->ppid == getpid());
  CHECK(live->state != 'Z');
  CHECK(live->name == "odd) name (x");
  kill(child, SIGKILL);
  // Killed and not reaped: a zombie, until waitpid.
  std::optional<proc_entry> dead;
  for (int i = 0; i < 500; ++i) {
    dead = read_proc_entry(child);
    if (dead && dead->state == 'Z')
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  REQUIRE(dead.has_value());
  CHECK(dead->state == 'Z');
  CHECK(dead->name == "odd) name (x");
  CHECK(dead->start_time == live->start_time);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK_FALSE(read_proc_entry(child).has_value());
}
