#include "common/url.h"

#include <doctest/doctest.h>

#include <string>

namespace imagine {

namespace {
std::string_view UrlHost(std::string_view url) {
  auto parts = SplitUrl(url);
  return parts.ok() ? parts->host : std::string_view();
}
}  // namespace

TEST_CASE("SplitUrl finds the host of an absolute URL") {
  CHECK(UrlHost("https://example.com/cb") == "example.com");
  CHECK(UrlHost("https://user:pw@example.com:8443/cb?x=1") == "example.com");
  CHECK(UrlHost("https://[::1]:443/cb") == "::1");
  CHECK(UrlHost("https://10.0.0.1") == "10.0.0.1");
  CHECK(UrlHost("not a url") == "");
}

TEST_CASE("IsPrivateHost covers loopback, private, link-local and unique-local ranges") {
  struct Row {
    const char* host;
    bool is_private;
  };
  const Row rows[] = {
      {"localhost", true},     {"LOCALHOST", true},     {"api.localhost", true},  {"127.0.0.1", true},
      {"127.255.0.9", true},   {"10.1.2.3", true},      {"172.16.0.1", true},     {"172.31.255.255", true},
      {"172.15.0.1", false},   {"172.32.0.1", false},   {"192.168.1.1", true},    {"192.169.1.1", false},
      {"169.254.169.254", true}, {"0.0.0.0", true},     {"::1", true},            {"::", true},
      {"fc00::1", true},       {"fd12:3456::1", true},  {"fe80::1", true},        {"::ffff:10.0.0.1", true},
      {"::ffff:8.8.8.8", false}, {"2001:db8::1", false}, {"8.8.8.8", false},      {"example.com", false},
      {"127.1", true},           {"2130706433", true},    {"0x7f.0.0.1", true},     {"10.1", true},
  };
  for (const Row& row : rows) {
    INFO(std::string(row.host));
    CHECK(IsPrivateHost(row.host) == row.is_private);
  }
}

TEST_CASE("issue 22: IsPrivateHost covers shared, benchmarking and reserved IPv4 and IPv4-compatible IPv6") {
  struct Row {
    const char* host;
    bool is_private;
  };
  const Row rows[] = {
      // 100.64.0.0/10, carrier-grade NAT / shared address space (100.100.100.200 is a cloud's metadata service)
      {"100.64.0.0", true},        {"100.100.100.200", true},     {"100.127.255.255", true},
      {"100.63.255.255", false},   {"100.128.0.0", false},
      // 198.18.0.0/15, benchmarking
      {"198.18.0.1", true},        {"198.19.255.255", true},      {"198.17.255.255", false},
      {"198.20.0.0", false},
      // 240.0.0.0/4, reserved (and the broadcast address)
      {"240.0.0.1", true},         {"255.255.255.255", true},     {"239.255.255.255", false},
      // the short and numeric forms of the same addresses
      {"1684301000", true},        {"0xc6.0x12.0.1", true},
      // IPv4-compatible IPv6 (::a.b.c.d, deprecated by RFC 4291): never a host to reach
      {"::127.0.0.1", true},       {"::7f00:1", true},            {"::10.0.0.1", true},
      {"::8.8.8.8", true},         {"::ffff:100.100.100.200", true}, {"::ffff:198.18.0.1", true},
      {"::ffff:240.0.0.1", true},  {"2001:db8::127.0.0.1", false},
  };
  for (const Row& row : rows) {
    INFO(std::string(row.host));
    CHECK(IsPrivateHost(row.host) == row.is_private);
  }
}

TEST_CASE("SplitUrl takes a URL apart without judging its characters") {
  auto p = SplitUrl("HTTPS://u:p@[::1]:8443/a b?x=1#frag");
  REQUIRE(p.ok());
  CHECK(p->scheme == "HTTPS");
  CHECK(p->has_authority);
  CHECK(p->userinfo == "u:p");
  CHECK(p->host == "::1");
  CHECK(p->ip_literal);
  CHECK(p->port == "8443");
  CHECK(p->path == "/a b");
  CHECK(p->query == "x=1");
  CHECK(p->fragment == "frag");
  CHECK(SplitUrl("no scheme").status().message() == "has no scheme");
  CHECK(SplitUrl("http://[::1/x").status().message() == "has an unterminated IPv6 host");
  CHECK(SplitUrl("http://[::1]x/").status().message() == "has junk after the IPv6 host");
  auto urn = SplitUrl("urn:isbn:0451450523");
  REQUIRE(urn.ok());
  CHECK_FALSE(urn->has_authority);
  CHECK(urn->path == "isbn:0451450523");
}

TEST_CASE("IsAbsoluteUri follows RFC 3986") {
  for (const char* good : {"https://e.com/a.png", "http://h:80/p?q#f", "urn:isbn:0451450523", "file:///x",
                           "https://[::1]/cb", "mailto:a@b.c", "https://e.com/%41"}) {
    INFO(std::string(good));
    CHECK(IsAbsoluteUri(good));
  }
  for (const char* bad : {"not a uri", "//e.com/a", "e.com", "https://e.com/a b", "http://h:8o/", "https://[]/",
                          "https://a@b@c/", "https://e.com/%4", "1http://e.com"}) {
    INFO(std::string(bad));
    CHECK_FALSE(IsAbsoluteUri(bad));
  }
}

}  // namespace imagine
