// The imagine-conform command line: exit codes, the report and JUnit XML. (The full
// catalog over every client runs as the conformance_self_test_* CTest tests.)
#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "support/emulator_process.h"

namespace imagine::testing {
namespace {

std::pair<int, std::string> Conform(const std::vector<std::string>& args) {
  std::string cmd = std::string(IMAGINE_CONFORM_BINARY);
  for (const std::string& a : args) cmd += " '" + a + "'";
  cmd += " 2>&1";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_CASE("a conforming client scores every check and exits 0, with JUnit XML") {
  const std::string junit = WriteTempFile("", ".xml");
  auto [code, out] = Conform({"--provider", "evolink", "--client", std::string(IMAGINE_BUILD_DIR) + "/client_reference_cpp",
                              "--scenarios", "success,generation_failed", "--junit", junit, "--root", IMAGINE_SOURCE_DIR});
  INFO(out);
  CHECK(code == 0);
  CHECK(std::regex_search(out, std::regex(R"(evolink  success .*\n    pass requests_valid)")));
  CHECK(out.find("    pass surfaces_failure") != std::string::npos);
  CHECK(std::regex_search(out, std::regex(R"((\d+)/\1 checks passed)")));
  std::string xml = Slurp(junit);
  CHECK(xml.rfind("<?xml", 0) == 0);
  CHECK(xml.find("<testsuite name=\"") != std::string::npos);
  CHECK(xml.find("classname=\"evolink.success\" name=\"result_url\"") != std::string::npos);
  CHECK(xml.find("failures=\"0\"") != std::string::npos);
  CHECK(xml.find("<skipped message=") != std::string::npos);
}

TEST_CASE("a misbehaving client fails its check with a reason, exit 1, and a JUnit failure") {
  const std::string junit = WriteTempFile("", ".xml");
  auto [code, out] = Conform({"--provider", "apikley", "--client",
                              std::string(IMAGINE_BUILD_DIR) + "/client_broken_hammers_polling", "--scenarios", "success",
                              "--junit", junit, "--root", IMAGINE_SOURCE_DIR});
  INFO(out);
  CHECK(code == 1);
  CHECK(std::regex_search(out, std::regex(R"(FAIL polling_interval +two status queries \d+ ms apart on the emulator's clock \(at least 1000\))")));
  CHECK(Slurp(junit).find("<failure message=\"two status queries") != std::string::npos);
}

TEST_CASE("bad arguments are refused") {
  CHECK(Conform({"--provider", "x", "--client", "true"}).first == 2);
  CHECK(Conform({"--client", "true", "--scenarios", "nope"}).first == 2);
  CHECK(Conform({}).first == 2);
}

}  // namespace
}  // namespace imagine::testing
