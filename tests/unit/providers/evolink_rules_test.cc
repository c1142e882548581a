#include "providers/evolink/rules.h"

#include <doctest/doctest.h>

namespace imagine::evolink {

TEST_CASE("UrlHost extracts the host of an absolute URL") {
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

TEST_CASE("callback_url must be HTTPS and public unless allow_private_callbacks") {
  EvolinkOptions strict;
  EvolinkOptions local;
  local.allow_private_callbacks = true;
  struct Row {
    const char* url;
    const char* rule;  // "" = accepted by the strict options
  };
  const Row rows[] = {
      {"https://example.com/cb", ""},
      {"http://example.com/cb", "callback_url_https"},
      {"https://127.0.0.1:9000/cb", "callback_url_public"},
      {"https://192.168.0.5/cb", "callback_url_public"},
      {"https://[::1]/cb", "callback_url_public"},
  };
  for (const Row& row : rows) {
    nlohmann::json body = {{"callback_url", row.url}};
    INFO(std::string(row.url));
    Status s = CheckRules(RuleContext{body, strict});
    CHECK(s.violation().rule == row.rule);
    if (!s.ok()) {
      CHECK(s.violation().pointer == "/callback_url");
    }
    CHECK(CheckRules(RuleContext{body, local}).ok());
  }
  CHECK(CheckRules(RuleContext{nlohmann::json::object(), strict}).ok());
}

}  // namespace imagine::evolink
