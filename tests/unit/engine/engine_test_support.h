// What the engine's unit tests share: the scenario catalog as shipped, a scenario request and
// what Select arms for it, a state log kept in memory (optionally failing every append, as a
// full disk does), and hex ids for engines filled with tasks (a free model and unlimited credits: bench/bench_engine.h).
#ifndef IMAGINE_TESTS_UNIT_ENGINE_ENGINE_TEST_SUPPORT_H_
#define IMAGINE_TESTS_UNIT_ENGINE_ENGINE_TEST_SUPPORT_H_

#include <doctest/doctest.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "common/resources.h"
#include "engine/engine.h"
#include "engine/provider.h"
#include "engine/scenarios.h"
#include "engine/state_log.h"

namespace imagine::testing {

// 32 hex characters, as Evolink's ids: an IdFactory.
inline std::string HexId(Random& random, int64_t) { return random.Chars(32, "0123456789abcdef", 16); }

// fixtures/scenarios.yaml, parsed (REQUIREs that it is embedded and valid).
inline std::vector<ScenarioDef> ShippedScenarioCatalog() {
  auto text = FindResource("fixtures/scenarios.yaml");
  REQUIRE(text.has_value());
  auto catalog = Scenarios::ParseCatalog(*text, "scenarios.yaml");
  REQUIRE_MESSAGE(catalog.ok(), catalog.status().ToString());
  return std::move(catalog).value();
}

// A create (or `endpoint`) request of key "k" to `provider` at `now_ms`, for Scenarios::Select.
inline ScenarioContext At(const char* provider, int64_t now_ms, Endpoint endpoint = Endpoint::kCreate) {
  ScenarioContext c;
  c.provider = InternProvider(provider);
  c.endpoint = endpoint;
  c.key = "k";
  c.now_ms = now_ms;
  return c;
}

// The name of the scenario Select arms for `ctx`, or "none".
inline std::string Chosen(Scenarios& s, const ScenarioContext& ctx) {
  auto r = s.Select(ctx);
  REQUIRE(r.ok());
  return *r ? (*r)->name : "none";
}

// A StateLog in memory: every appended record, in order; `fail` refuses appends.
class MemoryLog : public StateLog {
 public:
  StatusOr<uint64_t> Append(const std::string& record) override {
    std::lock_guard<std::mutex> lock(mu);
    if (fail) return Internal("disk full");
    records.push_back(record);
    return records.size();
  }
  void Sync(uint64_t) override {}
  std::mutex mu;
  std::vector<std::string> records;
  bool fail = false;
};

}  // namespace imagine::testing

#endif  // IMAGINE_TESTS_UNIT_ENGINE_ENGINE_TEST_SUPPORT_H_
