#include "callbacks/callback_attempt_json.h"

namespace imagine {

nlohmann::ordered_json CallbackAttemptToJson(const CallbackAttempt& a) {
  nlohmann::ordered_json j;
  j["task_id"] = a.task_id;
  j["provider"] = a.provider;
  j["url"] = a.url;
  j["method"] = a.method;
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

}  // namespace imagine
