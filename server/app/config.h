// Config: everything the emulator is told at start-up, read once from YAML (the embedded
// fixtures/default-config.yaml, then an optional --config file on top, then environment
// variables and flags) against schemas/config.schema.yaml into option structs that each
// component gets its part of. Errors name the file, the line and the key.
#ifndef IMAGINE_APP_CONFIG_H_
#define IMAGINE_APP_CONFIG_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/http_image_fetcher.h"
#include "callbacks/callback_dispatcher.h"
#include "common/status.h"
#include "engine/accounts.h"
#include "engine/journal.h"
#include "engine/scenarios.h"
#include "providers/registry.h"
#include "proxy/proxy_options.h"
#include "state/state_dir.h"

namespace imagine {

// The option structs below carry no defaults of their own: every default is stated once,
// in schemas/config.schema.yaml, and a Config is only ever made by the reader from a
// document with those defaults applied. (Component option structs such as
// HttpServerOptions keep in-code defaults for standalone use; config_test.cc checks they
// agree with the schema.)
struct ServerOptions {
  std::string host;            // bind address
  int port = 0;                // 0 = any free port
  std::string public_url;      // base of result links; "" = http://<host>:<bound port>
  std::vector<std::string> allowed_hosts;  // Host names the control API answers besides its own
                                           // ("name", ".domain", "all"; admin/host_allow_list.h)
  int threads = 0;             // request threads
  int keep_alive_max_requests = 0;
  int keep_alive_timeout_s = 0;
  int read_timeout_s = 0;
  int write_timeout_s = 0;
  size_t body_limit_bytes = 0;
  std::map<std::string, int> listen;  // provider name -> a port of its own (0 = any free one), same host
};

enum class ClockMode { kReal, kVirtual };

struct ClockOptions {
  ClockMode mode = ClockMode::kReal;
  double time_scale = 0;  // real clock only; > 0
  int64_t start_ms = 0;   // emulated start instant; 0 = wall time
};

// What every provider has in the config, whichever provider it is (the catalog's providers,
// providers/provider_catalog.h). Its rate limits go to AccountOptions::provider_limits.
struct ProviderConfig {
  nlohmann::json section = nlohmann::json::object();  // `<name>:` as resolved; the dialect reads its own keys
  std::map<std::string, ModelOptions> models;           // `<name>.models`
  RetryPolicy callbacks;                                // `callbacks.<name>`
  std::string upstream;                                 // `proxy.<name>`: its live API ('' = emulate it)
};

// One entry of scenarios.outages as the file says it; start-up makes its rule
// (engine/outages.h MakeOutageRule) and names the entry if that fails.
struct OutageConfig {
  std::string provider;
  std::string kind;   // "" = maintenance
  double for_s = 0;   // 0 = no time bound
  int times = -1;     // -1 = unlimited
};

struct Config {
  uint64_t seed = 0;             // 0 = choose one at start-up
  std::string log_level;         // debug | info | warn | error | off
  bool self_check = false;       // validate every provider response against its spec (logs violations)
  RequestValidation validation;  // how strictly request bodies are checked (both providers)
  ServerOptions server;
  ClockOptions clock;
  int64_t result_ttl_s = 0;
  size_t max_stored_tasks = 0;                // tasks.max_stored
  size_t max_stored_bytes = 0;                // tasks.max_stored_bytes
  std::map<std::string, ProviderConfig> providers;  // by provider name: every provider of the catalog
  AccountOptions accounts;                    // key profiles; provider_limits from <provider>.rate_limits
  std::vector<ScenarioRule> scenario_rules;   // scenarios.rules
  std::vector<OutageConfig> outages;          // scenarios.outages
  std::map<std::string, double> chaos;        // scenarios.chaos: name -> probability per create
  std::string admin_token;                    // "" = admin routes open; else they need Bearer <token>
  bool admin_protect_health = false;          // the token guards GET /_emulator/health too
  bool log_json = false;                      // log_format: json (one JSON object per line)
  JournalOptions journal;
  CallbackOptions callbacks;
  ImageFetchOptions inputs;                   // inputs (verify_tls / ca_file from callbacks)
  SchemaSources schemas;                      // schemas.dir, schemas.models
  ProxyOptions proxy;                         // proxy: (off unless an upstream URL is set)
  StateOptions state;                         // state: (off unless state.dir is set)
};

// The effective config as JSON in the schema's shape (GET /_emulator/config shows it with
// `mask_secrets`: the admin token and HMAC keys as "********").
nlohmann::ordered_json ConfigToJson(const Config& config, bool mask_secrets = true);

// The Config a document describes. Precondition: `doc` satisfies the config schema with
// its defaults applied (ConfigDocument::Resolve).
Config ConfigFromJson(const nlohmann::json& doc);

// Applies the YAML document `text` (named `source` in errors) on top of `config`: only
// keys present change anything. Unknown keys and bad values fail with
// "<source>:<line>: <key path>: <problem>" and leave `config` untouched.
Status ApplyConfigYaml(std::string_view text, std::string_view source, Config* config);

// Writes `layer` (JSON in the schema's shape, credited to `source`, e.g. "--port") on top
// of `config`, checked like a file.
Status ApplyConfigJson(const nlohmann::json& layer, std::string_view source, Config* config);

// One value given outside a file, e.g. by a flag: {"server":{"port":9000}} from "--port".
struct ConfigLayer {
  std::string source;     // "--port", "IMAGINE_EMU_PORT"
  std::string text;       // the value as given
  nlohmann::json value;   // JSON in the schema's shape
  // The value was checked against its key's schema and the key's place in the schema relates it
  // to no other key (ConfigDocument::ChecksAlone): the merged config is then not checked whole.
  bool checked_alone = false;
};

// Writes `layers` on top of `config`, each after the one before (a later one wins), checked
// like a file (unless every layer is checked_alone: then only the cross-field checks are
// made); an error names the layer's source. `config` is unchanged on any error.
Status ApplyConfigLayers(const std::vector<ConfigLayer>& layers, Config* config);

// The embedded default config, then the file at `path` ("" = none) on top.
StatusOr<Config> LoadConfig(const std::string& path);
// LoadConfig(path), then ApplyConfigLayers(layers) over it. With no file, no provider-added
// default config and every layer checked_alone, in one pass: the layers are merged into the
// embedded default's document before its one resolve (start-up's common case).
StatusOr<Config> LoadConfig(const std::string& path, const std::vector<ConfigLayer>& layers);

}  // namespace imagine

#endif  // IMAGINE_APP_CONFIG_H_
