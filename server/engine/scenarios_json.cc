#include "engine/scenarios_json.h"

#include <algorithm>

#include "common/json_number.h"
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
  r.for_s = j.value("for_s", 0.0);
  return r;
}

nlohmann::ordered_json ScenarioRuleToJson(const ScenarioRule& r, std::optional<int64_t> now_ms) {
  nlohmann::ordered_json j;
  if (r.id != 0) j["id"] = r.id;  // 0: not yet added (a rule of the config file)
  j["scenario"] = r.scenario;
  if (r.provider) j["provider"] = ProviderName(*r.provider);
  if (r.endpoint) j["endpoint"] = *r.endpoint == Endpoint::kCreate ? "create" : "query";
  if (!r.key.empty()) j["key"] = r.key;
  if (!r.model.empty()) j["model"] = r.model;
  if (!r.prompt_contains.empty()) j["prompt_contains"] = r.prompt_contains;
  if (r.times > 0) j["times"] = r.times;
  if (r.for_s > 0) j["for_s"] = JsonNumber(r.for_s);
  if (!r.outage.empty()) j["outage"] = r.outage;
  if (now_ms && r.until_ms != kNever) {
    j["expires_at_ms"] = r.until_ms;
    j["remaining_s"] = JsonNumber(static_cast<double>(std::max<int64_t>(0, r.until_ms - *now_ms)) / 1000.0);
  }
  return j;
}

nlohmann::json ScenarioRuleToState(const ScenarioRule& r) {
  nlohmann::json j = ScenarioRuleToJson(r);
  j["times"] = r.times;  // -1 = unlimited (the API form leaves it out)
  if (r.until_ms != kNever) j["until"] = r.until_ms;
  return j;
}

ScenarioRule ScenarioRuleFromState(const nlohmann::json& j) {
  nlohmann::json bounded = j;  // `until` is an instant on the clock (epoch ms), beyond the int32 the rest fit
  bounded.erase("until");
  CheckStateNumbers(bounded);
  ScenarioRule rule = ScenarioRuleFromJson(j);
  rule.id = StateInteger<uint64_t>(j.at("id"));
  if (j.contains("until")) rule.until_ms = StateInteger<int64_t>(j.at("until"));
  rule.outage = j.value("outage", "");
  return rule;
}

nlohmann::json Scenarios::ExportState(int64_t now_ms) const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json j;
  j["rules"] = nlohmann::json::array();
  for (const ScenarioRule& r : rules_) {
    if (r.ActiveAt(now_ms)) j["rules"].push_back(ScenarioRuleToState(r));
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
    for (const nlohmann::json& r : j.at("rules")) rules.push_back(ScenarioRuleFromState(r));
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
