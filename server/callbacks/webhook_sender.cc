#include "callbacks/webhook_sender.h"

#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT  // the system library is built with it; HTTPS needs it
#endif
#include <httplib.h>
#include <netdb.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "common/text.h"
#include "common/url.h"

namespace imagine {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string PercentEncodeUnsafe(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f) {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

const char* ErrnoText(int err) {
  switch (err) {
    case ECONNREFUSED: return "connection refused";
    case ECONNRESET: return "connection reset";
    case ENETUNREACH: return "network unreachable";
    case EHOSTUNREACH: return "host unreachable";
    case ETIMEDOUT: return "timeout";
    case EADDRNOTAVAIL: return "address not available";
    default: return nullptr;
  }
}

// cpp-httplib reports every failed connect as Error::Connection. Find out why with one
// non-blocking connect of our own (loopback and LAN receivers answer at once).
std::string DiagnoseConnectFailure(const std::string& host, int port, std::chrono::milliseconds budget) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addrs = nullptr;
  int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &addrs);
  if (rc != 0) return "could not resolve host " + host + ": " + gai_strerror(rc);
  int err = 0;
  for (addrinfo* ai = addrs; ai != nullptr; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      err = errno;
      continue;
    }
    err = 0;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      err = errno;
      if (err == EINPROGRESS) {
        pollfd pfd{fd, POLLOUT, 0};
        int pr = ::poll(&pfd, 1, static_cast<int>(budget.count()));
        if (pr == 0) {
          err = ETIMEDOUT;
        } else {
          socklen_t len = sizeof err;
          if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
        }
      }
    }
    ::close(fd);
    if (err == 0) break;
  }
  ::freeaddrinfo(addrs);
  if (err == 0) return "connection failed";  // it connected on the second try
  if (const char* text = ErrnoText(err)) return text;
  return "connection failed (errno " + std::to_string(err) + ")";
}

}  // namespace

StatusOr<CallbackUrl> ParseCallbackUrl(std::string_view url) {
  auto split = SplitUrl(url);
  if (!split.ok() && split.status().message() == "has no scheme") {
    return InvalidArgument("callback URL must start with http:// or https://");
  }
  if (!split.ok()) return InvalidArgument("callback URL " + split.status().message());
  const UrlParts& p = *split;
  CallbackUrl out;
  out.https = EqualsNoCase(p.scheme, "https");
  if ((!out.https && !EqualsNoCase(p.scheme, "http")) || !p.has_authority) {
    return InvalidArgument("callback URL must start with http:// or https://");
  }
  if (p.has_userinfo) return InvalidArgument("callback URL with user info is not supported");
  if (p.has_port && p.port.empty()) return InvalidArgument("callback URL has an empty port");
  out.host = std::string(p.host);
  if (out.host.empty()) return InvalidArgument("callback URL has no host");
  out.port = out.https ? 443 : 80;
  if (p.has_port) {
    if (p.port.size() > 5) return InvalidArgument("callback URL has a bad port");
    int port = 0;
    for (char c : p.port) {
      if (c < '0' || c > '9') return InvalidArgument("callback URL has a bad port");
      port = port * 10 + (c - '0');
    }
    if (port < 1 || port > 65535) return InvalidArgument("callback URL has a bad port");
    out.port = port;
  }
  std::string target(p.path);
  if (p.has_query) target += "?" + std::string(p.query);
  out.target = PercentEncodeUnsafe(target);
  if (out.target.empty() || out.target.front() != '/') out.target.insert(0, "/");
  return out;
}

HttpWebhookSender::HttpWebhookSender(WebhookSenderOptions options) : options_(std::move(options)) {}

Status HttpWebhookSender::CheckCaFile() const {
  if (options_.ca_file.empty()) return Status::Ok();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return Internal("cannot create a TLS context");
  bool ok = SSL_CTX_load_verify_locations(ctx, options_.ca_file.c_str(), nullptr) == 1;
  SSL_CTX_free(ctx);
  if (!ok) return InvalidArgument("cannot load CA file " + options_.ca_file + " (PEM certificates expected)");
  return Status::Ok();
}

