// The imagine-conform command line, run as a user runs it: from the user's own directory,
// relocated next to its bundled clients, with good and bad values, and the README's CI snippet
// as written. (The whole catalog over every bundled client runs as the conformance_self_test_*
// CTest tests.)
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

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
    char tmpl[] = "/tmp/conform-test-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
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
  const std::regex head(R"(^(apikley|evolink) +(\S+) )"), check(R"(^    (pass|FAIL|skip) (\S+))");
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
  CHECK(r.out.find("      | error: Internal server error") != std::string::npos);
}

}  // namespace
}  // namespace imagine::testing
