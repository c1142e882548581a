// The imagine-conform command line, run as a user runs it: from the user's own directory,
// relocated next to its bundled clients, with good and bad values, and docs/conformance.md's CI snippet
// as written. (The whole catalog over every bundled client runs as the conformance_self_test_*
// CTest tests.)
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "support/scratch.h"

namespace imagine::testing {
namespace {

namespace fs = std::filesystem;

const std::string kClients = IMAGINE_CONFORM_CLIENTS_DIR;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A fresh directory, removed with everything in it when the test ends.
struct TempDir {
  fs::path path;
  TempDir() {
    path = ScratchSubdir("conform-");
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

struct Result {
  int code = -1;
  std::string out, err;
};

// Runs `binary args...` in `cwd` (through sh), stdout and stderr apart.
Result RunIn(const fs::path& cwd, const std::string& binary, const std::vector<std::string>& args,
             const std::string& env = "") {
  TempDir capture;
  std::string cmd = "cd " + Quote(cwd.string()) + " && " + env + " " + Quote(binary);
  for (const std::string& a : args) cmd += " " + Quote(a);
  cmd += " >" + Quote((capture.path / "out").string()) + " 2>" + Quote((capture.path / "err").string());
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, Slurp(capture.path / "out"), Slurp(capture.path / "err")};
}

Result Conform(const std::vector<std::string>& args, const fs::path& cwd = fs::temp_directory_path()) {
  return RunIn(cwd, IMAGINE_CONFORM_BINARY, args);
}

// The table's verdicts, one "provider scenario outcome check" per line, without times, exit
// codes, output or URLs: what must not depend on where the client ran.
std::multiset<std::string> Verdicts(const std::string& table) {
  std::multiset<std::string> out;
  std::istringstream in(table);
  std::string line, heading;
  const std::regex head(R"(^(apikley|evolink|xai) +(\S+) )"), check(R"(^    (pass|FAIL|skip) (\S+))");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, head)) heading = m[1].str() + " " + m[2].str();
    if (std::regex_search(line, m, check)) out.insert(heading + " " + m[1].str() + " " + m[2].str());
  }
  return out;
}

std::string ScoreLine(const std::string& out) {
  std::smatch m;
  return std::regex_search(out, m, std::regex(R"((\d+) passed, (\d+) failed, (\d+) skipped)")) ? m[0].str() : "";
}

void CopyExecutable(const fs::path& from, const fs::path& to) {
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
  fs::permissions(to, fs::perms::owner_all, fs::perm_options::add);
}

TEST_CASE("a conforming client scores every judged check and exits 0, with JUnit XML") {
  TempDir dir;
  const std::string junit = (dir.path / "out.xml").string();
  Result r = Conform({"--provider", "evolink", "--client", kClients + "/reference_cpp", "--scenarios",
                      "success,generation_failed", "--junit", junit});
  INFO(r.out, r.err);
  CHECK(r.code == 0);
  CHECK(std::regex_search(r.out, std::regex(R"(evolink  success .*\n    pass created_task)")));
  CHECK(r.out.find("    pass surfaces_failure") != std::string::npos);
  CHECK(std::regex_search(r.out, std::regex(R"(\n\d+ passed, 0 failed, \d+ skipped\n)")));
  const std::string xml = Slurp(junit);
  CHECK(xml.rfind("<?xml", 0) == 0);
  CHECK(xml.find("<testsuite name=\"evolink.success\"") != std::string::npos);
  CHECK(xml.find("classname=\"evolink.success\" name=\"result_url\"") != std::string::npos);
  CHECK(xml.find("failures=\"0\"") != std::string::npos);
  CHECK(xml.find("<skipped message=") != std::string::npos);
  // The client's output, per scenario: the result URL it printed, the error it reported.
  CHECK(std::regex_search(xml, std::regex(R"(<system-out>http://127\.0\.0\.1:\d+/media/)")));
  CHECK(xml.find("<system-err>error: ") != std::string::npos);
}

