// Outages and rules for a time (issue 26): a rule with for_s lapses on the emulator's clock and
// is then listed and matched nowhere; an outage is a provider-wide rule that replaces the
// provider's earlier one; both come back the same from the state log and from a snapshot.
#include "engine/outages.h"

#include <doctest/doctest.h>

#include <mutex>

#include "common/resources.h"
#include "engine/engine.h"
#include "engine/scenarios_json.h"
#include "unit/engine/engine_test_support.h"

namespace imagine {
namespace {

std::vector<ScenarioDef> Catalog() { return testing::ShippedScenarioCatalog(); }

using testing::MemoryLog;

using testing::At;

using testing::Chosen;

// What the control API would list: each active rule in its state form.
std::string Listed(const Engine& e) {
  std::string out;
  for (const ScenarioRule& r : e.scenarios().ActiveRules(e.NowMs())) out += ScenarioRuleToState(r).dump() + "\n";
  return out;
}

// At a wall-clock instant, as a real start-up is: `until` is then beyond 32 bits.
constexpr int64_t kStartMs = 1'760'000'000'000;
Engine MakeEngine() { return Engine(EngineOptions{}, std::make_unique<VirtualClock>(kStartMs), {}, Catalog()); }

}  // namespace

TEST_CASE("a rule with for_s lapses on the emulator's clock and is then listed and matched nowhere") {
  Scenarios s(Catalog(), 1);
  ScenarioRule rule;
  rule.scenario = "maintenance";
  rule.for_s = 2.5;
  auto added = s.AddRule(rule, 10'000);
  REQUIRE(added.ok());
  CHECK(added->until_ms == 12'500);
  CHECK(Chosen(s, At("apikley", 12'499)) == "maintenance");
  CHECK(s.ActiveRules(12'499).size() == 1);
  CHECK(Chosen(s, At("apikley", 12'500)) == "none");
  CHECK(s.ActiveRules(12'500).empty());
  CHECK(s.ExportState(12'500)["rules"].empty());
  nlohmann::ordered_json shown = ScenarioRuleToJson(*added, 11'000);
  CHECK(shown["for_s"] == 2.5);
  CHECK(shown["expires_at_ms"] == 12'500);
  CHECK(shown["remaining_s"] == 1.5);
}

TEST_CASE("an outage rule is provider-wide and its kind picks the scenario") {
  const Provider evolink = InternProvider("evolink");
  for (const auto& [kind, scenario] : {std::pair<const char*, const char*>{"", "maintenance"},
                                       {"maintenance", "maintenance"},
                                       {"server_error", "server_error"},
                                       {"rate_limited", "rate_limited"},
                                       {"failing", "generation_failed"}}) {
    INFO(kind);
    auto rule = MakeOutageRule(evolink, kind, 0, -1);
    REQUIRE(rule.ok());
    CHECK(rule->scenario == scenario);
    CHECK(rule->outage == (*kind ? kind : "maintenance"));
    CHECK(rule->provider == evolink);
    CHECK_FALSE(rule->endpoint.has_value());
  }
  auto bad = MakeOutageRule(evolink, "flaky", 0, -1);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == "kind must be one of maintenance, server_error, rate_limited, failing (got \"flaky\")");

  Scenarios s(Catalog(), 1);
  REQUIRE(s.AddRule(*MakeOutageRule(evolink, "failing", 0, -1)).ok());
  CHECK(Chosen(s, At("evolink", 0)) == "generation_failed");
  CHECK(Chosen(s, At("evolink", 0, Endpoint::kQuery)) == "none");  // queries answer as usual
  CHECK(Chosen(s, At("apikley", 0)) == "none");
}

TEST_CASE("a second outage replaces the provider's first, and clearing one provider keeps the others") {
  Engine e = MakeEngine();
  const Provider evolink = InternProvider("evolink"), apikley = InternProvider("apikley");
  ScenarioRule user;
  user.scenario = "slow";
  REQUIRE(e.AddScenarioRule(user).ok());
  REQUIRE(e.SetOutage(*MakeOutageRule(evolink, "maintenance", 0, -1)).ok());
  REQUIRE(e.SetOutage(*MakeOutageRule(apikley, "server_error", 0, 3)).ok());
  auto replaced = e.SetOutage(*MakeOutageRule(evolink, "rate_limited", 30, -1));
  REQUIRE(replaced.ok());
  std::vector<std::string> kinds;
  for (const ScenarioRule& r : e.scenarios().ActiveRules(e.NowMs())) kinds.push_back(r.outage);
  CHECK(kinds == std::vector<std::string>{"", "server_error", "rate_limited"});
  auto cleared = e.ClearOutages(evolink);
  REQUIRE(cleared.ok());
  CHECK(*cleared == 1);
  CHECK(e.scenarios().ActiveRules(e.NowMs()).size() == 2);
  CHECK(*e.ClearOutages(std::nullopt) == 1);
  CHECK(e.scenarios().ActiveRules(e.NowMs()).size() == 1);  // the user's rule stays
}

TEST_CASE("outages and rules for a time come back the same from the state log and from a snapshot") {
  MemoryLog log;
  Engine live = MakeEngine();
  live.SetStateLog(&log);
  const Provider evolink = InternProvider("evolink"), xai = InternProvider("xai");
  ScenarioRule timed;
  timed.scenario = "slow";
  timed.for_s = 100;
  REQUIRE(live.AddScenarioRule(timed).ok());
  REQUIRE(live.SetOutage(*MakeOutageRule(evolink, "maintenance", 60, 5)).ok());
  REQUIRE(live.SetOutage(*MakeOutageRule(xai, "failing", 0, -1)).ok());
  REQUIRE(live.SetOutage(*MakeOutageRule(evolink, "server_error", 40, -1)).ok());
  REQUIRE(live.AdvanceClock(10'000).ok());
  REQUIRE(live.ClearOutages(xai).ok());
  const std::string expected = Listed(live);
  CHECK(expected.find("\"outage\":\"server_error\"") != std::string::npos);
  CHECK(expected.find("\"until\":" + std::to_string(kStartMs + 40'000)) != std::string::npos);
  {
    Engine replayed = MakeEngine();
    for (const std::string& r : log.records) REQUIRE(replayed.ApplyStateRecord(nlohmann::json::parse(r)).ok());
    CHECK(Listed(replayed) == expected);
    REQUIRE(replayed.AdvanceClock(30'000).ok());  // the outage lapses at kStartMs + 40 s
    CHECK(Listed(replayed).find("outage") == std::string::npos);
  }
  std::vector<std::string> snapshot;
  REQUIRE(live.WriteStateSnapshot([&](const std::string& r) { snapshot.push_back(r); return Status::Ok(); },
                                  [] { return Status::Ok(); })
              .ok());
  Engine restored = MakeEngine();
  for (const std::string& r : snapshot) REQUIRE(restored.ApplyStateRecord(nlohmann::json::parse(r)).ok());
  CHECK(Listed(restored) == expected);
}

TEST_CASE("an outage whose record cannot be written is refused and the earlier one stays") {
  MemoryLog log;
  Engine e = MakeEngine();
  e.SetStateLog(&log);
  const Provider evolink = InternProvider("evolink");
  REQUIRE(e.SetOutage(*MakeOutageRule(evolink, "maintenance", 0, -1)).ok());
  const std::string before = Listed(e);
  log.fail = true;
  auto refused = e.SetOutage(*MakeOutageRule(evolink, "rate_limited", 0, -1));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().violation().rule == "state_dir");
  CHECK(Listed(e) == before);
  REQUIRE_FALSE(e.ClearOutages(std::nullopt).ok());
  CHECK(Listed(e) == before);
}

}  // namespace imagine
