// Scenarios: errors and slow paths on demand — one mechanism, several triggers. The
// catalog (fixtures/scenarios.yaml) names each scenario, where it acts and its default
// parameters; a trigger arms one for a request or a task. Triggers, in precedence:
//   1. the request header  X-Emulator-Scenario: <name>[;param=value...]
//   2. rules (config or POST /_emulator/scenarios/rules) matching provider, endpoint,
//      key, model or prompt substring, optionally for the first N matches only and/or for
//      a time (for_s, on the emulator's clock); an outage (engine/outages.h) is such a rule
//   3. the key profile's default scenario
//   4. chaos: a seeded probability per scenario, drawn per create request
// Thread-safe: the catalog is immutable; rules and the chaos stream have their own lock.
#ifndef IMAGINE_ENGINE_SCENARIOS_H_
#define IMAGINE_ENGINE_SCENARIOS_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "engine/task.h"

namespace imagine {

// Where a scenario acts (bit flags).
enum ScenarioStage : unsigned {
  kStageCreate = 1,
  kStageQuery = 2,
  kStageLifecycle = 4,
  kStageDownload = 8,
};

// What an armed scenario does, decoded from its parameters.
struct ScenarioEffects {
  // create / query: answer with this error instead.
  std::optional<Code> respond;
  std::string message;  // "" = the provider's own text
  // lifecycle
  std::string fail_reason;      // "" = the task succeeds
  TaskState fail_at = TaskState::kGenerating;
  std::string fail_code;        // provider code override
  std::string fail_message;     // provider message override
  double factor = 1.0;          // stage durations multiplied
  bool stuck = false;
  std::vector<int> progress;    // progress script through generating
  // query
  int not_ready_polls = 0;
  // download
  bool expire_results = false;
};

struct ScenarioDef {
  std::string name;
  std::string description;
  unsigned stages = 0;                         // ScenarioStage bits
  std::map<std::string, std::string> params;  // defaults
};

// A scenario chosen for one request (and the task it creates).
struct ArmedScenario {
  std::string name;
  unsigned stages = 0;
  std::string trigger;  // "header", "rule <id>", "profile", "chaos"
  ScenarioEffects effects;
  uint64_t rule_id = 0;     // the rule that armed it (0 = none); its `times` count on Commit
  bool from_chaos = false;  // a chaos draw; the chaos cursor moves on Commit
};

enum class Endpoint { kCreate, kQuery };

struct ScenarioRule {
  uint64_t id = 0;
  std::string scenario;  // "name[;param=value...]"
  std::optional<Provider> provider;
  std::optional<Endpoint> endpoint;
  std::string key;              // "" = any
  std::string model;            // "" = any
  std::string prompt_contains;  // "" = any
  int times = -1;               // matches left; -1 = unlimited
  int reserved = 0;             // of `times`, picked by requests not yet committed or released
  double for_s = 0;             // > 0: the rule lapses this many seconds after it was added
  int64_t until_ms = kNever;    // when it lapses, on the emulator's clock (AddRule sets it from for_s)
  std::string outage;           // "" or the outage kind that made it (engine/outages.h)

  // False once the rule has lapsed at `now_ms`: it matches nothing and is listed nowhere.
  bool ActiveAt(int64_t now_ms) const { return until_ms == kNever || now_ms < until_ms; }
};

// What a request looks like to the selector.
struct ScenarioContext {
  Provider provider;
  Endpoint endpoint = Endpoint::kCreate;
  std::string_view key;
  std::string_view model;
  std::string_view prompt;
  std::string_view header;            // X-Emulator-Scenario value, "" when absent
  std::string_view profile_default;   // the key profile's default scenario, "" when none
  int64_t now_ms = 0;                 // the emulator's clock: rules lapsed by then do not match
};

class Scenarios {
 public:
  // Parses the catalog YAML; `source` names it in errors (file:line: problem).
  static StatusOr<std::vector<ScenarioDef>> ParseCatalog(std::string_view yaml, std::string_view source);
  // The embedded catalog, fixtures/scenarios.yaml, as ParseCatalog(its text, "scenarios.yaml
  // (embedded)") gives it (in the YAML's order), read from its pre-parsed form: yaml-cpp runs only
  // when that form holds something ParseCatalog would refuse or read differently (then its error,
  // with the line). A parameter given as a YAML number or boolean is its JSON text ("10", "true"),
  // which a unit test checks is what the YAML says. kInternal when nothing is embedded.
  static StatusOr<std::vector<ScenarioDef>> EmbeddedCatalog();

