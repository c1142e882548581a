// One HTTP/1.1 request-response exchange over a fresh connection to an address that was
// already checked (callback_destination.h), HTTPS with OpenSSL (SNI and certificate
// checks against the URL's host), under ONE deadline for the whole attempt: connect, TLS
// handshake, sending and the complete response. A receiver that trickles one byte a second
// is cut at the deadline. Used only by HttpWebhookSender; thread-safe (no shared state but
// the SSL_CTX, which OpenSSL lets connections share).
#ifndef IMAGINE_CALLBACKS_HTTP_EXCHANGE_H_
#define IMAGINE_CALLBACKS_HTTP_EXCHANGE_H_

#include <openssl/ssl.h>

#include <chrono>
#include <string>

#include "callbacks/callback_destination.h"

namespace imagine {

struct ExchangeOptions {
  std::string host;          // as in the URL: checked against the certificate, sent as SNI
  bool host_is_ip = false;   // an IP literal: no SNI, the certificate must name the IP
  SSL_CTX* tls = nullptr;    // non-null: HTTPS
  bool verify_tls = true;
  std::chrono::steady_clock::time_point deadline;
  size_t max_body_bytes = 1024;  // recorded; the rest of the body is read and discarded
};

struct ExchangeResult {
  int status = 0;      // 0 when no complete response arrived
  std::string body;    // at most max_body_bytes (chunked bodies decoded)
  std::string error;   // "" or one line: "timeout", kConnectionRefused, "TLS: ...", ...
};

// Sends `request` (the complete request: head and body) to `address` and reads the
// response until it is complete (Content-Length, chunked, or the connection's end).
ExchangeResult Exchange(const CheckedAddress& address, const ExchangeOptions& options, const std::string& request);

}  // namespace imagine

#endif  // IMAGINE_CALLBACKS_HTTP_EXCHANGE_H_
