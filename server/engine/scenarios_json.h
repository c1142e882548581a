// JSON form of a scenario rule, as the config file and the control API carry it (schema
// ScenarioRule). Converters only: the JSON must already be valid against that schema.
// Stateless; thread-safe.
#ifndef IMAGINE_ENGINE_SCENARIOS_JSON_H_
#define IMAGINE_ENGINE_SCENARIOS_JSON_H_

#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "engine/scenarios.h"

namespace imagine {

// The config and control-API form: id, outage, expires_at_ms and remaining_s are the
// emulator's to set and are not read.
ScenarioRule ScenarioRuleFromJson(const nlohmann::json& j);
// With `now_ms`, a rule with a time bound also shows expires_at_ms and remaining_s (seconds
// left on the emulator's clock); its outage kind, when an outage made it.
nlohmann::ordered_json ScenarioRuleToJson(const ScenarioRule& r, std::optional<int64_t> now_ms = std::nullopt);

// The state directory's form (schemas/state-records.schema.yaml Rule): everything, with the
// matches left (times, -1 = unlimited), the instant it lapses (until) and its outage kind.
nlohmann::json ScenarioRuleToState(const ScenarioRule& r);
ScenarioRule ScenarioRuleFromState(const nlohmann::json& j);  // may throw for a wrong type

}  // namespace imagine

#endif  // IMAGINE_ENGINE_SCENARIOS_JSON_H_
