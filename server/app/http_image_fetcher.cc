#include "app/http_image_fetcher.h"

#include <chrono>

#include "callbacks/callback_destination.h"
#include "callbacks/webhook_sender.h"
#include "common/log.h"
#include "http/bounded_client.h"

namespace imagine {
namespace {

InputImageCheck Failed(const char* reason, std::string detail) {
  InputImageCheck c;
  c.reason = reason;
  c.detail = std::move(detail);
  return c;
}

// `location` of a redirect from `from` as an absolute URL ("" when it cannot be resolved).
std::string Resolve(const CallbackUrl& from, const std::string& location) {
  if (location.rfind("http://", 0) == 0 || location.rfind("https://", 0) == 0) return location;
  const std::string origin = std::string(from.https ? "https://" : "http://") +
                             (from.host.find(':') != std::string::npos ? "[" + from.host + "]" : from.host) + ":" +
                             std::to_string(from.port);
  if (location.rfind("//", 0) == 0) return std::string(from.https ? "https:" : "http:") + location;
  if (!location.empty() && location[0] == '/') return origin + location;
  const size_t slash = from.target.rfind('/', from.target.find('?'));
  return origin + from.target.substr(0, slash == std::string::npos ? 0 : slash + 1) + location;
}

}  // namespace

InputImageCheck HttpImageFetcher::Fetch(std::string_view url_in, bool allow_private) const {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(options_.timeout_s * 1000));
  std::string url(url_in);
  for (int hop = 0;; ++hop) {
    auto target = ParseCallbackUrl(url);
    if (!target.ok()) return Failed(kImageUnreachable, "invalid URL " + url + ": " + target.status().message());
    // Resolve once, check every address, connect only to a checked one (as callbacks do).
    std::string why;
    auto addresses = ResolveChecked(resolver_, target->host, target->port, deadline,
                                    DestinationRules{allow_private, options_.own_ports}, &why);
    if (!addresses.ok()) {
      if (addresses.status().code() == Code::kPermissionDenied) {
        Log(LogLevel::kWarn, "inputs: refused to fetch " + url.substr(0, 300) + ": " + why);
      }
      return Failed(kImageUnreachable, addresses.status().message());
    }
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
    if (left.count() <= 0) return Failed(kImageUnreachable, kTimeout);
    BoundedSendOptions send;  // one hop: redirects are followed here, so every hop's host is checked
    send.https = target->https;
    send.host = target->host;
    send.port = target->port;
    send.verify_tls = options_.verify_tls;
    send.ca_file = options_.ca_file;
    send.ca_file_must_load = false;  // callbacks.ca_file, checked at start-up
    send.timeout = left;
    httplib::Request req;
    req.method = "GET";
    req.path = target->target;
    req.headers.emplace("Accept", "image/jpeg, image/png, image/webp, */*;q=0.1");
    std::string body;
    bool too_large = false;
    req.response_handler = [&](const httplib::Response& res) {
      if (res.status >= 300) return true;  // redirects and errors: no body needed, but read it to finish
      const auto length = res.get_header_value("Content-Length");
      if (!length.empty() && std::strtoull(length.c_str(), nullptr, 10) > options_.max_bytes) {
        too_large = true;
        return false;
      }
      return true;
    };
    req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
      if (body.size() + n > options_.max_bytes) {
        too_large = true;
        return false;  // stop reading: at most max_bytes (+ one buffer) ever come in
      }
      body.append(data, n);
      return Clock::now() < deadline;
    };
    httplib::Response res;
    BoundedSendResult sent;
    for (size_t i = 0; i < addresses->size(); ++i) {  // the next address only when this one took no connection
      send.connect_address = (*addresses)[i].text;
      res = httplib::Response();
      sent = SendBounded(send, req, &res);
      if (sent.ok || !sent.failure.empty() || sent.error != httplib::Error::Connection) break;
    }
    if (!sent.failure.empty()) return Failed(kImageUnreachable, sent.failure);
    if (too_large) {
      return Failed(kImageTooLarge, "the image is larger than " + std::to_string(options_.max_bytes) + " bytes");
    }
    if (!sent.ok) {
      // One text for a closed port, an unreachable host and a refused address.
      if (Clock::now() >= deadline) return Failed(kImageUnreachable, kTimeout);
      return Failed(kImageUnreachable, sent.error == httplib::Error::Connection
                                           ? std::string(kConnectionRefused)
                                           : "HTTP client error: " + httplib::to_string(sent.error));
    }
    if (res.status >= 300 && res.status < 400 && res.has_header("Location")) {
      if (hop >= options_.max_redirects) {
        return Failed(kImageUnreachable, "more than " + std::to_string(options_.max_redirects) + " redirects");
      }
      url = Resolve(*target, res.get_header_value("Location"));
      continue;
    }
    if (res.status < 200 || res.status >= 300) return Failed(kImageUnreachable, "HTTP " + std::to_string(res.status));
    return ProbeImage(body);
  }
}

}  // namespace imagine
