#include "app/command_line.h"

#include <doctest/doctest.h>

#include <map>

namespace imagine {
namespace {

StatusOr<CommandLine> Parse(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  return ParseCommandLine(args, [&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

}  // namespace

TEST_CASE("every flag is read in both --flag value and --flag=value forms") {
  auto cl = Parse({"--host", "0.0.0.0", "--port=9000", "--config", "c.yaml", "--seed", "5", "--clock=virtual",
                   "--public-url", "https://emu.test/", "--log-level", "debug"});
  REQUIRE(cl.ok());
  CHECK(*cl->host == "0.0.0.0");
  CHECK(*cl->port == 9000);
  CHECK(*cl->config_path == "c.yaml");
  CHECK(*cl->seed == 5);
  CHECK(*cl->clock == ClockMode::kVirtual);
  CHECK(*cl->public_url == "https://emu.test");
  CHECK(*cl->log_level == "debug");
  CHECK_FALSE(cl->time_scale.has_value());
  CHECK(Parse({"--help"})->help);
  CHECK(Parse({"--version"})->version);
}

TEST_CASE("environment variables fill flags that were not given, flags win") {
  auto cl = Parse({"--port", "1"}, {{"IMAGINE_EMU_PORT", "2"}, {"IMAGINE_EMU_TIME_SCALE", "10"},
                                     {"IMAGINE_EMU_HOST", "::1"}, {"IMAGINE_EMU_LOG_LEVEL", "warn"}});
  REQUIRE(cl.ok());
  CHECK(*cl->port == 1);
  CHECK(*cl->time_scale == 10.0);
  CHECK(*cl->host == "::1");
  CHECK(*cl->log_level == "warn");
}

TEST_CASE("bad flags and values are refused with the flag's name") {
  struct Row {
    std::vector<std::string> args;
    std::string message;
  };
  const Row rows[] = {
      {{"--nope"}, "unknown flag --nope (see --help)"},
      {{"-p", "1"}, "unexpected argument '-p' (see --help)"},
      {{"--help=1"}, "--help takes no value"},
      {{"--seed"}, "--seed needs a value"},
      {{"--seed", "-1"}, "--seed: must be a non-negative integer (got \"-1\")"},
      {{"--time-scale", "fast"}, "--time-scale: must be a number > 0 (got \"fast\")"},
      {{"--public-url", "emu.test"}, "--public-url: must start with http:// or https:// (got \"emu.test\")"},
      {{"--log-level", "loud"}, "--log-level: must be debug, info, warn, error or off (got \"loud\")"},
      {{"--host", ""}, "--host: needs a host name or address"},
  };
  for (const Row& row : rows) {
    auto cl = Parse(row.args);
    INFO(row.message);
    CHECK(cl.status().code() == Code::kInvalidArgument);
    CHECK(cl.status().message() == row.message);
  }
  CHECK(Parse({}, {{"IMAGINE_EMU_CLOCK", "slow"}}).status().message() ==
        "IMAGINE_EMU_CLOCK: must be real or virtual (got \"slow\")");
}

TEST_CASE("ApplyCommandLine overrides the config and refuses conflicting combinations") {
  Config config;
  auto cl = Parse({"--port", "0", "--seed", "3", "--clock", "real", "--time-scale", "4"});
  REQUIRE(ApplyCommandLine(*cl, &config).ok());
  CHECK(config.server.port == 0);
  CHECK(config.seed == 3);
  CHECK(config.clock.time_scale == 4.0);

  Config virtual_config;
  virtual_config.clock.mode = ClockMode::kVirtual;
  auto scale_only = Parse({"--time-scale", "4"});
  CHECK(ApplyCommandLine(*scale_only, &virtual_config).code() == Code::kInvalidArgument);
  Config fresh;
  CHECK(ApplyCommandLine(*Parse({"--clock", "virtual", "--time-scale", "2"}), &fresh).code() == Code::kInvalidArgument);
  CHECK(ApplyCommandLine(*Parse({"--clock", "virtual"}), &fresh).ok());
}


TEST_CASE("--proxy takes provider=URL pairs and --drift-report a file, both reach the proxy config") {
  auto cl = Parse({"--proxy", "apikley=https://api.kie.test,evolink=https://api.evolink.test/x", "--drift-report=d.json"});
  REQUIRE(cl.ok());
  CHECK(cl->proxy->at("apikley") == "https://api.kie.test");
  CHECK(cl->proxy->at("evolink") == "https://api.evolink.test/x");
  auto config = LoadConfig("");
  REQUIRE(config.ok());
  CHECK(config->proxy.apikley.empty());  // proxy mode is off unless asked for
  CHECK_FALSE(config->proxy.allow_http);
  CHECK(ApplyCommandLine(*cl, &*config).ok());
  CHECK(config->proxy.apikley == "https://api.kie.test");
  CHECK(config->proxy.drift_report == "d.json");
  CHECK(Parse({}, {{"IMAGINE_EMU_PROXY", "evolink=https://e.test"}})->proxy->at("evolink") == "https://e.test");
  for (const char* bad : {"apikley", "apikley=", "openai=https://x", "apikley=https://a,apikley=https://b", ""}) {
    INFO(bad);
    CHECK(Parse({"--proxy", bad}).status().code() == Code::kInvalidArgument);
  }
}

}  // namespace imagine
