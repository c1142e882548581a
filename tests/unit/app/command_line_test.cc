#include "app/command_line.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "app/config_document.h"
#include "app/flag_table.h"
#include "providers/provider_catalog.h"

namespace imagine {
namespace {

StatusOr<CommandLine> Parse(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  return ParseCommandLine(args, [&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

// The embedded default config with the command line's layers over it.
Config Applied(const CommandLine& cl) {
  auto config = LoadConfig("");
  REQUIRE(config.ok());
  REQUIRE(ApplyCommandLine(cl, &*config).ok());
  return *config;
}

}  // namespace

TEST_CASE("every flag is read in both --flag value and --flag=value forms") {
  auto cl = Parse({"--host", "0.0.0.0", "--port=9000", "--config", "c.yaml", "--seed", "5", "--clock=virtual",
                   "--public-url", "https://emu.test/", "--log-level", "debug", "--self-check"});
  REQUIRE(cl.ok());
  CHECK(*cl->config_path == "c.yaml");
  CHECK(cl->layers.size() == 7);  // one per flag that sets a key
  CHECK(cl->layers[1].source == "--port");
  CHECK(cl->layers[1].value == nlohmann::json::parse(R"({"server":{"port":9000}})"));
  const Config c = Applied(*cl);
  CHECK(c.server.host == "0.0.0.0");
  CHECK(c.server.port == 9000);
  CHECK(c.seed == 5);
  CHECK(c.clock.mode == ClockMode::kVirtual);
  CHECK(c.server.public_url == "https://emu.test");
  CHECK(c.log_level == "debug");
  CHECK(c.self_check);
  CHECK(c.clock.time_scale == 1.0);  // not given: the default's
  CHECK(Parse({"--help"})->help);
  CHECK(Parse({"--version"})->version);
}

TEST_CASE("environment variables fill flags that were not given, flags win") {
  auto cl = Parse({"--port", "1"}, {{"IMAGINE_EMU_PORT", "2"}, {"IMAGINE_EMU_TIME_SCALE", "10"},
                                     {"IMAGINE_EMU_HOST", "::1"}, {"IMAGINE_EMU_LOG_LEVEL", "warn"},
                                     {"IMAGINE_EMU_SELF_CHECK", "1"}, {"IMAGINE_EMU_ALLOWED_HOSTS", "a.test, .b.test"}});
  REQUIRE(cl.ok());
  const Config c = Applied(*cl);
  CHECK(c.server.port == 1);
  CHECK(c.clock.time_scale == 10.0);
  CHECK(c.server.host == "::1");
  CHECK(c.log_level == "warn");
  CHECK(c.self_check);
  CHECK(c.server.allowed_hosts == std::vector<std::string>{"a.test", ".b.test"});
  CHECK(cl->layers.back().source == "--port");  // the flags' layers come last: they win
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
      {{"--public-url", "emu.test"}, "--public-url: must be \"\" or start with http:// or https:// (got \"emu.test\")"},
      {{"--public-url", ""}, "--public-url: must not be empty"},
      {{"--log-level", "loud"}, "--log-level: must be debug | info | warn | error | off (got \"loud\")"},
      {{"--host", ""}, "--host: must be a host name or address (got \"\")"},
      {{"--max-stored-tasks", "0"}, "--max-stored-tasks: must be an integer from 1 to 100000000 (got \"0\")"},
      {{"--self-check=1"}, "--self-check takes no value"},
      {{"--config", ""}, "--config: needs a file path"},
  };
  for (const Row& row : rows) {
    auto cl = Parse(row.args);
    INFO(row.message);
    CHECK(cl.status().code() == Code::kInvalidArgument);
    CHECK(cl.status().message() == row.message);
  }
  CHECK(Parse({}, {{"IMAGINE_EMU_CLOCK", "slow"}}).status().message() ==
        "IMAGINE_EMU_CLOCK: must be one of real | virtual (got \"slow\")");
  CHECK(Parse({}, {{"IMAGINE_EMU_SELF_CHECK", "yes"}}).status().message() ==
        "IMAGINE_EMU_SELF_CHECK: must be true or false (got \"yes\")");
}

TEST_CASE("ApplyCommandLine overrides the config and refuses conflicting combinations") {
  auto config = LoadConfig("");
  REQUIRE(config.ok());
  auto cl = Parse({"--port", "0", "--seed", "3", "--clock", "real", "--time-scale", "4"});
  REQUIRE(ApplyCommandLine(*cl, &*config).ok());
  CHECK(config->server.port == 0);
  CHECK(config->seed == 3);
  CHECK(config->clock.time_scale == 4.0);

  Config virtual_config = *LoadConfig("");
  virtual_config.clock.mode = ClockMode::kVirtual;
  auto scale_only = Parse({"--time-scale", "4"});
  CHECK(ApplyCommandLine(*scale_only, &virtual_config).message() ==
        "--time-scale applies to --clock real only; a virtual clock moves via POST /_emulator/clock/advance");
  CHECK(virtual_config.clock.time_scale == 1.0);  // unchanged on an error
  Config fresh = *LoadConfig("");
  CHECK(ApplyCommandLine(*Parse({"--clock", "virtual", "--time-scale", "2"}), &fresh).code() == Code::kInvalidArgument);
  CHECK(ApplyCommandLine(*Parse({"--clock", "virtual"}), &fresh).ok());
  CHECK(fresh.clock.mode == ClockMode::kVirtual);
}

TEST_CASE("--proxy takes provider=URL pairs and --drift-report a file, both reach the proxy config") {
  auto cl = Parse({"--proxy", "apikley=https://api.kie.test,evolink=https://api.evolink.test/x", "--drift-report=d.json"});
  REQUIRE(cl.ok());
  CHECK(cl->layers[0].value == nlohmann::json::parse(
                                   R"({"proxy":{"apikley":"https://api.kie.test","evolink":"https://api.evolink.test/x"}})"));
  auto config = LoadConfig("");
  REQUIRE(config.ok());
  CHECK(config->providers.at("apikley").upstream.empty());  // proxy mode is off unless asked for
  CHECK_FALSE(config->proxy.allow_http);
  CHECK(ApplyCommandLine(*cl, &*config).ok());
  CHECK(config->providers.at("apikley").upstream == "https://api.kie.test");
  CHECK(config->providers.at("evolink").upstream == "https://api.evolink.test/x");
  CHECK(config->proxy.drift_report == "d.json");
  CHECK(Applied(*Parse({}, {{"IMAGINE_EMU_PROXY", "evolink=https://e.test"}})).providers.at("evolink").upstream == "https://e.test");
  for (const char* bad : {"apikley", "apikley=", "openai=https://x", "apikley=https://a,apikley=https://b", "",
                          "allow_http=true"}) {
    INFO(bad);
    CHECK(Parse({"--proxy", bad}).status().code() == Code::kInvalidArgument);
  }
  CHECK(Parse({"--proxy", "openai=https://x"}).status().message() ==
        "--proxy: must be apikley=URL,evolink=URL,xai=URL (any of apikley, evolink, xai, each once; got "
        "\"openai=https://x\")");
}

TEST_CASE("--listen takes provider=port pairs, repeatable, typed as ports, and reaches server.listen") {
  auto cl = Parse({"--listen", "xai=8082", "--listen", "evolink=0,apikley=8084"});
  REQUIRE(cl.ok());
  CHECK(cl->layers[0].value == nlohmann::json::parse(R"({"server":{"listen":{"xai":8082}}})"));
  const Config c = Applied(*cl);
  CHECK(c.server.listen == std::map<std::string, int>{{"apikley", 8084}, {"evolink", 0}, {"xai", 8082}});
  CHECK(Applied(*Parse({})).server.listen.empty());  // one port for everything unless asked
  CHECK(Applied(*Parse({}, {{"IMAGINE_EMU_LISTEN", "xai=9000"}})).server.listen.at("xai") == 9000);
  CHECK(Parse({"--listen", "xai=port"}).status().message() == "--listen: xai: must be an integer from 0 to 65535 (got \"port\")");
  CHECK(Parse({"--listen", "xai=70000"}).status().message() ==
        "--listen: xai: must be an integer from 0 to 65535 (got \"70000\")");
  CHECK(Parse({"--listen", "openai=1"}).status().message() ==
        "--listen: must be PROVIDER=N (any of apikley, evolink, xai, each once; got \"openai=1\")");
}

TEST_CASE("--listen and --proxy take exactly the catalog's providers") {
  auto flags = SchemaFlags();
  REQUIRE(flags.ok());
  for (const char* name : {"listen", "proxy"}) {
    INFO(name);
    auto flag = std::find_if(flags->begin(), flags->end(), [&](const FlagSpec& f) { return f.name == name; });
    REQUIRE(flag != flags->end());
    CHECK(flag->keys == ProviderNamesInCatalog());
  }
}

TEST_CASE("a flag for a config key is declared by its x-flag alone: --max-stored-bytes") {
  // schemas/config.schema.yaml: tasks.max_stored_bytes has x-flag {name: max-stored-bytes, ...}
  // and nothing else in the code names the flag.
  auto cl = Parse({"--max-stored-bytes", "65536"});
  REQUIRE(cl.ok());
  CHECK(Applied(*cl).max_stored_bytes == 65536);
  CHECK(Applied(*Parse({}, {{"IMAGINE_EMU_MAX_STORED_BYTES", "8192"}})).max_stored_bytes == 8192);
  CHECK(Parse({"--max-stored-bytes=1"}).status().message() ==
        "--max-stored-bytes: must be an integer from 4096 to 1099511627776 bytes (got \"1\")");
  CHECK(UsageText().find("--max-stored-bytes N") != std::string::npos);
  CHECK(FlagTableMarkdown().find("| `--max-stored-bytes N` | `IMAGINE_EMU_MAX_STORED_BYTES` | `268435456` |") !=
        std::string::npos);
}

TEST_CASE("docs/configuration.md's flag table is the one schemas/config.schema.yaml makes") {
  std::ifstream in(IMAGINE_SOURCE_DIR "/docs/configuration.md", std::ios::binary);
  std::stringstream readme;
  readme << in.rdbuf();
  const std::string text = readme.str();
  const size_t start = text.find("| flag | environment | default | meaning |");
  REQUIRE(start != std::string::npos);
  const size_t end = text.find("\n\n", start);
  INFO("scripts/build docs-tables writes the generated table into docs/configuration.md");
  CHECK(text.substr(start, end + 1 - start) == FlagTableMarkdown());
  CHECK(WithFlagTable(text) == text);
}

TEST_CASE("the schema's x-flag annotations make a well-formed table") {
  auto flags = SchemaFlags();
  REQUIRE(flags.ok());
  CHECK(flags->size() == 20);
  for (const FlagSpec& f : *flags) {
    INFO(f.name);
    CHECK(ConfigDocument::SchemaFor(f.pointer).ok());
    CHECK(f.env.rfind("IMAGINE_EMU_", 0) == 0);
    CHECK_FALSE(f.help.empty());
  }
  const auto port = std::find_if(flags->begin(), flags->end(), [](const FlagSpec& f) { return f.name == "port"; });
  REQUIRE(port != flags->end());
  CHECK(port->pointer == "/server/port");
  CHECK(port->env == "IMAGINE_EMU_PORT");
  CHECK(port->kind == FlagKind::kNumber);
  CHECK(port->default_text == "`8080`");
}

TEST_CASE("OnlyAsksForVersion: only --version, and no IMAGINE_EMU_ variable to check") {
  const char* const quiet[] = {"PATH=/usr/bin", "HOME=/root", "IMAGINE_EMUX=1", nullptr};
  const char* const configured[] = {"PATH=/usr/bin", "IMAGINE_EMU_PORT=abc", nullptr};
  CHECK(OnlyAsksForVersion({"--version"}, quiet));
  CHECK(OnlyAsksForVersion({"--version", "--version"}, quiet));
  CHECK(OnlyAsksForVersion({"--version"}, nullptr));
  CHECK_FALSE(OnlyAsksForVersion({}, quiet));
  CHECK_FALSE(OnlyAsksForVersion({"--version", "--help"}, quiet));  // --help wins
  CHECK_FALSE(OnlyAsksForVersion({"--version", "--port", "1"}, quiet));
  CHECK_FALSE(OnlyAsksForVersion({"--version=1"}, quiet));
  CHECK_FALSE(OnlyAsksForVersion({"--version", "--bogus"}, quiet));  // refused by ParseCommandLine
  // A variable is read and checked even with --version: ParseCommandLine answers then.
  CHECK_FALSE(OnlyAsksForVersion({"--version"}, configured));
  auto parsed = Parse({"--version"}, {{"IMAGINE_EMU_PORT", "abc"}});
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message() == "IMAGINE_EMU_PORT: must be an integer from 0 to 65535 (got \"abc\")");
  // Every variable ParseCommandLine reads has the prefix OnlyAsksForVersion looks for.
  auto flags = SchemaFlags();
  REQUIRE(flags.ok());
  for (const FlagSpec& f : *flags) {
    INFO(f.name);
    CHECK(f.env.rfind("IMAGINE_EMU_", 0) == 0);
  }
}

TEST_CASE("WithFlagTable replaces the table only") {
  const std::string doc = "# x\n\n| flag | environment | default | meaning |\n|---|\n| old |\n\nafter\n";
  CHECK(WithFlagTable(doc) == "# x\n\n" + FlagTableMarkdown() + "\nafter\n");
  CHECK(WithFlagTable("no table\n") == "no table\n");
}

}  // namespace imagine
