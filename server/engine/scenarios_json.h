// JSON form of a scenario rule, as the config file and the control API carry it (schema
// ScenarioRule). Converters only: the JSON must already be valid against that schema.
// Stateless; thread-safe.
#ifndef IMAGINE_ENGINE_SCENARIOS_JSON_H_
#define IMAGINE_ENGINE_SCENARIOS_JSON_H_

#include <nlohmann/json.hpp>

#include "engine/scenarios.h"

namespace imagine {

ScenarioRule ScenarioRuleFromJson(const nlohmann::json& j);
nlohmann::ordered_json ScenarioRuleToJson(const ScenarioRule& r);

}  // namespace imagine

#endif  // IMAGINE_ENGINE_SCENARIOS_JSON_H_
