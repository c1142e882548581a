// WebhookSender: how the CallbackDispatcher's workers post one webhook attempt. The
// interface lets tests put a fake in (retries on a virtual clock, no sockets);
// HttpWebhookSender is the real one: HTTP or HTTPS with cpp-httplib, a fresh connection
// per attempt, no redirects, every outcome reduced to a status or a one-line error. It is
// the only transport code of server/callbacks/. Implementations are thread-safe: Post()
// is const and may run on several workers at once.
#ifndef IMAGINE_CALLBACKS_WEBHOOK_SENDER_H_
#define IMAGINE_CALLBACKS_WEBHOOK_SENDER_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace imagine {

using WebhookHeaders = std::vector<std::pair<std::string, std::string>>;

// An http:// or https:// URL taken apart for the client.
struct CallbackUrl {
  bool https = false;
  std::string host;    // without brackets for IPv6 literals
  int port = 0;        // explicit or the scheme's default
  std::string target;  // path and query as sent in the request line ("/" when empty);
                       // bytes <= 0x20 and >= 0x7f are percent-encoded, the fragment dropped
};

// kInvalidArgument for another scheme, an empty host, a bad port or user-info ("user@").
StatusOr<CallbackUrl> ParseCallbackUrl(std::string_view url);

struct WebhookSenderOptions {
  bool verify_tls = true;  // verify the receiver's certificate chain and host name
  std::string ca_file;     // PEM bundle trusted in addition to the system store; "" = system only
};

struct WebhookResult {
  int status = 0;           // HTTP status; 0 when no response arrived
  std::string body;         // response body, at most max_body_bytes
  std::string error;        // "" when a response arrived; else one line, e.g. "timeout",
                            // "connection refused", "TLS: certificate verify failed: ..."
  bool permanent = false;   // the request can never succeed as given (invalid URL)
  int64_t latency_us = 0;   // real time the attempt took
};

class WebhookSender {
 public:
  virtual ~WebhookSender() = default;

  // POSTs `body` to `url` with exactly `headers`. `timeout` bounds the attempt (see each
  // implementation). Never throws; every failure is in the result.
  virtual WebhookResult Post(std::string_view url, const WebhookHeaders& headers, const std::string& body,
                             std::chrono::microseconds timeout, size_t max_body_bytes) const = 0;
};

class HttpWebhookSender final : public WebhookSender {
 public:
  explicit HttpWebhookSender(WebhookSenderOptions options);

  // Checks that options.ca_file (if any) can be loaded. The sender works without this
  // check, but then every HTTPS attempt fails with "TLS: cannot load CA file ...".
  Status CheckCaFile() const;

  // POSTs `body` to `url` with exactly `headers` (cpp-httplib adds Host, Content-Length,
  // Accept and Connection: close). `timeout` is the real timeout of the connect (and TLS
  // handshake), of each write and of each read. Never throws.
  WebhookResult Post(std::string_view url, const WebhookHeaders& headers, const std::string& body,
                     std::chrono::microseconds timeout, size_t max_body_bytes) const override;

 private:
  WebhookSenderOptions options_;
};

}  // namespace imagine

#endif  // IMAGINE_CALLBACKS_WEBHOOK_SENDER_H_
