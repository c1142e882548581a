// CallbackCapture: proxy.capture_callbacks. When a client's create names a callback URL,
// the proxy sends the upstream the emulator's own receiver URL instead
// (<public_url>/proxy/callbacks/<token>) and remembers the client's; when the provider posts
// its callback there, the receiver checks the body against the document's callback schema
// (drift findings, direction "callback"), and forwards it unchanged to the client's URL,
// answering the provider with the client's status and body. Thread-safe.
#ifndef IMAGINE_PROXY_CALLBACK_CAPTURE_H_
#define IMAGINE_PROXY_CALLBACK_CAPTURE_H_

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include "callbacks/webhook_sender.h"
#include "engine/clock.h"
#include "http/router.h"
#include "proxy/drift_log.h"
#include "spec/json_schema.h"

namespace imagine {

class CallbackCapture {
 public:
  static constexpr size_t kCapacity = 100000;  // remembered callback URLs; the oldest go first
  static constexpr char kRoutePrefix[] = "/proxy/callbacks/";

  // `public_url` is the emulator's public base URL (server.public_url); `sender` posts to
  // the clients' receivers; all pointers must outlive the capture.
  CallbackCapture(std::string public_url, const WebhookSender* sender, DriftLog* drift, const Clock* clock,
                  int64_t timeout_ms, size_t body_limit_bytes);

  // Remembers `client_url` for a callback of `provider`'s create `operation` checked
  // against `schema` (may be null) and returns the URL to give the upstream instead.
  std::string Register(const std::string& provider, const std::string& operation, const std::string& route,
                       std::shared_ptr<const spec::Validator> schema, const std::string& client_url);
  // The receiver route, POST /proxy/callbacks/{token}.
  RouteEntry Route();
  size_t received() const;

 private:
  struct Target {
    std::string provider, operation, route, client_url;
    std::shared_ptr<const spec::Validator> schema;
  };
  ApiResponse Receive(ApiRequest& req);

  const std::string public_url_;
  const WebhookSender* sender_;
  DriftLog* drift_;
  const Clock* clock_;
  const int64_t timeout_ms_;
  const size_t body_limit_bytes_;
  mutable std::mutex mu_;  // protects everything below
  std::map<std::string, Target> targets_;  // by token
  std::map<uint64_t, std::string> order_;  // registration number -> token, for eviction
  uint64_t next_ = 0;
  size_t received_ = 0;
  std::mt19937_64 random_{std::random_device{}()};
};

}  // namespace imagine

#endif  // IMAGINE_PROXY_CALLBACK_CAPTURE_H_
