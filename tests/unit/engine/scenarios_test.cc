#include "engine/scenarios.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "common/resources.h"
#include "unit/engine/engine_test_support.h"

namespace imagine {
namespace {

std::vector<ScenarioDef> Catalog() { return testing::ShippedScenarioCatalog(); }

ScenarioContext Create(std::string_view header = "", std::string_view profile = "") {
  ScenarioContext c;
  c.provider = InternProvider("apikley");
  c.endpoint = Endpoint::kCreate;
  c.key = "k";
  c.model = "grok-imagine/text-to-video";
  c.prompt = "a cat";
  c.header = header;
  c.profile_default = profile;
  return c;
}

// Selects and commits, as a request that goes through does.
std::string Chosen(Scenarios& s, const ScenarioContext& ctx) {
  auto r = s.Select(ctx);
  REQUIRE(r.ok());
  if (*r) s.Commit(**r);
  return *r ? (*r)->name + "/" + (*r)->trigger : "none";
}

}  // namespace

TEST_CASE("the embedded catalog has every documented scenario") {
  std::vector<ScenarioDef> catalog = Catalog();
  std::set<std::string> names;
  for (const ScenarioDef& d : catalog) names.insert(d.name);
  for (const char* want : {"unauthorized", "insufficient_credits", "model_access_denied", "validation_error",
                           "rate_limited", "maintenance", "server_error", "feature_disabled", "generation_failed",
                           "content_policy_violation", "generation_timeout", "slow", "stuck", "cancelled",
                           "record_not_ready", "result_expired"}) {
    INFO(std::string(want));
    CHECK(names.count(want) == 1);
  }
}

TEST_CASE("Arm merges trigger parameters over the catalog defaults") {
  Scenarios s(Catalog(), 1);
  auto a = s.Arm("generation_failed;fail_at=queuing;fail_code=E1", "header");
  REQUIRE(a.ok());
  CHECK(a->effects.fail_reason == "generation_failed");
  CHECK(a->effects.fail_at == TaskState::kQueuing);
  CHECK(a->effects.fail_code == "E1");
  auto slow = s.Arm(" slow ; factor = 2.5 ", "header");
  REQUIRE(slow.ok());
  CHECK(slow->effects.factor == 2.5);
  auto progress = s.Arm("slow;progress=10,40,90", "header");
  REQUIRE(progress.ok());
  CHECK(progress->effects.progress == std::vector<int>{10, 40, 90});
  CHECK(s.Arm("maintenance", "x")->effects.respond == Code::kUnavailable);
  struct Row {
    const char* spec;
    const char* message;
  };
  const Row rows[] = {
      {"nope", "unknown scenario 'nope' (GET /_emulator/scenarios lists them)"},
      {"slow;factor=0", "scenario slow: parameter factor must be a number in (0, 1000] (got \"0\")"},
      {"slow;colour=red",
       "scenario slow: unknown parameter 'colour' (known: respond, message, fail, fail_at, fail_code, fail_message, "
       "factor, stuck, progress, polls, expire_results, times)"},
      {"generation_failed;fail_at=later", "scenario generation_failed: parameter fail_at must be waiting, queuing or generating (got \"later\")"},
      {"slow;progress=10,x", "scenario slow: parameter progress must be comma-separated integers from 0 to 100 (got \"10,x\")"},
      {"maintenance;respond=teapot", "scenario maintenance: parameter respond must be a neutral error code such as unavailable (got \"teapot\")"},
  };
  for (const Row& row : rows) {
    INFO(std::string(row.spec));
    auto r = s.Arm(row.spec, "header");
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().message() == row.message);
  }
}

TEST_CASE("Select follows the precedence header > rules > profile > chaos") {
  Scenarios s(Catalog(), 1);
  ScenarioRule rule;
  rule.scenario = "maintenance";
  rule.provider = InternProvider("apikley");
  REQUIRE(s.AddRule(rule).ok());
  REQUIRE(s.SetChaos({{"server_error", 1.0}}).ok());
  CHECK(Chosen(s, Create("slow", "stuck")) == "slow/header");
  CHECK(Chosen(s, Create("", "stuck")) == "maintenance/rule 1");
  ScenarioContext evolink = Create("", "stuck");
  evolink.provider = InternProvider("evolink");
  CHECK(Chosen(s, evolink) == "stuck/profile");
  evolink.profile_default = "";
  CHECK(Chosen(s, evolink) == "server_error/chaos");
  auto bad = s.Select(Create("nope"));
  CHECK(bad.status().message() == "X-Emulator-Scenario: unknown scenario 'nope' (GET /_emulator/scenarios lists them)");
}