TEST_CASE("a misbehaving client fails its check with a reason and its output, exit 1, and a JUnit failure") {
  TempDir dir;
  const std::string junit = (dir.path / "out.xml").string();
  Result r = Conform({"--provider", "apikley", "--client", "IMAGINE_CLIENT_FAULT=hammers_polling " + kClients + "/broken_cpp",
                      "--scenarios", "success", "--junit", junit});
  INFO(r.out, r.err);
  CHECK(r.code == 1);
  CHECK(std::regex_search(r.out, std::regex(R"(FAIL polling_interval +two status queries \d+ ms apart on the emulator's clock \(at least 1000\))")));
  CHECK(std::regex_search(r.out, std::regex(R"(    stdout:\n      \| http://127\.0\.0\.1:\d+/media/)")));
  CHECK(std::regex_search(ScoreLine(r.out), std::regex(R"(^\d+ passed, 1 failed, \d+ skipped$)")));
  CHECK(Slurp(junit).find("<failure message=\"two status queries") != std::string::npos);
}

TEST_CASE("a client that exits at once fails created_task, and no other check passes or fails") {
  Result r = Conform({"--provider", "apikley", "--client", "exit 0", "--scenarios", "success,stuck"});
  INFO(r.out, r.err);
  CHECK(r.code == 1);
  CHECK(std::regex_search(r.out, std::regex(R"(\n    FAIL created_task +sent no create request: it exited 0 after)")));
  CHECK(r.out.find("    pass ") == std::string::npos);
  CHECK(std::regex_search(r.out, std::regex(R"(\n    skip requests_valid +the client sent no create request\n)")));
  CHECK(ScoreLine(r.out) == "0 passed, 2 failed, 28 skipped");
  CHECK(r.out.find("(the client printed nothing)") != std::string::npos);
}

TEST_CASE("a client that ignores a status-query 500 fails the retry check and nothing else") {
  Result r = Conform({"--provider", "evolink", "--client", "IMAGINE_CLIENT_FAULT=query_error_is_final " + kClients + "/broken_cpp",
                      "--scenarios", "server_error_then_ok"});
  INFO(r.out, r.err);
  CHECK(r.code == 1);
  CHECK(std::regex_search(r.out, std::regex(R"(FAIL bounded_retry_backoff +did not retry the status query answered code 500\n)")));
  CHECK(std::regex_search(r.out, std::regex(R"(skip result_url +follows from bounded_retry_backoff\n)")));
  CHECK(std::regex_search(ScoreLine(r.out), std::regex(R"(^\d+ passed, 1 failed, \d+ skipped$)")));
  // The stderr the client wrote is shown with the failure.
  CHECK(r.out.find("      | error: Failed to retrieve task status") != std::string::npos);  // the query route's own 500 words
}

TEST_CASE("the table shows the last lines of a failing client's stderr and stdout, JUnit keeps all") {
  TempDir dir;
  const std::string junit = (dir.path / "out.xml").string();
  Result r = Conform({"--provider", "evolink", "--scenarios", "success", "--junit", junit, "--client",
                      "for i in $(seq 20); do echo out$i; echo err$i >&2; done; exit 3"});
  INFO(r.out, r.err);
  CHECK(r.code == 1);
  CHECK(r.out.find("    stderr (last 8 of 20 lines):\n      | err13\n") != std::string::npos);
  CHECK(r.out.find("      | err20\n    stdout (last 8 of 20 lines):\n      | out13\n") != std::string::npos);
  CHECK(r.out.find("err12") == std::string::npos);
  const std::string xml = Slurp(junit);
  CHECK(xml.find("<system-err>err1\nerr2\n") != std::string::npos);
  CHECK(xml.find("out20\n</system-out>") != std::string::npos);
}

