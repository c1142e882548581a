#include "providers/evolink/rules.h"

#include <doctest/doctest.h>

namespace imagine::evolink {

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
    const std::string model = "m";
    RuleContext ctx{body, model, "key", 0, nullptr, std::nullopt, Provider{}};
    Status s = CheckRules(Rules(strict), ctx);
    CHECK(s.violation().rule == row.rule);
    if (!s.ok()) {
      CHECK(s.violation().pointer == "/callback_url");
    }
    CHECK(CheckRules(Rules(local), ctx).ok());
  }
  const nlohmann::json empty = nlohmann::json::object();
  const std::string model = "m";
  RuleContext none{empty, model, "key", 0, nullptr, std::nullopt, Provider{}};
  CHECK(CheckRules(Rules(strict), none).ok());
}

}  // namespace imagine::evolink
