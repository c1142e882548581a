// What the engine's unit tests share: the scenario catalog as shipped, and a state log kept in
// memory (optionally failing every append, as a full disk does).
#ifndef IMAGINE_TESTS_UNIT_ENGINE_ENGINE_TEST_SUPPORT_H_
#define IMAGINE_TESTS_UNIT_ENGINE_ENGINE_TEST_SUPPORT_H_

#include <doctest/doctest.h>

#include <mutex>
#include <string>
#include <vector>

#include "common/resources.h"
#include "engine/scenarios.h"
#include "engine/state_log.h"

namespace imagine::testing {

// fixtures/scenarios.yaml, parsed (REQUIREs that it is embedded and valid).
inline std::vector<ScenarioDef> ShippedScenarioCatalog() {
  auto text = FindResource("fixtures/scenarios.yaml");
  REQUIRE(text.has_value());
  auto catalog = Scenarios::ParseCatalog(*text, "scenarios.yaml");
  REQUIRE_MESSAGE(catalog.ok(), catalog.status().ToString());
  return std::move(catalog).value();
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
