#include "engine/outages.h"

#include <algorithm>

#include "common/json_number.h"
#include "engine/scenarios_json.h"

namespace imagine {

const std::vector<OutageKind>& OutageKinds() {
  static const std::vector<OutageKind> kinds = {
      {"maintenance", "maintenance"},
      {"server_error", "server_error"},
      {"rate_limited", "rate_limited"},
      {"failing", "generation_failed"},
  };
  return kinds;
}

std::string OutageKindNames() {
  std::string names;
  for (const OutageKind& k : OutageKinds()) names += (names.empty() ? "" : ", ") + std::string(k.name);
  return names;
}

StatusOr<ScenarioRule> MakeOutageRule(Provider provider, std::string_view kind, double for_s, int times) {
  if (kind.empty()) kind = OutageKinds().front().name;
  const auto& kinds = OutageKinds();
  auto found = std::find_if(kinds.begin(), kinds.end(), [&](const OutageKind& k) { return k.name == kind; });
  if (found == kinds.end()) {
    return InvalidArgument("kind must be one of " + OutageKindNames() + " (got \"" + std::string(kind) + "\")");
  }
  ScenarioRule rule;
  rule.scenario = std::string(found->scenario);
  rule.provider = provider;
  rule.outage = std::string(found->name);
  rule.for_s = for_s;
  rule.times = times;
  return rule;
}

nlohmann::ordered_json OutageToJson(const ScenarioRule& rule, int64_t now_ms) {
  nlohmann::ordered_json j;
  j["provider"] = rule.provider ? ProviderName(*rule.provider) : "";
  j["kind"] = rule.outage;
  j["rule"] = rule.id;
  j["scenario"] = rule.scenario;
  if (rule.for_s > 0) j["for_s"] = JsonNumber(rule.for_s);
  const nlohmann::ordered_json shown = ScenarioRuleToJson(rule, now_ms);  // its expiry, worded once
  for (const char* field : {"expires_at_ms", "remaining_s"}) {
    if (shown.contains(field)) j[field] = shown[field];
  }
  if (rule.times > 0) j["remaining_requests"] = rule.times;
  return j;
}

}  // namespace imagine
