// Runs the official JSON-Schema-Test-Suite (Debian json-schema-test-suite) against
// spec::Validator: every group of every file for the keywords we support, draft4 and draft7.
// Groups we cannot run are listed in kSkips with the reason; a stale or missing entry fails.
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "spec/json_schema.h"

#ifndef JSON_SCHEMA_TEST_SUITE_DIR
#define JSON_SCHEMA_TEST_SUITE_DIR "/usr/share/json-schema-test-suite/tests"
#endif

namespace imagine::spec {
namespace {

using json = nlohmann::json;

// Files per draft, relative to JSON_SCHEMA_TEST_SUITE_DIR/<draft>/.
const std::vector<std::string> kDraft4Files = {
    "type.json",          "enum.json",          "required.json",        "properties.json",
    "additionalProperties.json", "items.json",  "additionalItems.json", "minItems.json",
    "maxItems.json",      "minLength.json",     "maxLength.json",       "pattern.json",
    "minimum.json",       "maximum.json",       "allOf.json",           "anyOf.json",
    "oneOf.json",         "not.json",           "ref.json",             "default.json",
    "definitions.json",   "optional/format.json",
};
const std::vector<std::string> kDraft7Files = {
    "type.json",          "enum.json",          "const.json",           "required.json",
    "properties.json",    "additionalProperties.json", "items.json",    "additionalItems.json",
    "minItems.json",      "maxItems.json",      "minLength.json",       "maxLength.json",
    "pattern.json",       "minimum.json",       "maximum.json",         "exclusiveMinimum.json",
    "exclusiveMaximum.json", "allOf.json",      "anyOf.json",           "oneOf.json",
    "not.json",           "ref.json",           "default.json",         "definitions.json",
    "boolean_schema.json", "optional/format/uri.json",
};

// Why a group is skipped, and the compile error it must produce (null: the group compiles but
// at least one case must disagree with the suite).
struct Reason {
  const char* text;
  const char* compile_error;  // substring of the expected Compile() message, or null
};

const Reason kRemoteRef = {"remote $ref (only local \"#/...\" refs are supported)",
                           "unsupported $ref 'http"};
const Reason kIdRef = {"$ref resolved against $id/id base URIs (only \"#/...\" refs)",
                       "unsupported $ref '"};
const Reason kPatternProperties = {"uses patternProperties (unsupported keyword)",
                                   "unsupported keyword 'patternProperties'"};
const Reason kNonKeywordKeys = {
    "schema root holds non-keyword keys ('tilda~field', ...) used as $ref targets; unknown keys "
    "are rejected at compile (pointer escaping is covered in json_schema_test.cc)",
    "unsupported keyword 'percent%field'"};
const Reason kFormatAnnotation = {"format other than 'uri' is an annotation only", nullptr};

// A group the validator is not expected to pass. The test fails when a listed group passes
// every case (the skip is stale), fails in another way than its reason says, or is never seen.
struct Skip {
  const char* file;   // "<draft>/<file>"
  const char* group;  // the group's "description"
  const Reason& reason;
};

const Skip kSkips[] = {
    {"draft4/properties.json", "properties, patternProperties, additionalProperties interaction",
     kPatternProperties},
    {"draft4/additionalProperties.json",
     "additionalProperties being false does not allow other properties", kPatternProperties},
    {"draft4/additionalProperties.json", "non-ASCII pattern with additionalProperties",
     kPatternProperties},
    {"draft4/ref.json", "escaped pointer ref", kNonKeywordKeys},
    {"draft4/ref.json", "remote ref, containing refs itself", kRemoteRef},
    {"draft4/ref.json", "Recursive references between schemas", kIdRef},
    {"draft4/definitions.json", "valid definition", kRemoteRef},
    {"draft4/definitions.json", "invalid definition", kRemoteRef},
    {"draft4/optional/format.json", "validation of date-time strings", kFormatAnnotation},
    {"draft4/optional/format.json", "validation of e-mail addresses", kFormatAnnotation},
    {"draft4/optional/format.json", "validation of IP addresses", kFormatAnnotation},
    {"draft4/optional/format.json", "validation of IPv6 addresses", kFormatAnnotation},
    {"draft4/optional/format.json", "validation of host names", kFormatAnnotation},

    {"draft7/properties.json", "properties, patternProperties, additionalProperties interaction",
     kPatternProperties},
    {"draft7/additionalProperties.json",
     "additionalProperties being false does not allow other properties", kPatternProperties},
    {"draft7/additionalProperties.json", "non-ASCII pattern with additionalProperties",
     kPatternProperties},
    {"draft7/ref.json", "escaped pointer ref", kNonKeywordKeys},
    {"draft7/ref.json", "remote ref, containing refs itself", kRemoteRef},
    {"draft7/ref.json", "Recursive references between schemas", kIdRef},
    {"draft7/definitions.json", "valid definition", kRemoteRef},
    {"draft7/definitions.json", "invalid definition", kRemoteRef},
};

const Skip* FindSkip(const std::string& file, const std::string& group) {
  for (const Skip& skip : kSkips) {
    if (file == skip.file && group == skip.group) return &skip;
  }
  return nullptr;
}

bool LoadJson(const std::string& path, json* out, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot open " + path;
    return false;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  try {
    *out = json::parse(buffer.str());
  } catch (const json::exception& e) {
    *error = path + ": " + e.what();
    return false;
  }
  return true;
}

struct Counts {
  int groups = 0;
  int cases_run = 0;
  int cases_passed = 0;
  int groups_skipped = 0;
  int cases_skipped = 0;
};

void RunFile(const std::string& draft, const std::string& file, std::map<const Skip*, bool>* seen,
             Counts* counts) {
  const std::string name = draft + "/" + file;
  json groups;
  std::string error;
  if (!LoadJson(std::string(JSON_SCHEMA_TEST_SUITE_DIR) + "/" + name, &groups, &error)) {
    FAIL_CHECK(error);
    return;
  }
  for (const json& group : groups) {
    const std::string description = group.at("description").get<std::string>();
    const Skip* skip = FindSkip(name, description);
    if (skip != nullptr) (*seen)[skip] = true;
    ++counts->groups;
    const json& schema = group.at("schema");
    auto compiled = Validator::Compile(schema, schema);
    if (!compiled.ok()) {
      if (skip != nullptr) {
        const std::string& message = compiled.status().message();
        if (skip->reason.compile_error == nullptr ||
            message.find(skip->reason.compile_error) == std::string::npos) {
          FAIL_CHECK("skipped group fails to compile for another reason than '"
                     << std::string(skip->reason.text) << "': " << name << " :: " << description
                     << ": " << message);
        }
        ++counts->groups_skipped;
        counts->cases_skipped += static_cast<int>(group.at("tests").size());
      } else {
        FAIL_CHECK("unexpected compile failure: " << name << " :: " << description << ": "
                                                  << compiled.status().message());
      }
      continue;
    }
    const Validator& validator = **compiled;
    int mismatches = 0;
    for (const json& test : group.at("tests")) {
      const json& data = test.at("data");
      const bool expected = test.at("valid").get<bool>();
      const std::string where =
          name + " :: " + description + " :: " + test.at("description").get<std::string>();

      std::vector<ValidationError> first;
      const bool got = validator.Validate(data, &first);
      // The same verdict with every error collected and defaults applied to a copy; an invalid
      // instance is never modified.
      json copy = data;
      std::vector<ValidationError> all;
      const bool got_all = validator.Validate(copy, &all, {/*apply_defaults=*/true,
                                                           /*all_errors=*/true});
      const bool null_errors = validator.Validate(data, nullptr);
      if (got != got_all || got != null_errors || got != first.empty() ||
          got != all.empty() || all.size() < first.size() || (!got && copy != data)) {
        FAIL_CHECK("inconsistent modes: " << where);
      }

      if (skip != nullptr) {
        if (got != expected) ++mismatches;
        ++counts->cases_skipped;
        continue;
      }
      ++counts->cases_run;
      if (got == expected) {
        ++counts->cases_passed;
      } else {
        FAIL_CHECK(where << ": expected " << (expected ? "valid" : "invalid") << ", got "
                         << (got ? "valid" : "invalid") << " for " << data.dump()
                         << (first.empty() ? std::string()
                                           : " (" + first[0].pointer + " " + first[0].keyword +
                                                 ": " + first[0].message + ")"));
      }
    }
    if (skip != nullptr) {
      ++counts->groups_skipped;
      if (skip->reason.compile_error != nullptr) {
        FAIL_CHECK("skipped group compiles although its reason is '"
                   << std::string(skip->reason.text) << "': " << name << " :: " << description);
      }
      if (mismatches == 0) {
        FAIL_CHECK("stale skip, the group now compiles and passes: " << name << " :: "
                                                                     << description);
      }
    }
  }
}

TEST_CASE("JSON-Schema-Test-Suite draft4 and draft7") {
  std::map<const Skip*, bool> seen;
  Counts counts;
  for (const std::string& file : kDraft4Files) RunFile("draft4", file, &seen, &counts);
  for (const std::string& file : kDraft7Files) RunFile("draft7", file, &seen, &counts);

  for (const Skip& skip : kSkips) {
    if (!seen[&skip]) {
      FAIL_CHECK("skip entry matches no group: " << std::string(skip.file) << " :: "
                                                 << std::string(skip.group));
    }
  }
  MESSAGE("JSON-Schema-Test-Suite: " << counts.groups << " groups, " << counts.cases_run
                                     << " cases run, " << counts.cases_passed << " passed, "
                                     << counts.groups_skipped << " groups skipped ("
                                     << counts.cases_skipped << " cases)");
  CHECK(counts.cases_run > 0);
  CHECK(counts.cases_passed == counts.cases_run);
}

}  // namespace
}  // namespace imagine::spec
