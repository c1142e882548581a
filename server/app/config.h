// Config: everything the emulator is told at start-up, parsed once from YAML (the
// embedded fixtures/default-config.yaml, then an optional --config file on top) into
// immutable option structs. Errors name the file, the line and the key.
#ifndef IMAGINE_APP_CONFIG_H_
#define IMAGINE_APP_CONFIG_H_

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "callbacks/callback_dispatcher.h"
#include "common/status.h"
#include "engine/accounts.h"
#include "engine/journal.h"
#include "engine/scenarios.h"
#include "providers/apikley/apikley_options.h"
#include "providers/evolink/evolink_options.h"

namespace imagine {

struct ServerOptions {
  std::string host = "127.0.0.1";  // bind address
  int port = 8080;                  // 0 = any free port
  std::string public_url;           // base of result links; "" = http://<host>:<bound port>
  int threads = 64;                 // request threads (each keep-alive connection holds one)
  int keep_alive_max_requests = 100000;
  int keep_alive_timeout_s = 30;
  int read_timeout_s = 10;
  size_t body_limit_bytes = 1 << 20;
};

enum class ClockMode { kReal, kVirtual };

struct ClockOptions {
  ClockMode mode = ClockMode::kReal;
  double time_scale = 1.0;  // real clock only; > 0
  int64_t start_ms = 0;     // emulated start instant; 0 = wall time
};

struct Config {
  uint64_t seed = 0;  // 0 = choose one at start-up
  std::string log_level = "info";
  bool self_check = false;       // validate every provider response against its spec (logs violations)
  RequestValidation validation;  // how strictly request bodies are checked (both providers)
  ServerOptions server;
  ClockOptions clock;
  int64_t result_ttl_s = 86400;
  ApikleyOptions apikley;
  EvolinkOptions evolink;
  AccountOptions accounts;                    // key profiles; provider_limits from <provider>.rate_limits
  std::vector<ScenarioRule> scenario_rules;   // scenarios.rules
  std::map<std::string, double> chaos;        // scenarios.chaos: name -> probability per create
  std::string admin_token;                    // "" = admin routes open; else they need Bearer <token>
  bool log_json = false;                      // log_format: json (one JSON object per line)
  JournalOptions journal;
  CallbackOptions callbacks;
  RetryPolicy apikley_callbacks{10000, {}};               // docs silent: one attempt, 10 s
  RetryPolicy evolink_callbacks{10000, {1000, 2000, 4000}};  // seed: 10 s timeout, retries after 1/2/4 s
};

// The effective config as JSON (GET /_emulator/config), secrets masked.
nlohmann::ordered_json ConfigToJson(const Config& config);

// Applies the YAML document `text` (named `source` in errors) on top of `config`.
// Only keys present change anything; unknown keys and bad values fail with
// "<source>:<line>: <key path>: <problem>" and leave `config` partly updated (callers
// discard it on error).
Status ApplyConfigYaml(std::string_view text, std::string_view source, Config* config);

// The embedded default config, then the file at `path` ("" = none) on top.
StatusOr<Config> LoadConfig(const std::string& path);

}  // namespace imagine

#endif  // IMAGINE_APP_CONFIG_H_
