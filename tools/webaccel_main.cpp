// The `webaccel` command: a thin user of the embedding API. Its commands
// and their options are in tools/command_table.cpp.
#include <signal.h>

#include <iostream>
#include <string>
#include <vector>

#include "tools/command_table.hpp"

int main(int argc, char** argv) {
  // A closed stdout (`webaccel run --json | head`) must end the run through
  // its normal shutdown, which stops the browsers, not kill the process.
  signal(SIGPIPE, SIG_IGN);
  return webaccel::dispatch({argv + 1, argv + argc}, std::cout, std::cerr);
}
