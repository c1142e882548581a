// HttpUpstreamClient: UpstreamClient over cpp-httplib, set up like callbacks/'
// HttpWebhookSender (the same TLS handling: CPPHTTPLIB_OPENSSL_SUPPORT, system store plus
// an optional CA file, no redirects, no decompression).
#include "proxy/upstream_client.h"

#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT  // the system library is built with it; HTTPS needs it
#endif
#include <httplib.h>
#include <openssl/ssl.h>

#include <chrono>

#include "callbacks/webhook_sender.h"
#include "common/text.h"

namespace imagine {
namespace {

// Response headers that describe the connection or the framing, not the answer: the
// emulator's own server sets them again for the client.
bool IsFramingHeader(std::string_view name) {
  for (const char* h : {"content-type", "content-length", "transfer-encoding", "connection", "keep-alive", "date"}) {
    if (EqualsNoCase(name, h)) return true;
  }
  return false;
}

class HttpUpstreamClient final : public UpstreamClient {
 public:
  HttpUpstreamClient(std::string base_url, CallbackUrl target, UpstreamClientOptions options)
      : base_url_(std::move(base_url)), target_(std::move(target)), options_(std::move(options)) {
    if (target_.target == "/") target_.target.clear();
  }

  const std::string& base_url() const override { return base_url_; }

  UpstreamReply Send(const UpstreamRequest& request) const override {
    UpstreamReply reply;
    std::unique_ptr<httplib::ClientImpl> client;
    if (target_.https) {
      auto ssl = std::make_unique<httplib::SSLClient>(target_.host, target_.port);
      if (!ssl->is_valid()) {
        reply.error = "TLS: cannot create a TLS context";
        return reply;
      }
      ssl->enable_server_certificate_verification(options_.verify_tls);
      if (options_.verify_tls && !options_.ca_file.empty() &&
          SSL_CTX_load_verify_locations(ssl->ssl_context(), options_.ca_file.c_str(), nullptr) != 1) {
        reply.error = "TLS: cannot load CA file " + options_.ca_file;
        return reply;
      }
      client = std::move(ssl);
    } else {
      client = std::make_unique<httplib::ClientImpl>(target_.host, target_.port);
    }
    const int64_t ms = options_.timeout_ms < 1 ? 1 : options_.timeout_ms;
    const time_t sec = static_cast<time_t>(ms / 1000);
    const time_t usec = static_cast<time_t>((ms % 1000) * 1000);
    client->set_connection_timeout(sec, usec);
    client->set_read_timeout(sec, usec);
    client->set_write_timeout(sec, usec);
    client->set_keep_alive(false);
    client->set_follow_location(false);
    client->set_url_encode(false);  // the target is the client's, already encoded
    client->set_decompress(false);

    httplib::Request req;
    req.method = request.method;
    req.path = target_.target + request.target;
    for (const auto& [name, value] : request.headers) req.headers.emplace(name, value);
    req.body = request.body;
    bool too_large = false;
    req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
      if (reply.body.size() + n > options_.body_limit_bytes) {
        too_large = true;
        return false;  // stop reading: the answer is refused whole
      }
      reply.body.append(data, n);
      return true;
    };
    httplib::Response res;
    httplib::Error err = httplib::Error::Success;
    bool ok = false;
    try {
      ok = client->send(req, res, err);
    } catch (const std::exception& e) {
      reply.error = std::string("HTTP client exception: ") + e.what();
      return reply;
    }
    if (too_large) {
      reply.body.clear();
      reply.error = "answer larger than the " + std::to_string(options_.body_limit_bytes) + "-byte limit";
      return reply;
    }
    if (!ok) {
      switch (err) {
        case httplib::Error::ConnectionTimeout: reply.error = "timeout"; break;
        case httplib::Error::Connection: reply.error = "cannot connect"; break;
        case httplib::Error::Read: reply.error = "connection closed before a complete answer (or timeout)"; break;
        case httplib::Error::Write: reply.error = "connection closed while sending the request (or timeout)"; break;
        case httplib::Error::SSLConnection: reply.error = "TLS: handshake failed"; break;
        case httplib::Error::SSLServerVerification: reply.error = "TLS: certificate verify failed"; break;
        default: reply.error = "HTTP client error: " + httplib::to_string(err); break;
      }
      reply.body.clear();
      return reply;
    }
    reply.status = res.status;
    for (const auto& [name, value] : res.headers) {
      if (EqualsNoCase(name, "content-type")) {
        reply.content_type = value;
      } else if (!IsFramingHeader(name)) {
        reply.headers.emplace_back(name, value);
      }
    }
    return reply;
  }

 private:
  const std::string base_url_;
  CallbackUrl target_;
  const UpstreamClientOptions options_;
};

}  // namespace

StatusOr<std::unique_ptr<UpstreamClient>> MakeHttpUpstreamClient(std::string_view name, const std::string& base_url,
                                                                 const UpstreamClientOptions& options) {
  const std::string where = std::string(name) + ": ";
  auto parsed = ParseCallbackUrl(base_url);
  if (!parsed.ok()) {
    std::string why = parsed.status().message();  // worded for callbacks: "callback URL ..."
    if (why.rfind("callback URL", 0) == 0) why.replace(0, 12, "the upstream URL");
    return InvalidArgument(where + why + " (got " + base_url + ")");
  }
  if (!parsed->https && !options.allow_http) {
    return InvalidArgument(where + "the upstream URL must be https:// (got " + base_url +
                           "); set proxy.allow_http: true for a test upstream");
  }
  if (parsed->target.find('?') != std::string::npos) {
    return InvalidArgument(where + "the upstream URL must not have a query (got " + base_url + ")");
  }
  std::string clean = base_url;
  while (!clean.empty() && clean.back() == '/') clean.pop_back();
  if (!parsed->target.empty() && parsed->target.back() == '/') parsed->target.pop_back();
  return std::unique_ptr<UpstreamClient>(new HttpUpstreamClient(clean, std::move(parsed).value(), options));
}

}  // namespace imagine
