#include "admin/admin_json.h"

#include "common/resources.h"
#include "common/json_number.h"
#include "providers/common/request_body.h"

namespace imagine {

StatusOr<std::shared_ptr<const OpenApiDocument>> AdminSpec() {
  static const StatusOr<std::shared_ptr<const OpenApiDocument>> kSpec = [] {
    const std::string name = "schemas/admin.openapi.yaml";
    auto text = FindResource(name);
    if (!text) return StatusOr<std::shared_ptr<const OpenApiDocument>>(Internal(name + " is not embedded"));
    return OpenApiDocument::Parse(*text, name);
  }();
  return kSpec;
}

Status ValidateAdminJson(std::string_view schema, nlohmann::json& value) {
  auto spec = AdminSpec();
  if (!spec.ok()) return spec.status();
  auto validator = (*spec)->ComponentSchema(schema);
  if (validator == nullptr) return Internal("admin schema " + std::string(schema) + " is missing");
  return ValidateAgainst(*validator, value, /*reject_unknown_fields=*/false);
}

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

nlohmann::ordered_json CallbackAttemptToJson(const CallbackAttempt& a) {
  nlohmann::ordered_json j;
  j["task_id"] = a.task_id;
  j["provider"] = a.provider;
  j["url"] = a.url;
  j["delivery"] = a.delivery;
  j["attempt"] = a.attempt;
  j["sent_at_ms"] = a.sent_at_ms;
  nlohmann::ordered_json headers = nlohmann::ordered_json::object();
  for (const auto& [k, v] : a.request_headers) headers[k] = v;
  j["request_headers"] = std::move(headers);
  j["request_body"] = a.request_body;
  j["status"] = a.status;
  j["response_body"] = a.response_body;
  j["latency_us"] = a.latency_us;
  j["error"] = a.error;
  j["outcome"] = a.outcome;
  j["will_retry"] = a.will_retry;
  return j;
}

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
  j["id"] = r.id;
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
