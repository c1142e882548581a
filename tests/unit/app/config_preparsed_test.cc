// Unit tests for ConfigDocument::MergePreparsedYaml: the embedded default config merged from its
// pre-parsed form says the same as MergeYaml on its text, errors included (their lines and the
// values as written are read from the YAML only then).
#include <doctest/doctest.h>

#include <string>

#include "app/config_document.h"
#include "common/resources.h"
#include "spec/yaml_json.h"

namespace imagine {
namespace {

// Resolve()'s answer (the document, or the error's message) after merging `text` one way or the other.
std::string Resolved(const std::string& text, bool preparsed) {
  ConfigDocument doc;
  if (preparsed) {
    auto parsed = spec::ParseYamlDocument(text, "default.yaml");
    REQUIRE_MESSAGE(parsed.ok(), parsed.status().message());
    doc.MergePreparsedYaml(*parsed, text, "default.yaml");
  } else {
    REQUIRE(doc.MergeYaml(text, "default.yaml").ok());
  }
  REQUIRE(doc.MergeYaml("server: {port: 9000}\n", "user.yaml").ok());  // a later layer over part of a mapping
  auto resolved = doc.Resolve();
  return resolved.ok() ? resolved->dump() : resolved.status().message();
}

std::string WithReplaced(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

TEST_CASE("the default config merged pre-parsed resolves as merged from its YAML, errors and lines included") {
  const std::string text(*FindResource("fixtures/default-config.yaml"));
  CHECK(Resolved(text, true) == Resolved(text, false));
  const std::string bad_value = WithReplaced(text, "demo-key: {credits: 1000}", "demo-key: {credits: lots}");
  CHECK(Resolved(bad_value, true) == Resolved(bad_value, false));
  CHECK(Resolved(bad_value, true).rfind("default.yaml:12: accounts.keys.demo-key.credits: ", 0) == 0);
  const std::string bad_range = WithReplaced(text, "waiting_s: [", "waiting_s: [900, ");
  CHECK(Resolved(bad_range, true) == Resolved(bad_range, false));
  CHECK(Resolved(bad_range, true).rfind("default.yaml:", 0) == 0);
  const std::string unknown = WithReplaced(text, "  keys:\n", "  keyz: 1\n  keys:\n");
  CHECK(Resolved(unknown, true) == Resolved(unknown, false));
}

}  // namespace
}  // namespace imagine