WebhookResult HttpWebhookSender::Post(std::string_view url, const WebhookHeaders& headers, const std::string& body,
                                  std::chrono::microseconds timeout, size_t max_body_bytes) const {
  WebhookResult result;
  const auto start = SteadyClock::now();
  auto finish = [&] {
    result.latency_us =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start).count();
    return result;
  };

  StatusOr<CallbackUrl> parsed = ParseCallbackUrl(url);
  if (!parsed.ok()) {
    result.error = "invalid URL: " + parsed.status().message();
    result.permanent = true;
    return finish();
  }
  const CallbackUrl& target = *parsed;
  if (timeout.count() < 1000) timeout = std::chrono::microseconds(1000);
  const time_t sec = static_cast<time_t>(timeout.count() / 1000000);
  const time_t usec = static_cast<time_t>(timeout.count() % 1000000);

  std::unique_ptr<httplib::ClientImpl> client;
  httplib::SSLClient* ssl_client = nullptr;
  if (target.https) {
    auto ssl = std::make_unique<httplib::SSLClient>(target.host, target.port);
    ssl_client = ssl.get();
    if (!ssl->is_valid()) {
      result.error = "TLS: cannot create a TLS context";
      return finish();
    }
    ssl->enable_server_certificate_verification(options_.verify_tls);
    // cpp-httplib loads either a CA file or the system store; load ours into the context
    // first so that its own load of the system store adds to it.
    if (options_.verify_tls && !options_.ca_file.empty() &&
        SSL_CTX_load_verify_locations(ssl->ssl_context(), options_.ca_file.c_str(), nullptr) != 1) {
      result.error = "TLS: cannot load CA file " + options_.ca_file;
      return finish();
    }
    client = std::move(ssl);
  } else {
    client = std::make_unique<httplib::ClientImpl>(target.host, target.port);
  }
  client->set_connection_timeout(sec, usec);
  client->set_read_timeout(sec, usec);
  client->set_write_timeout(sec, usec);
  client->set_keep_alive(false);
  client->set_follow_location(false);  // providers do not follow redirects: a 3xx is a failure
  client->set_url_encode(false);       // ParseCallbackUrl already escaped what must be
  client->set_decompress(false);       // no Accept-Encoding: keep the request as the provider's

  httplib::Request req;
  req.method = "POST";
  req.path = target.target;
  for (const auto& [name, value] : headers) req.headers.emplace(name, value);
  req.body = body;
  req.content_receiver = [&](const char* data, size_t n, uint64_t /*offset*/, uint64_t /*total*/) {
    size_t room = max_body_bytes > result.body.size() ? max_body_bytes - result.body.size() : 0;
    result.body.append(data, n < room ? n : room);
    return true;  // keep reading (and discarding) so the exchange completes
  };

  httplib::Response res;
  httplib::Error err = httplib::Error::Success;
  bool ok = false;
  try {
    ok = client->send(req, res, err);
  } catch (const std::exception& e) {
    result.error = std::string("HTTP client exception: ") + e.what();
    return finish();
  }
  if (ok) {
    result.status = res.status;
    return finish();
  }

  const auto elapsed = SteadyClock::now() - start;
  const bool timed_out = elapsed >= timeout * 95 / 100;
  switch (err) {
    case httplib::Error::ConnectionTimeout:
      result.error = "timeout";
      break;
    case httplib::Error::Connection:
      result.error = timed_out ? "timeout"
                               : DiagnoseConnectFailure(target.host, target.port,
                                                        std::min<std::chrono::milliseconds>(
                                                            std::chrono::milliseconds(1000),
                                                            std::chrono::duration_cast<std::chrono::milliseconds>(timeout)));
      break;
    case httplib::Error::Read:
      result.error = timed_out ? "timeout" : "connection closed before a complete response";
      break;
    case httplib::Error::Write:
      result.error = timed_out ? "timeout" : "connection closed while sending the request";
      break;
    case httplib::Error::SSLConnection:
      result.error = timed_out ? "timeout" : "TLS: handshake failed";
      break;
    case httplib::Error::SSLLoadingCerts:
      result.error = "TLS: cannot load CA certificates";
      break;
    case httplib::Error::SSLServerVerification: {
      long verify = ssl_client != nullptr ? ssl_client->get_openssl_verify_result() : X509_V_OK;
      result.error = verify != X509_V_OK
                         ? std::string("TLS: certificate verify failed: ") + X509_verify_cert_error_string(verify)
                         : "TLS: certificate does not match host " + target.host;
      break;
    }
    default:
      result.error = "HTTP client error: " + httplib::to_string(err);
      break;
  }
  return finish();
}

}  // namespace imagine
