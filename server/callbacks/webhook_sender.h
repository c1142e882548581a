// WebhookSender: how the CallbackDispatcher's workers post one webhook attempt. The
// interface lets tests put a fake in (retries on a virtual clock, no sockets);
// HttpWebhookSender is the real one: HTTP/1.1 or HTTPS (OpenSSL) on a fresh connection
// per attempt, no redirects, ONE deadline for the whole attempt, the receiver's host
// resolved once and every address checked (callback_destination.h) before it connects to
// exactly those, every outcome reduced to a status or a one-line error. With
// http_exchange.cc it is the only transport code of server/callbacks/. Implementations are thread-safe: Post()
// is const and may run on several workers at once.
#ifndef IMAGINE_CALLBACKS_WEBHOOK_SENDER_H_
#define IMAGINE_CALLBACKS_WEBHOOK_SENDER_H_

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "callbacks/host_resolver.h"
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
  std::vector<int> own_ports;  // the emulator's listening ports: never reached on a local address
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

  // POSTs `body` to `url` with exactly `headers`. `timeout` bounds the whole attempt.
  // `allow_private_hosts` false: loopback, private and link-local receivers are refused
  // (with the same error as a refused connection). Never throws; every failure is in the result.
  virtual WebhookResult Post(std::string_view url, const WebhookHeaders& headers, const std::string& body,
                             std::chrono::microseconds timeout, size_t max_body_bytes,
                             bool allow_private_hosts) const = 0;
  // As Post, with PUT (xAI's output.upload_url: the video PUT to a signed URL). A sender
  // that cannot PUT (the tests' scripted fakes) answers with a permanent error.
  virtual WebhookResult Put(std::string_view url, const WebhookHeaders& headers, const std::string& body,
                            std::chrono::microseconds timeout, size_t max_body_bytes,
                            bool allow_private_hosts) const {
    WebhookResult r;
    r.error = "this sender cannot PUT";
    r.permanent = true;
    return r;
  }
};

class HttpWebhookSender final : public WebhookSender {
 public:
  // `lookup`: how receiver names are resolved (host_resolver.h); null = getaddrinfo. Tests
  // inject one.
  explicit HttpWebhookSender(WebhookSenderOptions options, LookupFunction lookup = nullptr);

  // Checks that options.ca_file (if any) can be loaded. The sender works without this
  // check, but then every HTTPS attempt fails with "TLS: cannot load CA file ...".
  Status CheckCaFile() const;

  // POSTs `body` to `url` with exactly `headers` (plus Host, Accept: */*, Connection:
  // close and Content-Length). `timeout` is a real-time deadline for the whole attempt:
  // resolving, connecting, the TLS handshake, sending and the complete response. Never
  // throws. A receiver address that is forbidden (private when not allowed, or the
  // emulator's own listening port on a local address) fails as "connection refused", like
  // a closed port, and is logged at warn with the reason.
  WebhookResult Post(std::string_view url, const WebhookHeaders& headers, const std::string& body,
                     std::chrono::microseconds timeout, size_t max_body_bytes,
                     bool allow_private_hosts) const override;
  // The same with PUT.
  WebhookResult Put(std::string_view url, const WebhookHeaders& headers, const std::string& body,
                    std::chrono::microseconds timeout, size_t max_body_bytes, bool allow_private_hosts) const override;

 private:
  // One request with `method` ("POST" or "PUT"); what Post and Put both are.
  WebhookResult Send(const char* method, std::string_view url, const WebhookHeaders& headers, const std::string& body,
                     std::chrono::microseconds timeout, size_t max_body_bytes, bool allow_private_hosts) const;
  // The TLS context, made at the first HTTPS attempt (loading the system's CA bundle takes
  // ~30 ms, which start-up does not pay); null with *error set when it cannot be made.
  SSL_CTX* Tls(std::string* error) const;

  WebhookSenderOptions options_;
  HostResolver resolver_;                // names are looked up under the attempt's deadline
  mutable std::once_flag tls_once_;      // guards the making of tls_ and tls_error_
  mutable std::shared_ptr<SSL_CTX> tls_;  // shared by every HTTPS attempt (OpenSSL allows it)
  mutable std::string tls_error_;        // why HTTPS attempts cannot be made, "" when they can
};

}  // namespace imagine

#endif  // IMAGINE_CALLBACKS_WEBHOOK_SENDER_H_
