// HttpUpstreamClient: UpstreamClient over cpp-httplib (http/bounded_client.h: system
// store plus an optional CA file, no redirects), without decompression.
#include "proxy/upstream_client.h"

#include <chrono>

#include "callbacks/webhook_sender.h"
#include "common/text.h"
#include "http/bounded_client.h"

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
    BoundedSendOptions send;
    send.https = target_.https;
    send.host = target_.host;
    send.port = target_.port;
    send.verify_tls = options_.verify_tls;
    send.ca_file = options_.ca_file;
    send.timeout = std::chrono::milliseconds(options_.timeout_ms < 1 ? 1 : options_.timeout_ms);
    send.decompress = false;
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
    const BoundedSendResult sent = SendBounded(send, req, &res);
    if (!sent.failure.empty()) {
      reply.error = sent.failure;
      return reply;
    }
    if (too_large) {
      reply.body.clear();
      reply.error = "answer larger than the " + std::to_string(options_.body_limit_bytes) + "-byte limit";
      return reply;
    }
    if (!sent.ok) {
      switch (sent.error) {
        case httplib::Error::ConnectionTimeout: reply.error = "timeout"; break;
        case httplib::Error::Connection: reply.error = "cannot connect"; break;
        case httplib::Error::Read: reply.error = "connection closed before a complete answer (or timeout)"; break;
        case httplib::Error::Write: reply.error = "connection closed while sending the request (or timeout)"; break;
        case httplib::Error::SSLConnection: reply.error = "TLS: handshake failed"; break;
        case httplib::Error::SSLServerVerification: reply.error = "TLS: certificate verify failed"; break;
        default: reply.error = "HTTP client error: " + httplib::to_string(sent.error); break;
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
