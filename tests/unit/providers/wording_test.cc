#include "providers/common/wording.h"

#include <doctest/doctest.h>

#include "spec/yaml_json.h"

namespace imagine {
namespace {

Wording Parse(const char* yaml) {
  auto doc = spec::ParseYamlDocument(yaml, "t.yaml");
  REQUIRE(doc.ok());
  auto w = Wording::Parse(*doc, "t.yaml");
  REQUIRE_MESSAGE(w.ok(), w.status().ToString());
  return *w;
}

constexpr const char* kTable = R"(
errors:
  - {code: not_found, rule: route, status: 404, message: Not Found}
  - {code: not_found, when: strict, status: 404, message: Task not found}
  - {code: not_found, status: 422, message: recordInfo is null}
  - {code: permission_denied, status: 401, message: 'no access to {value}'}
  - {code: invalid_argument, status: 400, param: x, hint: try this}
  - {status: 500, message: Internal server error}
failures:
  boom: {code: '501', message: it went boom}
  default: {code: '{reason}', message: 'failed: {reason}'}
messages: {success: ok}
)";

}  // namespace

TEST_CASE("Wording: the first matching row wins, rules and flags narrow a row") {
  const Wording w = Parse(kTable);
  CHECK(w.ErrorFor(Status(Code::kNotFound, "x", Violation{"", "route", ""}), {}).status == 404);
  CHECK(w.ErrorFor(NotFound("x"), {}).message == "recordInfo is null");
  CHECK(w.ErrorFor(NotFound("x"), {"strict"}).message == "Task not found");
  CHECK(w.ErrorFor(Status(Code::kUnavailable, "x"), {}).message == "Internal server error");  // the catch-all
  CHECK(w.ErrorFor(InvalidArgument("x"), {}).hint == "try this");
}

TEST_CASE("Wording::MessageFor: a scenario's own text, a template, or the field described") {
  const Wording w = Parse(kTable);
  Status denied(Code::kPermissionDenied, "x", Violation{"", "model_not_allowed", "m1"});
  CHECK(Wording::MessageFor(w.ErrorFor(denied, {}), denied) == "no access to m1");
  Status scripted(Code::kPermissionDenied, "custom text", Violation{"", "scenario", "m1"});
  CHECK(Wording::MessageFor(w.ErrorFor(scripted, {}), scripted) == "custom text");
  Status field = InvalidArgument("is required", Violation{"/input/prompt", "required", ""});
  CHECK(Wording::MessageFor(w.ErrorFor(field, {}), field) == "input.prompt: is required");
}

TEST_CASE("Wording::FailureFor: a reason's words, the default with {reason}, then task overrides") {
  const Wording w = Parse(kTable);
  Task t;
  t.fail_reason = "boom";
  CHECK(w.FailureFor(t).code == "501");
  t.fail_reason = "melted";
  CHECK(w.FailureFor(t).code == "melted");
  CHECK(w.FailureFor(t).message == "failed: melted");
  t.fail_reason = "";
  CHECK(w.FailureFor(t).code == "unknown_error");
  t.fail_code = "7";
  t.fail_message = "told so";
  CHECK(w.FailureFor(t).code == "7");
  CHECK(w.FailureFor(t).message == "told so");
  CHECK(w.Message("success") == "ok");
  CHECK(w.Message("nope") == "");
}

TEST_CASE("Wording::Parse names what is wrong with a table") {
  struct Row {
    const char* yaml;
    const char* message;
  };
  const Row rows[] = {
      {"errors: 3\n", "t.yaml: x-emulator-dialect.errors: must be a list of rows"},
      {"errors: [{code: nope, status: 1}, {status: 500}]\nfailures: {default: {}}\n",
       "t.yaml: x-emulator-dialect.errors[0].code: unknown code 'nope'"},
      {"errors: [{status: x}]\n", "t.yaml: x-emulator-dialect.errors[0].status: must be an integer"},
      {"errors: [{status: 1, colour: red}]\n", "t.yaml: x-emulator-dialect.errors[0].colour: unknown key"},
      {"errors: [{code: internal, status: 500}]\n",
       "t.yaml: x-emulator-dialect.errors: needs a last row without code, rule, when or operation"},
      {"errors: [{status: 500}]\n", "t.yaml: x-emulator-dialect.failures: needs a default row"},
  };
  for (const Row& row : rows) {
    INFO(std::string(row.yaml));
    auto doc = spec::ParseYamlDocument(row.yaml, "t.yaml");
    REQUIRE(doc.ok());
    auto w = Wording::Parse(*doc, "t.yaml");
    REQUIRE_FALSE(w.ok());
    CHECK(w.status().message() == row.message);
  }
}

}  // namespace imagine
