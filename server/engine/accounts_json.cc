#include "engine/accounts_json.h"

#include "common/json_number.h"

namespace imagine {

RateLimits RateLimitsFromJson(const nlohmann::json& j) {
  RateLimits r;
  if (auto burst = j.find("burst"); burst != j.end()) {
    r.burst_count = burst->value("count", 0);
    r.burst_window_s = burst->value("window_s", 0.0);
  }
  if (auto models = j.find("models"); models != j.end()) {
    for (const auto& [model, limit] : models->items()) {
      r.models[model] = ModelLimit{limit.value("concurrent", 0), limit.value("per_hour", 0)};
    }
  }
  return r;
}

nlohmann::ordered_json RateLimitsToJson(const RateLimits& r) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (r.burst_count > 0) j["burst"] = {{"count", r.burst_count}, {"window_s", JsonNumber(r.burst_window_s)}};
  if (!r.models.empty()) {
    nlohmann::ordered_json models = nlohmann::ordered_json::object();
    for (const auto& [model, limit] : r.models) {
      models[model] = {{"concurrent", limit.concurrent}, {"per_hour", limit.per_hour}};
    }
    j["models"] = std::move(models);
  }
  return j;
}

KeyProfile KeyProfileFromJson(const nlohmann::json& j) {
  KeyProfile p;
  p.revoked = j.value("revoked", false);
  p.credits = j.value("credits", 1000.0);
  if (auto models = j.find("allowed_models"); models != j.end()) {
    p.allowed_models = models->get<std::set<std::string>>();
  }
  p.user_group = j.value("user_group", "default");
  p.webhook_hmac_key = j.value("webhook_hmac_key", "");
  p.default_scenario = j.value("default_scenario", "");
  p.callback_faults = j.value("callback_faults", "");
  if (auto limits = j.find("rate_limits"); limits != j.end()) p.rate_limits = RateLimitsFromJson(*limits);
  return p;
}

nlohmann::ordered_json KeyProfileToJson(const KeyProfile& p) {
  nlohmann::ordered_json j;
  j["revoked"] = p.revoked;
  j["credits"] = JsonNumber(p.credits);
  if (p.allowed_models) j["allowed_models"] = *p.allowed_models;
  j["user_group"] = p.user_group;
  // The HMAC key is a secret: shown only as whether one is set.
  if (!p.webhook_hmac_key.empty()) j["webhook_hmac_key"] = "********";
  if (!p.default_scenario.empty()) j["default_scenario"] = p.default_scenario;
  if (!p.callback_faults.empty()) j["callback_faults"] = p.callback_faults;
  if (p.rate_limits) j["rate_limits"] = RateLimitsToJson(*p.rate_limits);
  return j;
}

}  // namespace imagine
