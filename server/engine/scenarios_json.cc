#include "engine/scenarios_json.h"

namespace imagine {

ScenarioRule ScenarioRuleFromJson(const nlohmann::json& j) {
  ScenarioRule r;
  r.scenario = j.value("scenario", "");
  if (j.contains("provider")) r.provider = j["provider"] == "apikley" ? Provider::kApikley : Provider::kEvolink;
  if (j.contains("endpoint")) r.endpoint = j["endpoint"] == "create" ? Endpoint::kCreate : Endpoint::kQuery;
  r.key = j.value("key", "");
  r.model = j.value("model", "");
  r.prompt_contains = j.value("prompt_contains", "");
  r.times = j.value("times", -1);
  return r;
}

nlohmann::ordered_json ScenarioRuleToJson(const ScenarioRule& r) {
  nlohmann::ordered_json j;
  if (r.id != 0) j["id"] = r.id;  // 0: not yet added (a rule of the config file)
  j["scenario"] = r.scenario;
  if (r.provider) j["provider"] = ProviderName(*r.provider);
  if (r.endpoint) j["endpoint"] = *r.endpoint == Endpoint::kCreate ? "create" : "query";
  if (!r.key.empty()) j["key"] = r.key;
  if (!r.model.empty()) j["model"] = r.model;
  if (!r.prompt_contains.empty()) j["prompt_contains"] = r.prompt_contains;
  if (r.times > 0) j["times"] = r.times;
  return j;
}

}  // namespace imagine
