// Unit tests for CompileOptions::defer_patterns (spec/json_schema.h): a deferred pattern answers
// exactly as one compiled at once, compiles once under concurrent first use, and start-up's
// embedded config schema (compiled with its patterns deferred) compiles whole without deferring.
#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/config_document.h"
#include "spec/json_schema.h"

namespace imagine::spec {
namespace {

using json = nlohmann::json;

std::shared_ptr<const Validator> Compiled(const json& schema, bool defer) {
  auto v = Validator::Compile(schema, schema, CompileOptions{defer});
  REQUIRE_MESSAGE(v.ok(), v.status().message());
  return *v;
}

TEST_CASE("a deferred pattern gives the answers and errors of one compiled at once") {
  const json schema = json::parse(R"({"properties": {
      "host": {"type": "string", "pattern": "^(all|\\.?[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)$"},
      "twice": {"type": "string", "pattern": "^(ab)\\1$"},
      "short": {"type": "string", "maxLength": 3, "pattern": "^[0-9]+$"}}})");
  const std::vector<json> instances = {
      json::parse(R"({"host": "all"})"),        json::parse(R"({"host": ".example"})"),
      json::parse(R"({"host": "a b"})"),        json::parse(R"({"twice": "abab"})"),
      json::parse(R"({"twice": "abba"})"),      json{{"twice", std::string(5000, 'a')}},
      json::parse(R"({"short": "12"})"),        json::parse(R"({"short": "1234"})"),
      json::parse(R"({"short": "x"})"),
  };
  auto eager = Compiled(schema, false);
  auto deferred = Compiled(schema, true);
  for (const json& instance : instances) {
    INFO(instance.dump());
    std::vector<ValidationError> want, got;
    const bool want_ok = eager->Validate(instance, &want);
    CHECK(deferred->Validate(instance, &got) == want_ok);
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      CHECK(got[i].pointer == want[i].pointer);
      CHECK(got[i].keyword == want[i].keyword);
      CHECK(got[i].message == want[i].message);
      CHECK(got[i].value == want[i].value);
    }
  }
}

TEST_CASE("a deferred pattern that does not compile is accepted at compile and fails every string") {
  const json schema = json::parse(R"({"pattern": "(["})");
  CHECK_FALSE(Validator::Compile(schema, schema).ok());  // at once: the schema is refused
  auto deferred = Compiled(schema, true);
  std::vector<ValidationError> errors;
  CHECK_FALSE(deferred->Validate(json("x"), &errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].keyword == "pattern");
  CHECK(errors[0].message == "could not be matched against pattern ([");
  CHECK(deferred->Validate(json(7), nullptr));  // a pattern applies to strings only
}

TEST_CASE("a deferred pattern is compiled once when threads reach it together") {
  auto deferred = Compiled(json::parse(R"({"items": {"type": "string", "pattern": "^[a-z]+[0-9]?$"}})"), true);
  const json good = json::array({"abc", "xyz1", "q"});
  const json bad = json::array({"abc", "A"});
  std::vector<int> verdicts(8, -1);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < verdicts.size(); ++t) {
    threads.emplace_back([&, t] { verdicts[t] = deferred->Validate(t % 2 == 0 ? good : bad, nullptr) ? 1 : 0; });
  }
  for (std::thread& t : threads) t.join();
  for (size_t t = 0; t < verdicts.size(); ++t) CHECK(verdicts[t] == (t % 2 == 0 ? 1 : 0));
}

TEST_CASE("the embedded config schema compiles whole with its patterns (start-up defers them)") {
  const json& schema = ConfigDocument::SchemaJson();
  auto whole = Validator::Compile(schema, schema);
  CHECK_MESSAGE(whole.ok(), whole.status().message());
  // A pattern of the config reached through ConfigDocument: checked as before.
  CHECK(ConfigDocument::CheckValue("/server/public_url", json("ftp://x"), "\"ftp://x\"").message() ==
        "must be \"\" or start with http:// or https:// (got \"ftp://x\")");
  CHECK(ConfigDocument::CheckValue("/server/allowed_hosts", json::array({"a b"}), "\"a b\"").message() ==
        "must be a list of host names, .domains or all (got \"a b\")");
  CHECK(ConfigDocument::CheckValue("/server/allowed_hosts", json::array({"example.com", ".local", "all"}), "").ok());
}

}  // namespace
}  // namespace imagine::spec
