#include "engine/accounts_json.h"

#include "common/json_number.h"

namespace imagine {

RateLimits RateLimitsFromJson(const nlohmann::json& j) {
  RateLimits r;
  if (auto burst = j.find("burst"); burst != j.end()) {
    r.burst_count = burst->at("count").get<int>();
    r.burst_window_s = burst->at("window_s").get<double>();
  }
  if (auto models = j.find("models"); models != j.end()) {
    for (const auto& [model, limit] : models->items()) {
      r.models[model] = ModelLimit{limit.at("concurrent").get<int>(), limit.at("per_hour").get<int>()};
    }
  }
  if (j.value("scope", "") == "per_key") r.scope = LimitScope::kPerKey;
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
  if (r.scope == LimitScope::kPerKey) j["scope"] = "per_key";
  return j;
}

KeyProfile KeyProfileFromJson(const nlohmann::json& j) {
  KeyProfile p;
  p.revoked = j.at("revoked").get<bool>();
  p.credits = j.at("credits").get<double>();
  if (auto models = j.find("allowed_models"); models != j.end()) {
    p.allowed_models = models->get<std::set<std::string>>();
  }
  p.user_group = j.at("user_group").get<std::string>();
  p.webhook_hmac_key = j.at("webhook_hmac_key").get<std::string>();
  p.default_scenario = j.at("default_scenario").get<std::string>();
  p.callback_faults = j.at("callback_faults").get<std::string>();
  if (auto limits = j.find("rate_limits"); limits != j.end()) p.rate_limits = RateLimitsFromJson(*limits);
  return p;
}

nlohmann::ordered_json KeyProfileToJson(const KeyProfile& p, bool mask_secrets) {
  nlohmann::ordered_json j;
  j["revoked"] = p.revoked;
  j["credits"] = JsonNumber(p.credits);
  if (p.allowed_models) j["allowed_models"] = *p.allowed_models;
  j["user_group"] = p.user_group;
  // The HMAC key is a secret: shown only as whether one is set.
  if (!p.webhook_hmac_key.empty()) j["webhook_hmac_key"] = mask_secrets ? std::string("********") : p.webhook_hmac_key;
  if (!p.default_scenario.empty()) j["default_scenario"] = p.default_scenario;
  if (!p.callback_faults.empty()) j["callback_faults"] = p.callback_faults;
  if (p.rate_limits) j["rate_limits"] = RateLimitsToJson(*p.rate_limits);
  return j;
}

}  // namespace imagine
