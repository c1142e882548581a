// The outage kinds are listed once in the schemas (config.schema.yaml OutageKind, which the
// admin API's Outage, OutageState and ScenarioRuleState use) and once in the engine
// (OutageKinds()); the state records keep the kind of an outage rule. They must agree.
#include <doctest/doctest.h>

#include <vector>

#include "engine/engine.h"
#include "engine/outages.h"
#include "spec/embedded_documents.h"
#include "common/resources.h"

namespace imagine {
namespace {

std::vector<std::string> EngineKinds() {
  std::vector<std::string> names;
  for (const OutageKind& k : OutageKinds()) names.emplace_back(k.name);
  return names;
}

}  // namespace

TEST_CASE("the schemas' outage kinds are the engine's, in its order") {
  auto config = LoadEmbeddedJson("schemas/config.schema.yaml");
  REQUIRE(config.ok());
  CHECK(config->at("/definitions/OutageKind/enum"_json_pointer).get<std::vector<std::string>>() == EngineKinds());
  CHECK(config->at("/definitions/Outage/properties/kind/allOf/0/$ref"_json_pointer) == "#/definitions/OutageKind");
  auto state = LoadEmbeddedJson("schemas/state-records.schema.yaml");
  REQUIRE(state.ok());
  bool found = false;
  for (const auto& [name, def] : state->at("definitions").items()) {
    if (!def.contains("properties") || !def["properties"].contains("outage")) continue;
    found = true;
    INFO(name);
    CHECK(def["properties"]["outage"]["enum"].get<std::vector<std::string>>() == EngineKinds());
  }
  CHECK(found);
  auto admin = LoadEmbeddedJson("schemas/admin.openapi.yaml");
  REQUIRE(admin.ok());
  const std::string dumped = admin->dump();
  CHECK(dumped.find("\"rate_limited\"") == std::string::npos);  // no copy of the list: each $refs OutageKind
}

// Review of issue 26, 2c: the kind error rendered twice (the message and its violation), and
// a config outage's error was prefixed as a rule's.
TEST_CASE("an outage's errors are worded once and name scenarios.outages in the config") {
  auto bad = MakeOutageRule(InternProvider("evolink"), "flaky", 0, -1);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().violation().pointer.empty());
  CHECK(bad.status().message() == "kind must be one of maintenance, server_error, rate_limited, failing (got \"flaky\")");

  auto text = FindResource("fixtures/scenarios.yaml");
  REQUIRE(text.has_value());
  auto catalog = Scenarios::ParseCatalog(*text, "scenarios.yaml");
  REQUIRE(catalog.ok());
  Engine e(EngineOptions{}, std::make_unique<VirtualClock>(0), {}, std::move(catalog).value());
  ScenarioRule outage = *MakeOutageRule(InternProvider("evolink"), "maintenance", 0, -1);
  outage.scenario = "no_such_scenario";
  Status configured = e.Configure({outage}, {});
  REQUIRE_FALSE(configured.ok());
  CHECK(configured.message().rfind("config: scenarios.outages: ", 0) == 0);
}

}  // namespace imagine
