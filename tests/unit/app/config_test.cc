#include "app/config.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <set>

#include "app/config_document.h"
#include "common/resources.h"
#include "callbacks/retry_policy.h"
#include "http/http_server.h"
#include "providers/evolink/evolink_options.h"
#include "support/scratch.h"

#include <doctest/doctest.h>

namespace imagine {

TEST_CASE("the embedded default config loads with every documented model") {
  auto config = LoadConfig("");
  REQUIRE(config.ok());
  CHECK(config->server.host == "127.0.0.1");
  CHECK(config->server.port == 8080);
  CHECK(config->clock.mode == ClockMode::kReal);
  CHECK(config->result_ttl_s == 86400);
  CHECK(config->providers.at("apikley").section.at("http_status") == "always_200");
  CHECK(config->providers.at("apikley").models.size() == 4);
  const ModelOptions& t2i = config->providers.at("apikley").models.at("grok-imagine/text-to-image");
  CHECK(t2i.output == MediaKind::kImage);
  CHECK(t2i.outputs == 6);
  CHECK(t2i.timing.total_min_s == 5);
  CHECK(t2i.timing.total_max_s == 15);
  CHECK(config->providers.at("apikley").models.at("grok-imagine/image-to-video").timing.total_max_s == 20);
  CHECK(config->providers.at("apikley").models.at("grok-imagine/text-to-video").timing.total_max_s == 25);
  CHECK(config->providers.at("evolink").models.size() == 2);
  CHECK_FALSE(config->providers.at("evolink").section.at("allow_private_callbacks").get<bool>());
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
  CHECK(c.providers.at("apikley").section.at("http_status") == "mirror_code");
  CHECK(c.providers.at("apikley").models.at("grok-imagine/text-to-video").price == 99);
  CHECK(c.providers.at("apikley").models.at("grok-imagine/text-to-video").timing.total_max_s == 25);  // kept
  CHECK(c.providers.at("apikley").models.at("grok-imagine/new-model").outputs == 2);
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
       "t.yaml:1: colck: unknown key (expected one of: accounts, admin, apikley, callbacks, clock, evolink, inputs, "
       "journal, log_format, log_level, proxy, results, scenarios, schemas, seed, self_check, server, state, tasks, "
       "validation, xai)"},
      {"clock:\n  time_scale: 0\n", "t.yaml:2: clock.time_scale: must be a number > 0 (got \"0\")"},
      {"accounts:\n  keys:\n    k: {user_group: gold}\n",
       "t.yaml:3: accounts.keys.k.user_group: must be one of: default, vip (got \"gold\")"},
      {"accounts:\n  keys:\n    k: {credits: -1}\n",
       "t.yaml:3: accounts.keys.k.credits: must be greater than or equal to 0 (got -1)"},
      {"accounts:\n  default: {colour: red}\n",
       "t.yaml:2: accounts.default.colour: unknown key (expected one of: allowed_models, callback_faults, credits, "
       "default_scenario, rate_limits, revoked, user_group, webhook_hmac_key)"},
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
  const Config loaded = *LoadConfig("");
  for (const Row& row : rows) {
    Config c = loaded;
    Status s = ApplyConfigYaml(row.yaml, "t.yaml", &c);
    INFO(std::string(row.yaml));
    CHECK(s.code() == Code::kInvalidArgument);
    CHECK(s.message() == row.message);
  }
}

}  // namespace imagine