TEST_CASE("--verbose shows every request the client sent, with its answer") {
  Result r = Conform({"--provider", "apikley", "--client", kClients + "/reference_cpp", "--scenarios", "success", "--verbose"});
  INFO(r.out, r.err);
  CHECK(r.code == 0);
  CHECK(std::regex_search(r.out, std::regex(R"(\+0\.000s > POST /api/v1/jobs/createTask \{"input":)")));
  CHECK(std::regex_search(r.out, std::regex(R"(\n +< 200 \{"code":200,"msg":"success","data":\{"taskId":")")));
  CHECK(std::regex_search(r.out, std::regex(R"(> GET /api/v1/jobs/recordInfo\?taskId=[0-9a-f]+\n)")));
  CHECK(std::regex_search(r.out, std::regex(R"(> GET /media/[0-9a-f]+/0\.mp4\n +< 200 )")));
}

TEST_CASE("the client runs in the caller's directory: a script copied elsewhere gets the same verdicts") {
  TempDir app;
  fs::copy_file(kClients + "/reference_python.py", app.path / "my_client.py");
  const std::vector<std::string> common = {"--provider", "apikley", "--scenarios",
                                           "success,generation_failed,server_error_then_ok,result_expired,callback"};
  std::vector<std::string> mine = common, bundled = common;
  mine.insert(mine.end(), {"--client", "python3 my_client.py"});
  bundled.insert(bundled.end(), {"--client", "python3 ./reference_python.py", "--workdir", kClients});
  mine.insert(mine.end(), {"--jobs", "10"});
  bundled.insert(bundled.end(), {"--jobs", "10"});
  Result from_app = Conform(mine, app.path);
  Result from_clients = Conform(bundled, "/");
  INFO(from_app.out, from_app.err, from_clients.out);
  CHECK(from_app.code == 0);
  CHECK(from_clients.code == 0);
  CHECK(from_app.out.find("can't open file") == std::string::npos);
  CHECK(Verdicts(from_app.out).size() == 5 * 15);
  CHECK(Verdicts(from_app.out) == Verdicts(from_clients.out));
  CHECK(ScoreLine(from_app.out) == ScoreLine(from_clients.out));
  // A relative --client with no such file in the caller's directory is the client's failure.
  Result missing = Conform({"--provider", "evolink", "--scenarios", "success", "--client", "python3 my_client.py"}, "/");
  CHECK(missing.code == 1);
  CHECK(missing.out.find("FAIL created_task") != std::string::npos);
  CHECK(std::regex_search(missing.out, std::regex(R"(\| .*can't open file '/+my_client\.py')")));
}

TEST_CASE("a relocated runner finds its bundled clients next to itself and reads no source tree") {
  TempDir prefix;
  fs::create_directories(prefix.path / "bin");
  fs::create_directories(prefix.path / "share/imagine-emu");
  CopyExecutable(IMAGINE_CONFORM_BINARY, prefix.path / "bin/imagine-conform");
  fs::copy(kClients, prefix.path / "share/imagine-emu/clients", fs::copy_options::recursive);
  const std::string runner = (prefix.path / "bin/imagine-conform").string();
  Result r = RunIn("/", runner, {"--self-test", "--provider", "evolink", "--clients",
                                 "reference_cpp,reference_shell,broken_exits_at_once", "--scenarios", "success,stuck"});
  INFO(r.out, r.err);
  CHECK(r.code == 0);
  CHECK(r.out.find("ok       reference_cpp ") != std::string::npos);
  CHECK(r.out.find("ok       broken_exits_at_once ") != std::string::npos);
  CHECK(r.out.find("3 passed, 0 failed") != std::string::npos);

  // Without the clients beside it, --self-test says where it looked; --clients-dir points elsewhere.
  TempDir alone;
  CopyExecutable(IMAGINE_CONFORM_BINARY, alone.path / "imagine-conform");
  Result lost = RunIn("/", (alone.path / "imagine-conform").string(), {"--self-test"});
  CHECK(lost.code == 2);
  CHECK(lost.err.find("no bundled clients (clients.yaml) in ") != std::string::npos);
  Result pointed = RunIn("/", (alone.path / "imagine-conform").string(),
                         {"--self-test", "--clients-dir", (prefix.path / "share/imagine-emu/clients").string(), "--clients",
                          "broken_exits_at_once", "--scenarios", "success", "--provider", "apikley"});
  INFO(pointed.out, pointed.err);
  CHECK(pointed.code == 0);
}

TEST_CASE("the self-test reports a client that fails other checks than expected, and one that passes vacuously") {
  TempDir dir;
  std::ofstream(dir.path / "clients.yaml")
      << "clients:\n"
         "  - name: wrongly_expected\n"
         "    command: IMAGINE_CLIENT_FAULT=exits_at_once " << kClients << "/broken_cpp\n"
         "    fault: created_task\n"
         "    expected_failures: {evolink: [result_url]}\n"
         "  - name: not_a_null_client\n"
         "    command: " << kClients << "/reference_cpp\n"
         "    no_passes: true\n"
         "    expected_failures: {evolink: []}\n";
  Result r = Conform({"--self-test", "--clients-dir", dir.path.string(), "--provider", "evolink", "--scenarios", "success"});
  INFO(r.out, r.err);
  CHECK(r.code == 1);
  CHECK(r.out.find("MISMATCH wrongly_expected") != std::string::npos);
  CHECK(r.out.find("failed: created_task  (expected: result_url)") != std::string::npos);
  CHECK(r.out.find("MISMATCH not_a_null_client") != std::string::npos);
  CHECK(r.out.find("(no check may pass for this client)") != std::string::npos);
  CHECK(r.out.find("0 passed, 2 failed") != std::string::npos);
}

TEST_CASE("a client with ordinary 1 s timings passes the whole catalog in --timing relaxed") {
  // The client keeps its own timings, whatever it is told: polls 1 s apart, retries from 1 s.
  Result r = Conform({"--timing", "relaxed", "--max-wait-s", "8", "--stuck-wait-s", "4", "--jobs", "40", "--client",
                      "IMAGINE_POLL_INTERVAL_MS=1000 IMAGINE_RETRY_BASE_MS=1000 " + kClients + "/reference_cpp"});
  INFO(r.out, r.err);
  CHECK(r.code == 0);
  CHECK(std::regex_search(ScoreLine(r.out), std::regex(R"(^\d+ passed, 0 failed, \d+ skipped$)")));
  CHECK(Verdicts(r.out).size() == 35 * 15);  // every scenario of the catalog on both providers
  CHECK(r.out.find("pass bounded_retry_backoff") != std::string::npos);
  CHECK(r.out.find("pass gives_up_on_stuck") != std::string::npos);
}

TEST_CASE("imagine-conform --provider xai: the C++ and Python references pass every judged check of xAI") {
  for (const std::string& client : {kClients + "/reference_cpp", kClients + "/reference_python.py"}) {
    CAPTURE(client);
    Result r = Conform({"--provider", "xai", "--jobs", "16", "--client", client});
    INFO(r.out, r.err);
    CHECK(r.code == 0);
    CHECK(std::regex_search(ScoreLine(r.out), std::regex(R"(^\d+ passed, 0 failed, \d+ skipped$)")));
    CHECK(Verdicts(r.out).size() == 15 * 15);  // 15 scenarios: no record_not_ready, no callbacks on xAI
    CHECK(std::regex_search(r.out, std::regex(R"(xai +success .*\n    pass created_task)")));
    CHECK(r.out.find("pass expired_link_reported") != std::string::npos);  // status "expired" reported
    CHECK(r.out.find("pass surfaces_failure") != std::string::npos);
    CHECK(r.out.find("callback_duplicate ") == std::string::npos);
  }
}

TEST_CASE("imagine-conform --provider all runs the three providers' scenarios, and the reference passes them") {
  Result r = Conform({"--provider", "all", "--jobs", "16", "--client", kClients + "/reference_cpp"});
  INFO(r.out, r.err);
  CHECK(r.code == 0);
  CHECK(std::regex_search(ScoreLine(r.out), std::regex(R"(^\d+ passed, 0 failed, \d+ skipped$)")));
  std::map<std::string, int> scenarios;
  std::smatch m;
  for (auto it = r.out.cbegin(); std::regex_search(it, r.out.cend(), m, std::regex(R"((?:^|\n)(apikley|evolink|xai) +\w)"));
       it = m.suffix().first) {
    scenarios[m[1]]++;
  }
  // Each provider's catalog: Apikley's has record_not_ready, xAI's no callback scenarios.
  CHECK(scenarios == std::map<std::string, int>{{"apikley", 18}, {"evolink", 17}, {"xai", 15}});
  CHECK(Verdicts(r.out).size() == (18 + 17 + 15) * 15);
}

// The GitHub Actions snippet of docs/conformance.md: its conformance step
// runs as written, with IMAGINE_EMU pointing at this build and ./my-client a bundled client.
TEST_CASE("docs/conformance.md's CI snippet runs as written") {
  const std::string readme = Slurp(fs::path(IMAGINE_SOURCE_DIR) / "docs" / "conformance.md");
  const size_t section = readme.find("# Test your client");
  REQUIRE(section != std::string::npos);
  const size_t yaml = readme.find("```yaml\n", section);
  REQUIRE(yaml != std::string::npos);
  const std::string snippet = readme.substr(yaml + 8, readme.find("```\n", yaml + 8) - yaml - 8);
  // The step that runs imagine-conform: "- run: |" and the lines indented under it.
  const size_t call = snippet.find("imagine-conform\" --");
  REQUIRE(call != std::string::npos);
  const size_t step = snippet.rfind("- run: |\n", call);
  REQUIRE(step != std::string::npos);
  std::istringstream lines(snippet.substr(step + 9));
  std::string line, script;
  size_t indent = std::string::npos;
  while (std::getline(lines, line)) {
    const size_t first = line.find_first_not_of(' ');
    if (indent == std::string::npos) indent = first;
    if (first == std::string::npos || first < indent) break;
    script += line.substr(indent) + "\n";
  }
  INFO(script);
  REQUIRE(script.find("imagine-conform") != std::string::npos);
  // Everything else the snippet runs exists in this repository.
  for (const char* tool : {"scripts/install-deps", "scripts/build"}) {
    CHECK(snippet.find(tool) != std::string::npos);
    CHECK(fs::exists(fs::path(IMAGINE_SOURCE_DIR) / tool));
  }

  TempDir emu, repo;
  fs::create_directories(emu.path / "build");
  fs::create_symlink(IMAGINE_CONFORM_BINARY, emu.path / "build/imagine-conform");
  CopyExecutable(kClients + "/reference_python.py", repo.path / "my-client");
  std::ofstream(repo.path / "step.sh") << script;
  Result r = RunIn(repo.path, "bash", {"-e", "step.sh"}, "IMAGINE_EMU=" + Quote(emu.path.string()));
  INFO(r.out, r.err);
  CHECK(r.code == 0);
  for (const char* provider : {"apikley", "evolink"}) {
    const std::string xml = Slurp(repo.path / (std::string("conform-") + provider + ".xml"));
    CHECK(xml.find("<testsuite name=\"" + std::string(provider) + ".success\"") != std::string::npos);
    CHECK(xml.find("<testsuites name=\"imagine-conform\"") != std::string::npos);
    CHECK(std::regex_search(xml, std::regex(R"(<testsuites name="imagine-conform" tests="\d+" failures="0")")));
  }
}

TEST_CASE("--help documents every option, --version prints the version") {
  Result help = Conform({"--help"});
  CHECK(help.code == 0);
  CHECK(help.err.empty());
  const std::vector<std::string> options = {
      "--client", "--self-test", "--provider", "--scenarios", "--clients", "--workdir", "--clients-dir",
      "--no-callback-receiver", "--timing", "--time-scale", "--poll-interval-ms", "--retry-base-ms", "--stuck-wait-s",
      "--max-wait-s", "--grace-s", "--url", "--jobs", "--junit", "--quiet", "--verbose", "--help", "--version"};
  for (const std::string& option : options) {
    INFO(option);
    CHECK(std::regex_search(help.out, std::regex("\n  " + option + "[ \n]")));
  }
  // And every option the help names is one the runner knows.
  std::smatch m;
  std::string rest = help.out;
  while (std::regex_search(rest, m, std::regex(R"(\n  (--[a-z-]+))"))) {
    INFO(m[1].str());
    CHECK(std::find(options.begin(), options.end(), m[1].str()) != options.end());
    rest = m.suffix();
  }
  Result version = Conform({"--version"});
  CHECK(version.code == 0);
  CHECK(version.out == std::string("imagine-conform ") + IMAGINE_VERSION + "\n");
}

// Issue 24: `--client my_client.py` (no ./) ran every scenario with bash's exit 127, printed a
// 600-line report and exited 1. A client that cannot start is one set-up error line, exit 2.
TEST_CASE("a client that cannot start is one set-up error line and exit 2, before any scenario") {
  TempDir dir;
  std::ofstream(dir.path / "my_client.py") << "#!/usr/bin/env python3\nprint('hello')\n";
  std::ofstream(dir.path / "not_executable.sh") << "#!/bin/sh\n";
  fs::permissions(dir.path / "my_client.py", fs::perms::owner_all, fs::perm_options::add);
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--client", "my_client.py"},
       "my_client.py is not a command on PATH; to run the file in the working directory, give its path: "
       "--client \"./my_client.py\""},
      {{"--client", "IMAGINE_X=1 my_client.py --fast"}, "--client \"IMAGINE_X=1 ./my_client.py --fast\""},
      {{"--client", "no-such-program-xyz --flag"}, "no-such-program-xyz is not a command on PATH, nor a file in"},
      {{"--client", "./missing.py"}, "./missing.py does not exist (looked in the working directory)"},
      {{"--client", "./not_executable.sh"}, "./not_executable.sh is not executable (chmod +x ./not_executable.sh)"},
  };
  for (const auto& [args, message] : cases) {
    std::vector<std::string> full = args;
    full.insert(full.end(), {"--provider", "apikley"});
    Result r = Conform(full, dir.path);
    const std::string client = args[1];  // INFO captures by reference; clang refuses a structured binding there
    INFO(client, "\nstdout: ", r.out, "\nstderr: ", r.err);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.rfind("imagine-conform: set-up error: --client cannot start: ", 0) == 0);
    CHECK(r.err.find(message) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
}

TEST_CASE("every bad value gets one clear line and exit 2, never an exception") {
  TempDir empty;
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{}, "give --client \"COMMAND\" or --self-test"},
      {{"--client"}, "--client needs a value"},
      {{"--client", ""}, "--client needs a value"},
      {{"--frobnicate"}, "unknown option \"--frobnicate\""},
      {{"stray"}, "unexpected argument \"stray\""},
      {{"--quiet=yes", "--client", "true"}, "--quiet takes no value"},
      {{"--client", "true", "--self-test"}, "give --client or --self-test, not both"},
      {{"--client", "true", "--provider", "kie"}, "--provider must be apikley, evolink, xai, both or all (got \"kie\")"},
      {{"--client", "true", "--time-scale", "abc"}, "--time-scale needs a number above 0 (got \"abc\")"},
      {{"--client", "true", "--time-scale", "0"}, "--time-scale needs a number above 0 (got \"0\")"},
      {{"--client", "true", "--time-scale", "nan"}, "--time-scale needs a number above 0 (got \"nan\")"},
      {{"--client", "true", "--poll-interval-ms", "1.5"}, "--poll-interval-ms needs a whole number from 1 to 600000"},
      {{"--client", "true", "--retry-base-ms", "-3"}, "--retry-base-ms needs a whole number from 1 to 600000"},
      {{"--client", "true", "--max-wait-s", "99999999999999999999"}, "--max-wait-s needs a whole number from 1 to 3600"},
      {{"--client", "true", "--stuck-wait-s", "0"}, "--stuck-wait-s needs a whole number from 1 to 3600"},
      {{"--client", "true", "--grace-s", "soon"}, "--grace-s needs a number above 0"},
      {{"--client", "true", "--jobs", "0"}, "--jobs needs a whole number from 1 to 256 (got \"0\")"},
      {{"--client", "true", "--jobs=x"}, "--jobs needs a whole number from 1 to 256 (got \"x\")"},
      {{"--client", "true", "--timing", "slow"}, "--timing must be fast or relaxed (got \"slow\")"},
      {{"--client", "true", "--scenarios", ","}, "--scenarios needs a comma-separated list"},
      {{"--client", "true", "--scenarios", "success,nope"}, "--scenarios: no scenario nope (the catalog has success, "},
      {{"--client", "true", "--provider", "evolink", "--scenarios", "record_not_ready"}, "no scenario of --scenarios applies"},
      {{"--client", "true", "--workdir", "/nonexistent"}, "--workdir /nonexistent is not a directory"},
      {{"--client", "true", "--clients", "a"}, "--clients is for --self-test"},
      {{"--self-test", "--workdir", "/"}, "--workdir is for --client"},
      {{"--client", "true", "--junit", "/nonexistent/dir/out.xml"}, "--junit: cannot write /nonexistent/dir/out.xml"},
      {{"--client", "true", "--url", "ftp://example.com"}, "--url must be an http:// URL (got \"ftp://example.com\")"},
      {{"--client", "true", "--url", "http://127.0.0.1:1"}, "no emulator answers GET http://127.0.0.1:1/_emulator/health"},
      {{"--self-test", "--clients-dir", empty.path.string()}, "holds no clients.yaml"},
      {{"--self-test", "--clients", "nobody"}, "has no client nobody"},
  };
  for (const auto& [args, message] : cases) {
    std::string shown;
    for (const std::string& a : args) shown += " " + a;
    Result r = Conform(args);
    INFO(shown, "\nstdout: ", r.out, "\nstderr: ", r.err);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.rfind("imagine-conform: ", 0) == 0);
    CHECK(r.err.find(message) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
}

}  // namespace
}  // namespace imagine::testing