  Scenarios(std::vector<ScenarioDef> catalog, uint64_t seed);

  const std::vector<ScenarioDef>& catalog() const { return catalog_; }

  // Arms "name[;param=value...]" against the catalog. kInvalidArgument naming the
  // unknown scenario, parameter or bad value.
  StatusOr<ArmedScenario> Arm(std::string_view spec, std::string_view trigger) const;

  // Adds a rule (its scenario is checked now); returns it with its id. A rule with for_s
  // lapses at now_ms + for_s (until_ms, at least 1 ms later) on the emulator's clock. Rules
  // lapsed at now_ms are dropped.
  StatusOr<ScenarioRule> AddRule(ScenarioRule rule, int64_t now_ms = 0);
  // What ReplaceOutage did: the rule added and the outage rules it removed.
  struct Replaced {
    ScenarioRule added;
    std::vector<ScenarioRule> removed;
  };
  // In one step (no request sees neither): removes the outage rules of `rule.provider` and
  // adds `rule` as AddRule does. Precondition: rule.provider is set.
  StatusOr<Replaced> ReplaceOutage(ScenarioRule rule, int64_t now_ms);
  // Every rule kept, lapsed ones included (they match nothing), in the order they match.
  std::vector<ScenarioRule> rules() const;
  // The rules that have not lapsed at `now_ms` (what the control API lists).
  std::vector<ScenarioRule> ActiveRules(int64_t now_ms) const;
  void ClearRules();
  // Removes every rule and returns them, in one step.
  std::vector<ScenarioRule> TakeAllRules();
  // Removes rule `id`; false when there is none.
  bool RemoveRule(uint64_t id);
  // Removes the outage rules of `provider` (of every provider when nullopt) and returns them.
  std::vector<ScenarioRule> RemoveOutages(std::optional<Provider> provider);
  // chaos: scenario name -> probability in [0, 1] per create request.
  Status SetChaos(std::map<std::string, double> chaos);
  std::map<std::string, double> chaos() const;

  // The scenario that applies to a request, by precedence, if any. Scenarios that do not
  // act at the request's endpoint are passed over (lifecycle, query and download ones
  // apply at create to the task being created). kInvalidArgument for a malformed header.
  // Selecting reserves one of a rule's `times` (so concurrent requests never take more
  // than N); Commit() uses it up once the scenario has really acted, Release() gives it back
  // when the request was refused first (a create refused for credits). Chaos: Commit()
  // moves the cursor. Rules lapsed at ctx.now_ms are dropped.
  StatusOr<std::optional<ArmedScenario>> Select(const ScenarioContext& ctx);
  void Commit(const ArmedScenario& armed);
  void Release(const ArmedScenario& armed);

  // State directory (scenarios_json.cc): the rules with their ids and matches left, the
  // next rule id, chaos and the chaos draws used, as JSON; ImportState replaces them all.
  // Rules lapsed at `now_ms` are left out.
  nlohmann::json ExportState(int64_t now_ms = 0) const;
  Status ImportState(const nlohmann::json& state);
  // Puts back a rule as AddRule returned it (same id, same matches left), in its place by id.
  void RestoreRule(const ScenarioRule& rule);
  // Chaos draws used so far (every create draws once while chaos is set), and the replay of
  // a recorded count (never moves it back).
  uint64_t chaos_draws() const;
  bool has_chaos() const;
  void ReplayChaosDraws(uint64_t draws);

 private:
  bool ActsAt(unsigned stages, Endpoint endpoint) const;
  // The rule as it will be kept (scenario checked, times and until_ms set); no id yet.
  StatusOr<ScenarioRule> Prepare(ScenarioRule rule, int64_t now_ms) const;
  // Drops the rules lapsed at now_ms. Caller holds mu_.
  void PruneLocked(int64_t now_ms);

  const std::vector<ScenarioDef> catalog_;
  const uint64_t seed_;
  mutable std::mutex mu_;  // protects rules_, next_rule_id_, chaos_, chaos_draws_
  std::vector<ScenarioRule> rules_;
  uint64_t next_rule_id_ = 1;
  std::vector<std::pair<std::string, double>> chaos_;
  uint64_t chaos_draws_ = 0;
};

// The progress a task shows at `now_ms`, following its scripted progress if it has one.
int ScriptedProgress(const Timeline& timeline, const std::vector<int>& script, int64_t now_ms);

}  // namespace imagine

#endif  // IMAGINE_ENGINE_SCENARIOS_H_
