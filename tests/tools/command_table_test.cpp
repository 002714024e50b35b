#include "tools/command_table.hpp"

#include <cctype>
#include <cstdlib>
#include <sstream>

#include <doctest/doctest.h>

#include "transport/browser/process.hpp"

namespace webaccel {

namespace {

const command_spec& command(const std::string& name) {
  for (auto& c : commands())
    if (c.name == name)
      return c;
  FAIL("no command " << name);
  throw std::logic_error("unreachable");
}

/// `text` with every run of white space made one space.
std::string flat(const std::string& text) {
  std::string out;
  for (auto c : text)
    if (!std::isspace(static_cast<unsigned char>(c)))
      out += c;
    else if (!out.empty() && out.back() != ' ')
      out += ' ';
  return out;
}

/// What the built `webaccel` prints for `args` (stdout and stderr).
std::string run_cli(const std::vector<std::string>& args) {
  auto cli = std::getenv("WEBACCEL_CLI");
  REQUIRE_MESSAGE(cli != nullptr, "WEBACCEL_CLI names the built webaccel");
  std::string error;
  auto out = capture_output(cli, args, std::chrono::seconds{30}, error);
  REQUIRE_MESSAGE(out.has_value(), error);
  return *out;
}

} // namespace

TEST_CASE("every command's help names each option it accepts") {
  for (auto& c : commands()) {
    CAPTURE(c.name);
    auto help = flat(help_text(c));
    CHECK(help.find("usage: webaccel " + c.name) == 0);
    CHECK(help.find(c.description) != std::string::npos);
    for (auto& o : c.options) {
      CAPTURE(o.flag);
      CHECK(help.find(" " + o.flag) != std::string::npos);
      CHECK(help.find(o.help) != std::string::npos);
      // The parser takes exactly what the help documents.
      std::vector<std::string> args{o.flag};
      if (!o.value.empty())
        args.push_back("1");
      CHECK_NOTHROW(parse_options(c, args));
    }
    CHECK_THROWS_AS(parse_options(c, {"--no-such-option"}), usage_error);
  }
}

TEST_CASE("the overview lists every command and its options") {
  auto usage = usage_text();
  for (auto& c : commands()) {
    CAPTURE(c.name);
    CHECK(usage.find("  " + c.name + "\n") != std::string::npos);
    for (auto& o : c.options)
      CHECK(usage.find("[" + o.flag) != std::string::npos);
  }
  for (auto name : {"run", "serve", "bench", "bench models", "bench pool",
                    "bench recovery", "bench soak", "bench store",
                    "bench health", "bench report", "report", "doctor"})
    CHECK(usage.find(std::string{"  "} + name + "\n") != std::string::npos);
}

TEST_CASE("help is asked for with --help after any command") {
  std::ostringstream out, err;
  CHECK(dispatch({"bench", "recovery", "--help"}, out, err) == 0);
  CHECK(out.str() == help_text(command("bench recovery")));
  out.str("");
  CHECK(dispatch({"run", "--model", "x", "-h"}, out, err) == 0);
  CHECK(out.str() == help_text(command("run")));
  out.str("");
  CHECK(dispatch({"--help"}, out, err) == 0);
  CHECK(out.str() == usage_text());
  CHECK(err.str().empty());
}

TEST_CASE("no command, or an unknown one, is a usage error") {
  std::ostringstream out, err;
  CHECK(dispatch({}, out, err) == 2);
  CHECK(err.str() == usage_text());
  err.str("");
  CHECK(dispatch({"serve-forever"}, out, err) == 2);
  CHECK(err.str().find("unknown command 'serve-forever'") != std::string::npos);
  CHECK(out.str().empty());
  // A known command with an unknown option fails before it runs.
  CHECK(dispatch({"doctor", "--colour"}, out, err) == 2);
}

TEST_CASE("the webaccel binary prints the same help") {
  CHECK(run_cli({"--help"}) == usage_text());
  CHECK(run_cli({"bench", "recovery", "--help"})
        == help_text(command("bench recovery")));
  CHECK(run_cli({"doctor", "--help"}) == help_text(command("doctor")));
}

} // namespace webaccel

namespace webaccel {

namespace {

/// What the built CLI prints for `args` (a shell line), and its exit code.
std::string run_cli_status(const std::string& args) {
  auto cli = std::getenv("WEBACCEL_CLI");
  REQUIRE_MESSAGE(cli != nullptr, "WEBACCEL_CLI names the built webaccel");
  std::string error;
  auto out = capture_output(
    "/bin/sh", {"-c", std::string{cli} + " " + args + " 2>&1; echo exit=$?"},
    std::chrono::seconds{30}, error);
  REQUIRE_MESSAGE(out.has_value(), error);
  return *out;
}

} // namespace

TEST_CASE("a node's and a head's options are checked before anything "
          "starts, each mistake named") {
  auto says = [](const std::string& args, const std::string& what) {
    auto out = run_cli_status(args);
    CAPTURE(out);
    CHECK(out.find(what) != std::string::npos);
    CHECK(out.find("exit=2") != std::string::npos);
  };
  says("node --secret-file s", "--join HOST:PORT is required");
  says("node --join head.lab --secret-file s",
       "--join: expected HOST:PORT, got 'head.lab'");
  says("node --join h:7700 --name 'a b' --secret-file s",
       "--name: a node name may hold letters, digits");
  says("node --join h:7700 --name n1", "--secret-file is required");
  says("serve --node-port 7700", "--node-port needs the shared secret's file");
  says("serve --no-browsers", "--no-browsers leaves only nodes' browsers");
}

} // namespace webaccel