TEST_CASE("rules match on endpoint, key, model and prompt, and expire after `times`") {
  Scenarios s(Catalog(), 1);
  ScenarioRule r;
  r.scenario = "rate_limited";
  r.endpoint = Endpoint::kQuery;
  r.key = "k";
  r.times = 2;
  REQUIRE(s.AddRule(r).ok());
  ScenarioRule p;
  p.scenario = "content_policy_violation";
  p.prompt_contains = "celebrity";
  REQUIRE(s.AddRule(p).ok());

  ScenarioContext query = Create();
  query.endpoint = Endpoint::kQuery;
  CHECK(Chosen(s, Create()) == "none");  // rule 1 is for queries only
  CHECK(Chosen(s, query) == "rate_limited/rule 1");
  CHECK(Chosen(s, query) == "rate_limited/rule 1");
  CHECK(Chosen(s, query) == "none");  // used up and removed
  CHECK(s.rules().size() == 1);
  ScenarioContext celeb = Create();
  celeb.prompt = "a famous celebrity dancing";
  CHECK(Chosen(s, celeb) == "content_policy_violation/rule 2");
  // Lifecycle scenarios do not act on queries.
  CHECK(Chosen(s, query) == "none");
  ScenarioRule in_spec;
  in_spec.scenario = "server_error;times=1";
  auto added = s.AddRule(in_spec);
  REQUIRE(added.ok());
  CHECK(added->times == 1);
  ScenarioRule unknown;
  unknown.scenario = "nope";
  CHECK(s.AddRule(unknown).status().code() == Code::kInvalidArgument);
  s.ClearRules();
  CHECK(s.rules().empty());
}

TEST_CASE("chaos draws are seeded and repeat exactly") {
  auto draws = [](uint64_t seed) {
    Scenarios s(Catalog(), seed);
    REQUIRE(s.SetChaos({{"generation_failed", 0.3}}).ok());
    std::string pattern;
    for (int i = 0; i < 200; ++i) pattern += Chosen(s, Create()) == "none" ? '.' : 'x';
    return pattern;
  };
  std::string a = draws(7);
  CHECK(a == draws(7));
  CHECK(a != draws(8));
  size_t hits = std::count(a.begin(), a.end(), 'x');
  CHECK(hits > 30);   // about 60 expected
  CHECK(hits < 100);
  Scenarios s(Catalog(), 1);
  CHECK(s.SetChaos({{"generation_failed", 1.5}}).code() == Code::kInvalidArgument);
  CHECK(s.SetChaos({{"nope", 0.5}}).code() == Code::kInvalidArgument);
}

TEST_CASE("ScriptedProgress walks the script through the generating stage") {
  Timeline t{0, 1000, 2000, 8000, TaskState::kSucceeded};
  std::vector<int> script = {10, 40, 90};
  CHECK(ScriptedProgress(t, script, 1500) == 0);   // not generating yet
  CHECK(ScriptedProgress(t, script, 2000) == 10);
  CHECK(ScriptedProgress(t, script, 3999) == 10);
  CHECK(ScriptedProgress(t, script, 4000) == 40);
  CHECK(ScriptedProgress(t, script, 7999) == 90);
  CHECK(ScriptedProgress(t, script, 8000) == 100);
  CHECK(ScriptedProgress(t, {}, 5000) == 50);
}

TEST_CASE("catalog errors name the file and line") {
  auto bad = Scenarios::ParseCatalog("scenarios:\n  x:\n    acts_at: [later]\n", "s.yaml");
  CHECK(bad.status().message() == "s.yaml:3: x.acts_at: unknown stage 'later'");
  auto param = Scenarios::ParseCatalog("scenarios:\n  x:\n    acts_at: [create]\n    params: {respond: nope}\n", "s.yaml");
  CHECK(param.status().message() ==
        "s.yaml:3: scenario x: parameter respond must be a neutral error code such as unavailable (got \"nope\")");
}

}  // namespace imagine

namespace imagine {

// Regression (review): a create refused later (402, 429) used up rules and chaos draws.
// Selecting reserves a match (so concurrent requests never take more than `times`); a
// request refused before the scenario acted releases it.
TEST_CASE("selecting uses nothing up until Commit") {
  Scenarios s(Catalog(), 1);
  ScenarioRule once;
  once.scenario = "generation_failed";
  once.times = 1;
  REQUIRE(s.AddRule(once).ok());
  for (int i = 0; i < 3; ++i) {
    auto peek = s.Select(Create());
    REQUIRE(peek.ok());
    REQUIRE(peek->has_value());
    CHECK((*peek)->name == "generation_failed");  // not committed: still armed
    s.Release(**peek);
  }
  CHECK(s.rules().size() == 1);
  CHECK(Chosen(s, Create()) == "generation_failed/rule 1");
  CHECK(s.rules().empty());
  CHECK(Chosen(s, Create()) == "none");
}

}  // namespace imagine
