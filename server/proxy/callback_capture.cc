#include "proxy/callback_capture.h"

#include <cstdio>

#include "common/text.h"
#include "proxy/drift_check.h"

namespace imagine {
namespace {

// Request headers the receiver does not pass on: the connection's. The sender sets Host and
// Content-Length again.
bool IsHopHeader(std::string_view name) {
  for (const char* h : {"host", "content-length", "transfer-encoding", "connection", "keep-alive", "expect",
                        "accept-encoding"}) {
    if (EqualsNoCase(name, h)) return true;
  }
  return false;
}

ApiResponse PlainError(int status, const std::string& message) {
  ApiResponse r;
  r.status = status;
  r.body = nlohmann::json{{"error", message}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.is_error = true;
  return r;
}

}  // namespace

CallbackCapture::CallbackCapture(std::string public_url, const WebhookSender* sender, DriftLog* drift,
                                 const Clock* clock, int64_t timeout_ms, size_t body_limit_bytes)
    : public_url_(std::move(public_url)),
      sender_(sender),
      drift_(drift),
      clock_(clock),
      timeout_ms_(timeout_ms),
      body_limit_bytes_(body_limit_bytes) {}

std::string CallbackCapture::Register(const std::string& provider, const std::string& operation,
                                      const std::string& route, std::shared_ptr<const spec::Validator> schema,
                                      const std::string& client_url) {
  std::lock_guard<std::mutex> lock(mu_);
  char token[33];
  std::snprintf(token, sizeof token, "%016llx%016llx", static_cast<unsigned long long>(random_()),
                static_cast<unsigned long long>(random_()));
  targets_[token] = Target{provider, operation, route, client_url, std::move(schema)};
  order_[next_++] = token;
  while (order_.size() > kCapacity) {
    targets_.erase(order_.begin()->second);
    order_.erase(order_.begin());
  }
  return public_url_ + kRoutePrefix + token;
}

size_t CallbackCapture::received() const {
  std::lock_guard<std::mutex> lock(mu_);
  return received_;
}

RouteEntry CallbackCapture::Route() {
  RouteEntry e;
  e.method = "POST";
  e.path = std::string(kRoutePrefix) + "{token}";
  e.operation_id = "proxyCallback";
  e.handler = [this](ApiRequest& req) { return Receive(req); };
  return e;
}

ApiResponse CallbackCapture::Receive(ApiRequest& req) {
  Target target;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = targets_.find(std::string(req.PathParam("token")));
    if (it == targets_.end()) return PlainError(404, "no captured callback URL has this token");
    target = it->second;
    ++received_;
  }
  if (req.body.size() > body_limit_bytes_) {
    return PlainError(413, "callback larger than the " + std::to_string(body_limit_bytes_) + "-byte limit");
  }
  if (target.schema != nullptr) {
    drift_->Record(DriftCheck{target.provider, target.operation, target.route, DriftDirection::kCallback},
                   CheckCallbackBody(*target.schema, req.body), clock_->NowMs());
  }
  WebhookHeaders headers;
  for (const auto& [name, value] : req.headers) {
    if (!IsHopHeader(name)) headers.emplace_back(std::string(name), std::string(value));
  }
  WebhookResult sent = sender_->Post(target.client_url, headers, std::string(req.body),
                                     std::chrono::milliseconds(timeout_ms_), body_limit_bytes_,
                                     /*allow_private_hosts=*/true);
  if (sent.status == 0) return PlainError(502, "the client's callback receiver failed: " + sent.error);
  ApiResponse r;
  r.status = sent.status;
  r.body = sent.body;
  r.content_type = nlohmann::json::parse(sent.body, nullptr, false).is_discarded() ? "text/plain" : "application/json";
  return r;
}

}  // namespace imagine
