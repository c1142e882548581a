// SendBounded: one request over a fresh cpp-httplib client connection, with timeouts on
// every phase, no keep-alive, no redirects (callers follow them, checking each hop) and no
// URL encoding (targets are already encoded); HTTPS verifies against the system store
// plus an optional CA file. Shared by app/'s HttpImageFetcher and proxy/'s upstream
// client, the emulator's two outgoing cpp-httplib clients. Thread-safe (no shared state).
#ifndef IMAGINE_HTTP_BOUNDED_CLIENT_H_
#define IMAGINE_HTTP_BOUNDED_CLIENT_H_

#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT  // the system library is built with it; HTTPS needs it
#endif
#include <httplib.h>

#include <chrono>
#include <string>

namespace imagine {

struct BoundedSendOptions {
  bool https = false;
  std::string host;  // without brackets for IPv6 literals; the Host header, SNI and certificate name
  int port = 0;
  // "" = cpp-httplib resolves `host`; else the numeric address connected to, instead of
  // any lookup (a caller that checked it: callbacks/callback_destination.h ResolveChecked).
  std::string connect_address;
  bool verify_tls = true;          // verify the server's certificate chain and host name
  std::string ca_file;             // PEM bundle trusted besides the system store; "" = none
  bool ca_file_must_load = true;   // false: a ca_file that does not load is passed over
                                   // (for a caller whose file was checked at start-up)
  std::chrono::microseconds timeout{1000000};  // the connect, read and write timeouts (each)
  bool decompress = true;          // let cpp-httplib decode gzip/deflate answers
};

struct BoundedSendResult {
  bool ok = false;  // a response arrived (in *res)
  httplib::Error error = httplib::Error::Success;  // cpp-httplib's error when !ok
  // When set, no response: the request could not be made ("TLS: cannot create a TLS
  // context", "TLS: cannot load CA file F") or the library threw ("HTTP client exception: ...").
  std::string failure;
};

// Sends `req` to options.host:port and fills *res. Never throws.
BoundedSendResult SendBounded(const BoundedSendOptions& options, httplib::Request& req, httplib::Response* res);

}  // namespace imagine

#endif  // IMAGINE_HTTP_BOUNDED_CLIENT_H_
