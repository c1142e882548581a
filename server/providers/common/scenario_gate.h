// The scenario step of the shared request flow: pick the scenario that applies to a
// request (engine/scenarios.h has the precedence) and, for status queries, decide whether
// the query is answered normally, with a scripted error, or as "not found yet". The
// X-Emulator-Callback header (webhook faults) is read here too. Stateless functions over
// the engine; thread-safe.
#ifndef IMAGINE_PROVIDERS_COMMON_SCENARIO_GATE_H_
#define IMAGINE_PROVIDERS_COMMON_SCENARIO_GATE_H_

#include <optional>
#include <string_view>

#include "common/api.h"
#include "engine/engine.h"

namespace imagine {

constexpr std::string_view kScenarioHeader = "X-Emulator-Scenario";
constexpr std::string_view kCallbackFaultsHeader = "X-Emulator-Callback";

// The scenario for this request, if any; kInvalidArgument for a bad X-Emulator-Scenario.
StatusOr<std::optional<ArmedScenario>> SelectScenario(Engine& engine, Provider provider, Endpoint endpoint,
                                                      const ApiRequest& req, const KeyProfile& profile,
                                                      std::string_view model, std::string_view prompt);

// The X-Emulator-Callback webhook-fault spec of a create request ("" when absent);
// kInvalidArgument naming the header when it does not parse.
StatusOr<std::string> CallbackFaultsHeader(const ApiRequest& req);

// The error a create- or query-stage scenario answers with: its code and own message (""
// = the provider's words), rule "scenario", value `model`.
Status ScenarioError(const ArmedScenario& armed, std::string_view model);

// For a status query of `task` (the lookup result): OK to answer normally, or the Status
// to render — a scripted error, the lookup's own not-found, or not-found (rule not_ready)
// while the task still owes record_not_ready polls.
Status GateQuery(Engine& engine, Provider provider, const ApiRequest& req, const KeyProfile& profile,
                 const StatusOr<Task>& task);

}  // namespace imagine

#endif  // IMAGINE_PROVIDERS_COMMON_SCENARIO_GATE_H_