namespace imagine {
namespace {

// True when some node of the schema carries a hand-written message for unknown keys.
bool HasHandWrittenKeyList(const nlohmann::json& node) {
  if (node.is_object() && node.contains("x-unknown-key-message")) return true;
  if (!node.is_structured()) return false;
  for (const auto& [key, value] : node.items()) {
    if (HasHandWrittenKeyList(value)) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("an unknown key's message lists the mapping's declared keys, read from the schema (no hand-written lists)") {
  CHECK_FALSE(HasHandWrittenKeyList(ConfigDocument::SchemaJson()));
  const Config loaded = *LoadConfig("");
  struct Row {
    const char* yaml;
    const char* message;
  };
  const Row rows[] = {
      {"server: {prot: 1}\n",
       "t.yaml:1: server.prot: unknown key (expected one of: allowed_hosts, body_limit_bytes, host, "
       "keep_alive_max_requests, keep_alive_timeout_s, listen, port, public_url, read_timeout_s, threads, write_timeout_s)"},
      {"tasks: {max_store: 1}\n", "t.yaml:1: tasks.max_store: unknown key (expected one of: max_stored, max_stored_bytes)"},
      {"apikley:\n  rate_limits: {burst: {count: 2, window_s: 1, x: 1}}\n",
       "t.yaml:2: apikley.rate_limits.burst.x: unknown key (expected one of: count, window_s)"},
  };
  for (const Row& row : rows) {
    Config c = loaded;
    Status s = ApplyConfigYaml(row.yaml, "t.yaml", &c);
    INFO(std::string(row.yaml));
    CHECK(s.message() == row.message);
  }
}

TEST_CASE("the defaults stated in the config schema are the components' own defaults") {
  // A document with nothing in it but the schema's defaults.
  ConfigDocument doc;
  auto resolved = doc.Resolve();
  REQUIRE_MESSAGE(resolved.ok(), resolved.status().ToString());
  const Config c = ConfigFromJson(*resolved);
  const HttpServerOptions http;
  CHECK(c.server.host == http.host);
  CHECK(c.server.port == http.port);
  CHECK(c.server.threads == http.threads);
  CHECK(c.server.keep_alive_max_requests == http.keep_alive_max_requests);
  CHECK(c.server.keep_alive_timeout_s == http.keep_alive_timeout_s);
  CHECK(c.server.read_timeout_s == http.read_timeout_s);
  CHECK(c.server.write_timeout_s == http.write_timeout_s);
  CHECK(c.server.body_limit_bytes == http.body_limit_bytes);
  const RequestValidation validation;
  CHECK(c.validation.max_depth == validation.max_depth);
  CHECK(c.validation.strict == validation.strict);
  const JournalOptions journal;
  CHECK(c.journal.capacity == journal.capacity);
  CHECK(c.journal.max_body_bytes == journal.max_body_bytes);
  const CallbackOptions callbacks;
  CHECK(c.callbacks.workers == callbacks.workers);
  CHECK(c.callbacks.queue_capacity == callbacks.queue_capacity);
  CHECK(c.callbacks.verify_tls == callbacks.verify_tls);
  CHECK(c.providers.at("apikley").callbacks.timeout_ms == ApikleyRetryPolicy().timeout_ms);
  CHECK(c.providers.at("apikley").callbacks.retry_delays_ms == ApikleyRetryPolicy().retry_delays_ms);
  CHECK(c.providers.at("evolink").callbacks.timeout_ms == EvolinkRetryPolicy().timeout_ms);
  CHECK(c.providers.at("evolink").callbacks.retry_delays_ms == EvolinkRetryPolicy().retry_delays_ms);
  const KeyProfile profile;
  CHECK(c.accounts.default_profile.credits == profile.credits);
  CHECK(c.accounts.default_profile.user_group == profile.user_group);
  CHECK(c.accounts.default_profile.revoked == profile.revoked);
  CHECK(c.result_ttl_s * 1000 == EngineOptions{}.result_ttl_ms);
  // The dialects read their own keys; absent ones mean the options' defaults.
  CHECK(c.providers.at("apikley").section.at("http_status") == "always_200");
  CHECK(c.providers.at("apikley").section.at("unknown_task") == "record_info_null");
  CHECK(c.providers.at("evolink").section.at("allow_private_callbacks") == EvolinkOptions{}.allow_private_callbacks);
  CHECK(c.clock.time_scale == 1.0);
  CHECK(c.log_level == "info");
}

TEST_CASE("a config round-trips through its JSON form") {
  Config c = *LoadConfig("");
  REQUIRE(ApplyConfigYaml("seed: 7\naccounts: {keys: {s: {webhook_hmac_key: k1}}}\nscenarios: {chaos: {slow: 0.5}}\n",
                          "t.yaml", &c)
              .ok());
  Config again = c;
  REQUIRE(ApplyConfigYaml("", "empty.yaml", &again).ok());
  CHECK(ConfigToJson(again, false) == ConfigToJson(c, false));
  CHECK(again.accounts.keys.at("s").webhook_hmac_key == "k1");
  CHECK(ConfigToJson(c)["accounts"]["keys"]["s"]["webhook_hmac_key"] == "********");
}

TEST_CASE("every key of the resolved config document reads into the Config and writes back the same") {
  // A key declared in the schema but missing from app/config_fields.cc (or the providers'
  // loop in config.cc) is absent from the JSON form, and this diff names it.
  ConfigDocument doc;
  auto embedded = FindResource("fixtures/default-config.yaml");
  REQUIRE(embedded);
  REQUIRE(doc.MergeYaml(*embedded, "default-config.yaml").ok());
  REQUIRE(doc.MergeYaml("accounts: {keys: {a: {credits: 5}}}\nscenarios: {rules: [{scenario: slow, provider: evolink}]}\n"
                        "journal: {file: j.jsonl}\nstate: {fsync: always}\n",
                        "more.yaml")
              .ok());
  auto resolved = doc.Resolve();
  REQUIRE(resolved.ok());
  // The JSON form leaves out what equals its default (an empty HMAC key, the default limit
  // scope), so it is compared after its own defaults are applied again.
  ConfigDocument again;
  again.MergeJson(nlohmann::json::parse(ConfigToJson(ConfigFromJson(*resolved), false).dump()), ConfigDocument::Origin{});
  auto written = again.Resolve();
  REQUIRE(written.ok());
  CHECK_MESSAGE(*written == *resolved, nlohmann::json::diff(*resolved, *written).dump());
}

TEST_CASE("config values beyond their bounds are refused, not truncated (issue 14)") {
  const Config loaded = *LoadConfig("");
  for (const char* yaml : {"callbacks: {evolink: {timeout_s: 1e68}}\n", "callbacks: {evolink: {timeout_s: .inf}}\n",
                           "callbacks: {evolink: {retries_s: [1e30]}}\n", "server: {port: 3000000000}\n",
                           "journal: {capacity: 1e20}\n", "scenarios: {rules: [{scenario: slow, times: 3000000000}]}\n"}) {
    Config c = loaded;
    INFO(std::string(yaml));
    CHECK(ApplyConfigYaml(yaml, "t.yaml", &c).code() == Code::kInvalidArgument);
  }
}

TEST_CASE("a YAML alias bomb is refused quickly") {
  std::string yaml = "a: &a [x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char name = 'b'; name <= 'j'; ++name, ++prev) {
    yaml += std::string(1, name) + ": &" + name + " [";
    for (int i = 0; i < 9; ++i) yaml += std::string(i ? ", *" : "*") + prev;
    yaml += "]\n";
  }
  Config c = *LoadConfig("");
  Status s = ApplyConfigYaml("scenarios: {chaos: {}}\nx-bomb: 1\n" + yaml, "bomb.yaml", &c);
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(s.message().find("an alias bomb") != std::string::npos);
}

TEST_CASE("issue 14: a partly written callback policy keeps the provider's defaults for the rest") {
  const std::string path = testing::ScratchPath("config-", ".yaml");
  {
    std::ofstream out(path);
    out << "callbacks: {apikley: {timeout_s: 2}, evolink: {retries_s: [5]}}\n";
  }
  auto config = LoadConfig(path);
  std::remove(path.c_str());
  REQUIRE(config.ok());
  CHECK(config->providers.at("apikley").callbacks.timeout_ms == 2000);
  CHECK(config->providers.at("apikley").callbacks.retry_delays_ms.empty());
  CHECK(config->providers.at("evolink").callbacks.timeout_ms == 10000);
  CHECK(config->providers.at("evolink").callbacks.retry_delays_ms == std::vector<int64_t>{5000});
}

}  // namespace imagine
