#include "callbacks/webhook_sender.h"

#include <doctest/doctest.h>

namespace imagine {

TEST_CASE("ParseCallbackUrl splits http and https URLs") {
  struct Row {
    const char* url;
    bool https;
    const char* host;
    int port;
    const char* target;
  };
  const Row rows[] = {
      {"http://127.0.0.1:8080/hook?x=1&y=a+b", false, "127.0.0.1", 8080, "/hook?x=1&y=a+b"},
      {"https://example.com/cb", true, "example.com", 443, "/cb"},
      {"HTTP://Example.com", false, "Example.com", 80, "/"},
      {"http://example.com?q=1", false, "example.com", 80, "/?q=1"},
      {"http://example.com/a#frag", false, "example.com", 80, "/a"},
      {"http://[::1]:9000/x", false, "::1", 9000, "/x"},
      {"https://[::1]/x", true, "::1", 443, "/x"},
      {"http://h/a b\xc3\xa9", false, "h", 80, "/a%20b%C3%A9"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.url);
    StatusOr<CallbackUrl> got = ParseCallbackUrl(row.url);
    REQUIRE_MESSAGE(got.ok(), got.status().ToString());
    CHECK(got->https == row.https);
    CHECK(got->host == row.host);
    CHECK(got->port == row.port);
    CHECK(got->target == row.target);
  }
}

TEST_CASE("ParseCallbackUrl rejects what it cannot send to") {
  struct Row {
    const char* url;
    const char* message;
  };
  const Row rows[] = {
      {"ftp://example.com/", "callback URL must start with http:// or https://"},
      {"example.com/hook", "callback URL must start with http:// or https://"},
      {"http:///hook", "callback URL has no host"},
      {"http://:80/hook", "callback URL has no host"},
      {"http://h:/x", "callback URL has an empty port"},
      {"http://h:0/x", "callback URL has a bad port"},
      {"http://h:65536/x", "callback URL has a bad port"},
      {"http://h:8o/x", "callback URL has a bad port"},
      {"http://user:pw@h/x", "callback URL with user info is not supported"},
      {"http://[::1/x", "callback URL has an unterminated IPv6 host"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.url);
    StatusOr<CallbackUrl> got = ParseCallbackUrl(row.url);
    REQUIRE_FALSE(got.ok());
    CHECK(got.status().code() == Code::kInvalidArgument);
    CHECK(got.status().message() == row.message);
  }
}

// Regression (fuzz_callback_url crash, tests/fuzz/callback_url/crash-nul-in-ipv6-host): a host
// with a NUL passed as "localhost" to the private-host rule but as "::f" to inet_pton/getaddrinfo.
TEST_CASE("ParseCallbackUrl refuses a host holding a NUL, a control byte or a space") {
  const std::string nul_host("http://[::f\0\0fff\0.localhost]/x", 30);
  REQUIRE(nul_host.size() == 30);
  for (const std::string& url : {nul_host, std::string("http://a\tb/x"), std::string("http://a\x7f/x"),
                                 std::string("http://[::1 ]/x")}) {
    CAPTURE(url);
    StatusOr<CallbackUrl> got = ParseCallbackUrl(url);
    REQUIRE_FALSE(got.ok());
    CHECK(got.status().message() == "callback URL has a bad host");
  }
}

TEST_CASE("HttpWebhookSender::CheckCaFile refuses an unreadable bundle") {
  CHECK(HttpWebhookSender(WebhookSenderOptions{}).CheckCaFile().ok());
  Status bad = HttpWebhookSender(WebhookSenderOptions{true, "/nonexistent/ca.pem", {}}).CheckCaFile();
  CHECK(bad.code() == Code::kInvalidArgument);
  CHECK(bad.message() == "cannot load CA file /nonexistent/ca.pem (PEM certificates expected)");
}

}  // namespace imagine
