#include "callbacks/webhook_sender.h"

#include <arpa/inet.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstring>
#include <memory>

#include "callbacks/callback_destination.h"
#include "callbacks/http_exchange.h"
#include "common/log.h"
#include "common/text.h"
#include "common/url.h"

namespace imagine {
namespace {

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

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
  // A NUL, a control byte or a space would make the resolver see another host than the one
  // the private-address rule judged (found by fuzz_callback_url: "[::f\0…\0.localhost]").
  for (unsigned char c : out.host) {
    if (c <= 0x20 || c == 0x7f) return InvalidArgument("callback URL has a bad host");
  }
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

HttpWebhookSender::HttpWebhookSender(WebhookSenderOptions options, LookupFunction lookup)
    : options_(std::move(options)), resolver_(std::move(lookup)) {}

SSL_CTX* HttpWebhookSender::Tls(std::string* error) const {
  std::call_once(tls_once_, [this] {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == nullptr) {
      tls_error_ = "TLS: cannot create a TLS context";
      return;
    }
    tls_.reset(ctx, SSL_CTX_free);
    if (options_.verify_tls) {
      SSL_CTX_set_default_verify_paths(ctx);
      if (!options_.ca_file.empty() && SSL_CTX_load_verify_locations(ctx, options_.ca_file.c_str(), nullptr) != 1) {
        tls_error_ = "TLS: cannot load CA file " + options_.ca_file;
      }
    }
  });
  *error = tls_error_;
  return tls_error_.empty() ? tls_.get() : nullptr;
}

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
                                      std::chrono::microseconds timeout, size_t max_body_bytes,
                                      bool allow_private_hosts) const {
  return Send("POST", url, headers, body, timeout, max_body_bytes, allow_private_hosts);
}

WebhookResult HttpWebhookSender::Put(std::string_view url, const WebhookHeaders& headers, const std::string& body,
                                     std::chrono::microseconds timeout, size_t max_body_bytes,
                                     bool allow_private_hosts) const {
  return Send("PUT", url, headers, body, timeout, max_body_bytes, allow_private_hosts);
}

WebhookResult HttpWebhookSender::Send(const char* method, std::string_view url, const WebhookHeaders& headers,
                                      const std::string& body, std::chrono::microseconds timeout,
                                      size_t max_body_bytes, bool allow_private_hosts) const {
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
  SSL_CTX* tls = nullptr;
  if (target.https && (tls = Tls(&result.error)) == nullptr) return finish();

  // Resolve once, check every address, connect only to what was checked.
  DestinationRules rules{allow_private_hosts, options_.own_ports};
  std::string why;
  StatusOr<std::vector<CheckedAddress>> addresses =
      ResolveChecked(resolver_, target.host, target.port, start + timeout, rules, &why);
  if (!addresses.ok()) {
    result.error = addresses.status().message();
    if (addresses.status().code() == Code::kPermissionDenied) {
      Log(LogLevel::kWarn, "callbacks: refused to connect to " + std::string(url.substr(0, 300)) + ": " + why);
    }
    return finish();
  }

  const bool ip_literal = IsIpLiteral(target.host);
  std::string host_header = target.host.find(':') != std::string::npos ? "[" + target.host + "]" : target.host;
  if (target.port != (target.https ? 443 : 80)) host_header += ":" + std::to_string(target.port);
  std::string request = std::string(method) + " " + target.target + " HTTP/1.1\r\nHost: " + host_header + "\r\n";
  for (const auto& [name, value] : headers) {
    if (name.find_first_of("\r\n:") != std::string::npos || value.find_first_of("\r\n") != std::string::npos) continue;
    request += name + ": " + value + "\r\n";
  }
  request += "Accept: */*\r\nConnection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  request += body;

  ExchangeOptions exchange;
  exchange.host = target.host;
  exchange.host_is_ip = ip_literal;
  exchange.tls = tls;
  exchange.verify_tls = options_.verify_tls;
  exchange.deadline = start + timeout;
  exchange.max_body_bytes = max_body_bytes;
  for (size_t i = 0; i < addresses->size(); ++i) {
    ExchangeResult r = Exchange((*addresses)[i], exchange, request);
    const bool try_next = (r.error == kConnectionRefused || r.error == "network unreachable" ||
                           r.error == "host unreachable" || r.error == "address not available") &&
                          i + 1 < addresses->size();
    if (try_next) continue;
    result.status = r.status;
    result.body = std::move(r.body);
    result.error = std::move(r.error);
    break;
  }
  return finish();
}

}  // namespace imagine
