// Unit tests for reading the config without compiling its schema (ConfigDocument::ResolveTrusted,
// ChecksAlone): the embedded default config satisfies the schema (start-up no longer checks it),
// and what start-up reads, with or without flags, is what checking everything gave.
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "app/command_line.h"
#include "app/config.h"
#include "app/config_document.h"
#include "app/flag_table.h"
#include "common/resources.h"
#include "spec/embedded_documents.h"
#include "support/scratch.h"

namespace imagine {
namespace {

// The embedded default config as a document (what LoadConfig("") merges).
ConfigDocument EmbeddedDefault() {
  ConfigDocument doc;
  auto text = FindResource("fixtures/default-config.yaml");
  REQUIRE(text);
  auto parsed = ParseEmbeddedDocument("fixtures/default-config.yaml");
  REQUIRE(parsed.ok());
  doc.MergePreparsedYaml(*parsed, *text, "default-config.yaml (embedded)");
  return doc;
}

TEST_CASE("the embedded default config satisfies the config schema, so start-up need not check it") {
  ConfigDocument doc = EmbeddedDefault();
  auto checked = doc.Resolve();  // compiles the schema and checks every key
  REQUIRE_MESSAGE(checked.ok(), checked.status().message());
  auto trusted = doc.ResolveTrusted();
  REQUIRE(trusted.ok());
  CHECK_MESSAGE(trusted->dump() == checked->dump(), nlohmann::json::diff(*checked, *trusted).dump());
  auto loaded = LoadConfig("");
  REQUIRE(loaded.ok());
  CHECK(ConfigToJson(*loaded, false) == ConfigToJson(ConfigFromJson(*checked), false));
}

TEST_CASE("every flag's key is checked alone, so flags need no check of the whole config") {
  auto flags = SchemaFlags();
  REQUIRE(flags.ok());
  for (const FlagSpec& f : *flags) {
    INFO(f.name, " at ", f.pointer);
    CHECK(ConfigDocument::ChecksAlone(f.pointer, f.kind == FlagKind::kPairs));
  }
  CHECK_FALSE(ConfigDocument::ChecksAlone("", false));
  CHECK_FALSE(ConfigDocument::ChecksAlone("/no/such/key", false));
  CHECK_FALSE(ConfigDocument::ChecksAlone("/accounts/keys/k/rate_limits/burst/count", false));  // under a $ref
}

TEST_CASE("flags applied without the whole check give the config the whole check gave") {
  const std::vector<std::vector<std::string>> command_lines = {
      {"--port", "9001", "--log-level", "off"},
      {},
      {"--time-scale", "3", "--clock", "virtual"},  // refused: the same words either way
      {"--host", "0.0.0.0", "--public-url", "https://emu.example", "--allowed-hosts", "a.example, .b.example",
       "--listen", "xai=0,apikley=8123", "--seed", "7", "--self-check", "--clock", "virtual"},
      {"--proxy", "evolink=https://api.example", "--time-scale", "2.5", "--admin-token", "t", "--drift-report", "d.json"},
      {"--max-stored-bytes", "8192", "--state-dir", "/tmp/x", "--state-fsync", "always", "--max-stored-tasks", "5", "--log-format", "json", "--inputs-fetch", "on"},
  };
  for (const auto& args : command_lines) {
    std::string joined;
    for (const std::string& a : args) joined += a + " ";
    INFO(joined);
    auto cl = ParseCommandLine(args, [](const char*) -> const char* { return nullptr; });
    REQUIRE_MESSAGE(cl.ok(), cl.status().message());
    for (const ConfigLayer& layer : cl->layers) CHECK(layer.checked_alone);
    CommandLine checked_whole = *cl;
    for (ConfigLayer& layer : checked_whole.layers) layer.checked_alone = false;
    auto base = LoadConfig("");
    REQUIRE(base.ok());
    Config fast = *base, whole = *base;
    Status fast_status = ApplyCommandLine(*cl, &fast);
    Status whole_status = ApplyCommandLine(checked_whole, &whole);
    CHECK(fast_status.message() == whole_status.message());
    CHECK(ConfigToJson(fast, false) == ConfigToJson(whole, false));
    auto one_pass = LoadCommandLineConfig(*cl);  // what main runs: the flags merged before one resolve
    CHECK(one_pass.status().message() == whole_status.message());
    if (one_pass.ok()) CHECK(ConfigToJson(*one_pass, false) == ConfigToJson(whole, false));
  }
}

}  // namespace
}  // namespace imagine

namespace imagine {
namespace {

// A YAML file holding `text`, in the test's scratch directory.
std::string YamlFile(const std::string& text) {
  const std::string path = testing::ScratchPath("config", ".yaml");
  std::ofstream(path) << text;
  return path;
}

TEST_CASE("LoadCommandLineConfig gives the errors LoadConfig and ApplyCommandLine gave, in their order") {
  const std::string file = YamlFile("server: {port: 99999}\n");
  auto bad_file = ParseCommandLine({"--config", file, "--port", "1"}, [](const char*) -> const char* { return nullptr; });
  REQUIRE(bad_file.ok());
  auto loaded = LoadCommandLineConfig(*bad_file);
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.status().message() == LoadConfig(file).status().message());
  CHECK(loaded.status().message() == file + ":1: server.port: must be an integer from 0 to 65535 (got \"99999\")");

  const std::string good = YamlFile("clock: {mode: virtual}\n");
  auto conflict = ParseCommandLine({"--config", good, "--time-scale", "2"}, [](const char*) -> const char* { return nullptr; });
  REQUIRE(conflict.ok());
  auto refused = LoadCommandLineConfig(*conflict);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message() ==
        "--time-scale applies to --clock real only; a virtual clock moves via POST /_emulator/clock/advance");
}

}  // namespace
}  // namespace imagine
