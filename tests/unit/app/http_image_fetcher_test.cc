// Issue 22 §5: input images go through the callbacks' outgoing-request policy — the host is
// resolved once (here by an injected lookup, no DNS), every address is checked, only a
// checked address is connected to, and every refused, closed or forbidden case reads the
// same ("connection refused").
#include "app/http_image_fetcher.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <httplib.h>
#include <netinet/in.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "support/test_net.h"

namespace imagine {
namespace {

std::string Png() {
  std::string b("\x89PNG\r\n\x1A\n", 8);
  b += std::string("\0\0\0\x0D", 4) + "IHDR" + std::string("\0\0\0\x02\0\0\0\x03", 8);
  b += std::string("\x08\x02\0\0\0", 5) + std::string(4, '\0');
  return b;
}

// A loopback image server that counts requests and remembers the last Host header.
class ImageServer {
 public:
  ImageServer() {
    server_.Get("/cat.png", [this](const httplib::Request& req, httplib::Response& res) {
      ++requests;
      std::lock_guard<std::mutex> lock(mu_);
      host_ = req.get_header_value("Host");
      res.set_content(Png(), "image/png");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~ImageServer() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::string host() {
    std::lock_guard<std::mutex> lock(mu_);
    return host_;
  }
  std::atomic<int> requests{0};

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;  // protects host_
  std::string host_;
};

// Answers each name in `names` with its addresses (IPv4 text), as getaddrinfo would.
LookupFunction FakeLookup(std::map<std::string, std::vector<std::string>> names) {
  return [names](const std::string& host, int port, std::vector<ResolvedAddress>* out) -> std::string {
    auto it = names.find(host);
    if (it == names.end()) return "Name or service not known";
    for (const std::string& text : it->second) {
      ResolvedAddress a;
      auto* v4 = reinterpret_cast<sockaddr_in*>(&a.addr);
      v4->sin_family = AF_INET;
      v4->sin_port = htons(static_cast<uint16_t>(port));
      inet_pton(AF_INET, text.c_str(), &v4->sin_addr);
      a.len = sizeof(sockaddr_in);
      out->push_back(a);
    }
    return "";
  };
}

ImageFetchOptions Options(std::vector<int> own_ports = {}) {
  ImageFetchOptions o;
  o.fetch = true;
  o.timeout_s = 30;  // a cap for a hang; every case here answers at once
  o.own_ports = std::move(own_ports);
  return o;
}

}  // namespace

TEST_CASE("issue 22: the image fetcher connects only to the address it resolved and checked") {
  ImageServer images;
  const std::string port = std::to_string(images.port());
  const auto lookup = FakeLookup({{"img.test", {"127.0.0.1"}}, {"mixed.test", {"192.0.2.1", "127.0.0.1"}}});

  // Loopback allowed: the name the system cannot resolve is fetched from the address the lookup gave.
  InputImageCheck ok = HttpImageFetcher(Options(), lookup).Fetch("http://img.test:" + port + "/cat.png", true);
  CHECK(ok.reason == "");
  CHECK(ok.format == "png");
  CHECK(images.requests == 1);
  CHECK(images.host() == "img.test:" + port);  // the URL's name is still the Host (and the TLS name)

  // Loopback not allowed: the name is refused however it is spelled, before any connection.
  InputImageCheck refused = HttpImageFetcher(Options(), lookup).Fetch("http://img.test:" + port + "/cat.png", false);
  CHECK(refused.reason == kImageUnreachable);
  CHECK(refused.detail == "connection refused");
  // One private address among several is enough to refuse the name.
  InputImageCheck mixed = HttpImageFetcher(Options(), lookup).Fetch("http://mixed.test:" + port + "/cat.png", false);
  CHECK(mixed.reason == kImageUnreachable);
  CHECK(mixed.detail == "connection refused");
  // The emulator's own port is never fetched, loopback allowed or not.
  InputImageCheck own =
      HttpImageFetcher(Options({images.port()}), lookup).Fetch("http://img.test:" + port + "/cat.png", true);
  CHECK(own.reason == kImageUnreachable);
  CHECK(own.detail == "connection refused");
  CHECK(images.requests == 1);

  // A closed port reads the same as a refused address.
  const int closed = testing::ClosedPort();
  REQUIRE(closed > 0);
  InputImageCheck shut =
      HttpImageFetcher(Options(), lookup).Fetch("http://img.test:" + std::to_string(closed) + "/cat.png", true);
  CHECK(shut.reason == kImageUnreachable);
  CHECK(shut.detail == "connection refused");
  // A name that does not resolve says so (nothing about ports).
  InputImageCheck unknown = HttpImageFetcher(Options(), lookup).Fetch("http://nowhere.test/cat.png", true);
  CHECK(unknown.reason == kImageUnreachable);
  CHECK(unknown.detail == "could not resolve host nowhere.test: Name or service not known");
}

}  // namespace imagine
