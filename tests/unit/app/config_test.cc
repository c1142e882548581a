#include "app/config.h"

#include <doctest/doctest.h>

namespace imagine {

TEST_CASE("the embedded default config loads with every documented model") {
  auto config = LoadConfig("");
  REQUIRE(config.ok());
  CHECK(config->server.host == "127.0.0.1");
  CHECK(config->server.port == 8080);
  CHECK(config->clock.mode == ClockMode::kReal);
  CHECK(config->result_ttl_s == 86400);
  CHECK(config->apikley.http_status == ApikleyHttpStatus::kAlways200);
  CHECK(config->apikley.models.size() == 4);
  const ModelOptions& t2i = config->apikley.models.at("grok-imagine/text-to-image");
  CHECK(t2i.output == MediaKind::kImage);
  CHECK(t2i.outputs == 6);
  CHECK(t2i.timing.total_min_s == 5);
  CHECK(t2i.timing.total_max_s == 15);
  CHECK(config->apikley.models.at("grok-imagine/image-to-video").timing.total_max_s == 20);
  CHECK(config->apikley.models.at("grok-imagine/text-to-video").timing.total_max_s == 25);
  CHECK(config->evolink.models.size() == 2);
  CHECK_FALSE(config->evolink.allow_private_callbacks);
}

TEST_CASE("a YAML document applies on top: maps merge, values replace") {
  auto config = LoadConfig("");
  REQUIRE(config.ok());
  Config c = *config;
  REQUIRE(ApplyConfigYaml(R"(
server: {port: 9090}
apikley:
  http_status: mirror_code
  models:
    grok-imagine/text-to-video: {price: 99}
    grok-imagine/new-model: {output: image, outputs: 2}
)", "test.yaml", &c).ok());
  CHECK(c.server.port == 9090);
  CHECK(c.server.host == "127.0.0.1");
  CHECK(c.apikley.http_status == ApikleyHttpStatus::kMirrorCode);
  CHECK(c.apikley.models.at("grok-imagine/text-to-video").price == 99);
  CHECK(c.apikley.models.at("grok-imagine/text-to-video").timing.total_max_s == 25);  // kept
  CHECK(c.apikley.models.at("grok-imagine/new-model").outputs == 2);
  CHECK(ApplyConfigYaml("", "empty.yaml", &c).ok());
}

TEST_CASE("config errors name the source, the line and the key") {
  struct Row {
    const char* yaml;
    const char* message;
  };
  const Row rows[] = {
      {"seed: -4\n", "t.yaml:1: seed: must be a non-negative integer (got \"-4\")"},
      {"\nlog_level: loud\n", "t.yaml:2: log_level: must be debug | info | warn | error | off (got \"loud\")"},
      {"colck: {}\n",
       "t.yaml:1: colck: unknown key (expected one of: server, clock, seed, log_level, log_format, self_check, validation, "
       "results, accounts, scenarios, admin, journal, callbacks, apikley, evolink)"},
      {"clock:\n  time_scale: 0\n", "t.yaml:2: clock.time_scale: must be a number > 0 (got \"0\")"},
      {"accounts:\n  keys:\n    k: {user_group: gold}\n",
       "t.yaml:3: accounts.keys.k.user_group: must be one of: default, vip (got \"gold\")"},
      {"accounts:\n  keys:\n    k: {credits: -1}\n",
       "t.yaml:3: accounts.keys.k.credits: must be greater than or equal to 0 (got -1)"},
      {"accounts:\n  default: {colour: red}\n", "t.yaml:2: accounts.default.colour: is not allowed (got \"red\")"},
      {"apikley:\n  rate_limits: {burst: {count: 2}}\n", "t.yaml:2: apikley.rate_limits.burst.window_s: is required"},
      {"scenarios:\n  rules:\n    - {scenario: x, endpoint: upload}\n",
       "t.yaml:3: scenarios.rules[0].endpoint: must be one of: create, query (got \"upload\")"},
      {"scenarios:\n  chaos: {generation_failed: 2}\n", "t.yaml:2: scenarios.chaos.generation_failed: must be a probability from 0 to 1"},
      {"evolink:\n  models:\n    m: {output: audio}\n",
       "t.yaml:3: evolink.models.m.output: must be one of video | image (got \"audio\")"},
      {"server: 5\n", "t.yaml:1: server: must be a mapping"},
      {"server: {port: 1}\nseed: 2\nserver: {port: 3}\n", "t.yaml:3: server: duplicate key"},
      {"- a\n", "t.yaml:1: : must be a mapping"},
      {"server: {port: [1]}\n", "t.yaml:1: server.port: must be an integer from 0 to 65535 (got a non-scalar)"},
  };
  for (const Row& row : rows) {
    Config c;
    Status s = ApplyConfigYaml(row.yaml, "t.yaml", &c);
    INFO(std::string(row.yaml));
    CHECK(s.code() == Code::kInvalidArgument);
    CHECK(s.message() == row.message);
  }
}

}  // namespace imagine
