#include "app/http_image_fetcher.h"

#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT  // the system library is built with it; HTTPS needs it
#endif
#include <httplib.h>
#include <openssl/ssl.h>

#include <chrono>
#include <memory>

#include "callbacks/webhook_sender.h"
#include "common/url.h"

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
    if (!allow_private && IsPrivateHost(target->host)) {
      return Failed(kImageUnreachable, "the image host " + target->host + " is a loopback or private address");
    }
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
    if (left.count() <= 0) return Failed(kImageUnreachable, "timeout");
    const time_t sec = static_cast<time_t>(left.count() / 1000000);
    const time_t usec = static_cast<time_t>(left.count() % 1000000);

    std::unique_ptr<httplib::ClientImpl> client;
    if (target->https) {
      auto ssl = std::make_unique<httplib::SSLClient>(target->host, target->port);
      if (!ssl->is_valid()) return Failed(kImageUnreachable, "TLS: cannot create a TLS context");
      ssl->enable_server_certificate_verification(options_.verify_tls);
      if (options_.verify_tls && !options_.ca_file.empty()) {
        SSL_CTX_load_verify_locations(ssl->ssl_context(), options_.ca_file.c_str(), nullptr);
      }
      client = std::move(ssl);
    } else {
      client = std::make_unique<httplib::ClientImpl>(target->host, target->port);
    }
    client->set_connection_timeout(sec, usec);
    client->set_read_timeout(sec, usec);
    client->set_write_timeout(sec, usec);
    client->set_keep_alive(false);
    client->set_follow_location(false);  // followed here, so every hop's host is checked
    client->set_url_encode(false);

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
    httplib::Error err = httplib::Error::Success;
    bool ok = false;
    try {
      ok = client->send(req, res, err);
    } catch (const std::exception& e) {
      return Failed(kImageUnreachable, std::string("HTTP client exception: ") + e.what());
    }
    if (too_large) {
      return Failed(kImageTooLarge, "the image is larger than " + std::to_string(options_.max_bytes) + " bytes");
    }
    if (!ok) {
      return Failed(kImageUnreachable, Clock::now() >= deadline ? "timeout" : "HTTP client error: " + httplib::to_string(err));
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
