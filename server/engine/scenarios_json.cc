#include "engine/scenarios_json.h"

#include <algorithm>

#include "engine/state_records.h"

namespace imagine {

ScenarioRule ScenarioRuleFromJson(const nlohmann::json& j) {
  ScenarioRule r;
  r.scenario = j.value("scenario", "");
  // The schemas allow only registered names; a name no provider has (a state directory
  // written by a build with another provider) matches no request rather than every one.
  if (j.contains("provider")) r.provider = FindProvider(j["provider"].get<std::string>()).value_or(Provider{255});
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

nlohmann::json Scenarios::ExportState() const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json j;
  j["rules"] = nlohmann::json::array();
  for (const ScenarioRule& r : rules_) {
    nlohmann::json rule = ScenarioRuleToJson(r);
    rule["times"] = r.times;  // -1 = unlimited (the API form leaves it out)
    j["rules"].push_back(std::move(rule));
  }
  j["next_rule_id"] = next_rule_id_;
  j["chaos"] = nlohmann::json::object();
  for (const auto& [name, p] : chaos_) j["chaos"][name] = p;
  j["chaos_draws"] = chaos_draws_;
  return j;
}

Status Scenarios::ImportState(const nlohmann::json& j) {
  std::vector<ScenarioRule> rules;
  std::vector<std::pair<std::string, double>> chaos;
  uint64_t next_rule_id = 1, chaos_draws = 0;
  try {
    for (const nlohmann::json& r : j.at("rules")) {
      CheckStateNumbers(r);
      ScenarioRule rule = ScenarioRuleFromJson(r);
      rule.id = StateInteger<uint64_t>(r.at("id"));
      rules.push_back(std::move(rule));
    }
    next_rule_id = StateInteger<uint64_t>(j.at("next_rule_id"));
    for (const auto& [name, p] : j.at("chaos").items()) chaos.emplace_back(name, StateNumber(p));
    chaos_draws = StateInteger<uint64_t>(j.at("chaos_draws"));
  } catch (const std::exception&) {
    return InvalidArgument("scenarios: a field is missing or of the wrong type");
  }
  std::lock_guard<std::mutex> lock(mu_);
  rules_ = std::move(rules);
  next_rule_id_ = next_rule_id;
  chaos_ = std::move(chaos);
  chaos_draws_ = chaos_draws;
  return Status::Ok();
}

uint64_t Scenarios::chaos_draws() const {
  std::lock_guard<std::mutex> lock(mu_);
  return chaos_draws_;
}

bool Scenarios::has_chaos() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !chaos_.empty();
}

void Scenarios::ReplayChaosDraws(uint64_t draws) {
  std::lock_guard<std::mutex> lock(mu_);
  chaos_draws_ = std::max(chaos_draws_, draws);
}

void Scenarios::RestoreRule(const ScenarioRule& rule) {
  std::lock_guard<std::mutex> lock(mu_);
  // In its place among the others (rules match in the order they were added, by id): a rule
  // put back after a refused delete keeps its precedence.
  auto after = std::find_if(rules_.begin(), rules_.end(), [&](const ScenarioRule& r) { return r.id > rule.id; });
  rules_.insert(after, rule);
  next_rule_id_ = std::max(next_rule_id_, rule.id + 1);
}

}  // namespace imagine
