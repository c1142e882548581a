#include "callbacks/callback_attempt.h"

#include <algorithm>
#include <chrono>

#include "callbacks/webhook_signature.h"

namespace imagine {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

WebhookHeaders RequestHeaders(const CallbackRequest& r, int64_t sent_at_ms) {
  WebhookHeaders headers = {{"Content-Type", r.content_type}, {"User-Agent", kCallbackUserAgent}};
  if (!r.hmac_key.empty()) {
    std::string timestamp = std::to_string(FloorDiv(sent_at_ms, 1000));
    std::string signature = KieWebhookSignature(r.task_id, timestamp, r.hmac_key);
    headers.emplace_back(kWebhookTimestampHeader, std::move(timestamp));
    headers.emplace_back(kWebhookSignatureHeader, std::move(signature));
  }
  return headers;
}

// timeout_s is real time whatever the clock's speed: a receiver answers in real time, and
// --time-scale 100 must not turn a 10 s timeout into 0.1 s.
int64_t TimeoutUs(const RetryPolicy& policy) {
  return std::min<int64_t>(std::max<int64_t>(policy.timeout_ms, 1), 86400000) * 1000;
}

CallbackAttempt Started(const CallbackRequest& r, const AttemptPlan& plan) {
  CallbackAttempt a;
  a.task_id = r.task_id;
  a.provider = r.provider;
  a.url = r.url;
  a.method = r.method;
  a.delivery = plan.delivery;
  a.attempt = plan.attempt;
  a.sent_at_ms = plan.sent_at_ms;
  return a;
}

// Posts the attempt `a` describes and fills in its answer and outcome. Returns whether the
// failure is permanent.
bool Send(const CallbackRequest& r, const WebhookSender& sender, InFlightAttempts* in_flight, CallbackAttempt* a) {
  a->request_headers = RequestHeaders(r, a->sent_at_ms);
  // An upload's bytes are not JSON: the record says what went out, not the file itself.
  a->request_body = r.content_type == "application/json"
                        ? r.body
                        : "(" + std::to_string(r.body.size()) + " bytes of " + r.content_type + ")";
  const int64_t timeout_us = TimeoutUs(r.policy);
  InFlightAttempts::Id id = 0;
  if (in_flight != nullptr) {
    id = in_flight->Begin(InFlightAttempt{a->task_id, a->provider, a->url, a->delivery, a->attempt, a->sent_at_ms, 0,
                                          timeout_us});
  }
  const std::chrono::microseconds timeout(timeout_us);
  WebhookResult res =
      r.method == "PUT"
          ? sender.Put(r.url, a->request_headers, r.body, timeout, kMaxRecordedResponseBytes, r.allow_private_hosts)
          : sender.Post(r.url, a->request_headers, r.body, timeout, kMaxRecordedResponseBytes, r.allow_private_hosts);
  if (in_flight != nullptr) in_flight->End(id);
  a->status = res.status;
  a->response_body = std::move(res.body);
  a->latency_us = res.latency_us;
  a->error = std::move(res.error);
  const bool answered_2xx = a->error.empty() && a->status >= 200 && a->status < 300;
  if (!answered_2xx) {
    a->outcome = kOutcomeFailed;
  } else {
    a->outcome = a->attempt <= r.faults.fail_first ? kOutcomeForcedFailure : kOutcomeDelivered;
  }
  return res.permanent;
}

}  // namespace

AttemptResult MakeCallbackAttempt(const CallbackRequest& request, const AttemptPlan& plan,
                                  const WebhookSender& sender, InFlightAttempts* in_flight) {
  AttemptResult result;
  result.attempt = Started(request, plan);
  bool permanent = false;
  if (request.faults.drop) {
    result.attempt.outcome = kOutcomeDropped;
  } else {
    permanent = Send(request, sender, in_flight, &result.attempt);
  }
  const std::string& outcome = result.attempt.outcome;
  result.failed = outcome == kOutcomeFailed || outcome == kOutcomeForcedFailure;
  const std::vector<int64_t>& delays = request.policy.retry_delays_ms;
  const size_t retries_used = static_cast<size_t>(plan.attempt - 1);
  result.retry_allowed = result.failed && !permanent && retries_used < delays.size();
  if (result.retry_allowed) result.retry_delay_ms = std::max<int64_t>(0, delays[retries_used]);
  return result;
}

}  // namespace imagine
