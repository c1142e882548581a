// Outages and timed rules under concurrency and across restarts (review of issue 26): a
// replacement is one step (no request sees the provider up, concurrent sets leave one
// outage), `times` is reserved when a request picks the rule, a reset's configured rules are
// timed from the reset (not the restart), lapsed rules are dropped, and a tiny for_s still
// makes a rule that is listed.
#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "common/resources.h"
#include "engine/engine.h"
#include "engine/outages.h"
#include "engine/scenarios_json.h"
#include "unit/engine/engine_test_support.h"

namespace imagine {
namespace {

std::vector<ScenarioDef> Catalog() { return testing::ShippedScenarioCatalog(); }

using testing::MemoryLog;

using testing::At;

using testing::Chosen;

size_t OutageRules(const Engine& e) {
  size_t n = 0;
  for (const ScenarioRule& r : e.scenarios().rules()) n += r.outage.empty() ? 0 : 1;
  return n;
}

constexpr int64_t kStartMs = 1'760'000'000'000;

}  // namespace

// 1a. The interleaving that broke: one thread's "remove the old outage" and "add the new one"
// were two locked steps, so a request between them found the provider up, and two setters
// could each remove before either added (two outages in memory; replay keeps one). Nothing
// here can pass by luck after the fix: each check holds in every interleaving.
TEST_CASE("an outage replacing another never leaves the provider up, and concurrent sets leave one outage") {
  Engine e(EngineOptions{}, std::make_unique<VirtualClock>(kStartMs), {}, Catalog());
  const Provider evolink = InternProvider("evolink");
  REQUIRE(e.SetOutage(*MakeOutageRule(evolink, "maintenance", 0, -1)).ok());
  std::atomic<bool> done{false};
  std::atomic<int> failed_sets{0};
  std::atomic<bool> reading{false};
  auto setter = [&](const char* kind) {
    // The setters start once the reader is selecting (an event: on a loaded machine the reader's
    // thread could otherwise first run after they are done, leaving nothing to judge).
    while (!reading.load()) std::this_thread::yield();
    for (int i = 0; i < 3000; ++i) {
      if (!e.SetOutage(*MakeOutageRule(evolink, kind, 0, -1)).ok()) ++failed_sets;
    }
  };
  int up_seen = 0, selects = 0;
  std::thread a(setter, "maintenance"), b(setter, "server_error");
  std::thread reader([&] {
    while (!done.load() || selects < 1000) {
      ScenarioContext ctx = At("evolink", 0);
      auto chosen = e.SelectScenario(ctx);
      ++selects;
      reading = true;
      if (!chosen.ok() || !*chosen) ++up_seen;
    }
  });
  a.join();
  b.join();
  done = true;
  reader.join();
  CHECK(failed_sets == 0);
  CHECK(selects > 0);
  CHECK(up_seen == 0);
  CHECK(OutageRules(e) == 1);
}

// 1a, ClearScenarioRules: a rule added between "copy the rules" and "clear them" was dropped
// without being counted (nor put back by the undo): added = cleared + left must always hold.
TEST_CASE("clearing the rules while others are added counts every rule it removed") {
  Engine e(EngineOptions{}, std::make_unique<VirtualClock>(kStartMs), {}, Catalog());
  std::atomic<bool> done{false};
  int added = 0;
  size_t cleared = 0;
  std::thread adder([&] {
    ScenarioRule rule;
    rule.scenario = "slow";
    for (int i = 0; i < 20000; ++i) added += e.AddScenarioRule(rule).ok() ? 1 : 0;
    done = true;
  });
  while (!done.load()) {
    auto n = e.ClearScenarioRules();
    REQUIRE(n.ok());
    cleared += *n;
  }
  adder.join();
  CHECK(added == 20000);
  CHECK(cleared + e.scenarios().rules().size() == static_cast<size_t>(added));
}

// 1c. Two requests pick a times:1 outage before either commits: only the first may match.
TEST_CASE("a rule for N requests matches N requests even when they select before any commits") {
  Scenarios s(Catalog(), 1);
  REQUIRE(s.AddRule(*MakeOutageRule(InternProvider("evolink"), "maintenance", 0, 1)).ok());
  auto first = s.Select(At("evolink", 0));
  auto second = s.Select(At("evolink", 0));
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(first->has_value());
  CHECK_FALSE(second->has_value());
}

// 1b. A reset with the config's rules, replayed after a restart: the rule's for_s runs from the
// reset, not from the clock at restart (real time kept running while the emulator was down).
TEST_CASE("a reset's configured rule for a time is timed from the reset on replay, not from the restart") {
  ScenarioRule configured = *MakeOutageRule(InternProvider("apikley"), "maintenance", 10, -1);
  MemoryLog log;
  {
    Engine live(EngineOptions{}, std::make_unique<VirtualClock>(kStartMs), {}, Catalog());
    REQUIRE(live.Configure({configured}, {}).ok());
    live.SetStateLog(&log);
    REQUIRE(live.AdvanceClock(5'000).ok());
    REQUIRE(live.Reset("", /*restore_configured=*/true).ok());
  }
  const nlohmann::json reset = nlohmann::json::parse(log.records.back());
  REQUIRE(reset["t"] == "reset");
  CHECK(reset.value("at", int64_t{0}) == kStartMs + 5'000);

  // Replayed on a real clock after ~1000 s down: the outage ended at kStartMs + 15 s.
  Engine restarted(EngineOptions{}, std::make_unique<RealClock>(1.0, kStartMs), {}, Catalog());
  REQUIRE(restarted.Configure({configured}, {}).ok());
  nlohmann::json clock = {{"t", "clock"}, {"now", kStartMs}, {"wall", WallNowMs() - 1'000'000},
                          {"scale", 1.0},  {"virtual", false}};
  REQUIRE(restarted.ApplyStateRecord(clock).ok());
  REQUIRE(restarted.ApplyStateRecord(reset).ok());
  CHECK(restarted.NowMs() > kStartMs + 15'000);
  CHECK(restarted.scenarios().ActiveRules(restarted.NowMs()).empty());
  // A reset record written before "at" existed keeps the old behaviour: timed from replay.
  nlohmann::json old_reset = {{"t", "reset"}, {"key", ""}, {"configured", true}};
  REQUIRE(restarted.ApplyStateRecord(old_reset).ok());
  CHECK(restarted.scenarios().ActiveRules(restarted.NowMs()).size() == 1);
}

// 1d. A lapsed rule is dropped, not kept forever and scanned by every request.
TEST_CASE("lapsed rules are dropped when a request is matched or a rule added") {
  Scenarios s(Catalog(), 1);
  ScenarioRule timed;
  timed.scenario = "slow";
  timed.for_s = 1;
  REQUIRE(s.AddRule(timed, 0).ok());
  REQUIRE(s.AddRule(timed, 0).ok());
  CHECK(Chosen(s, At("apikley", 1'000)) == "none");
  CHECK(s.rules().empty());
  REQUIRE(s.AddRule(timed, 5'000).ok());
  ScenarioRule forever;
  forever.scenario = "slow";
  REQUIRE(s.AddRule(forever, 7'000).ok());
  CHECK(s.rules().size() == 1);
}

// 2a. for_s 0.0001 rounded to 0 ms made a rule lapsed the moment it was added.
TEST_CASE("a rule for a tiny time lasts at least a millisecond and is listed when added") {
  Scenarios s(Catalog(), 1);
  ScenarioRule tiny;
  tiny.scenario = "maintenance";
  tiny.for_s = 0.0001;
  auto added = s.AddRule(tiny, 10'000);
  REQUIRE(added.ok());
  CHECK(added->until_ms == 10'001);
  CHECK(s.ActiveRules(10'000).size() == 1);
  CHECK(s.ActiveRules(10'001).empty());
}

}  // namespace imagine
