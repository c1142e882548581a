// The control API as tools and probes use it (issue 16): the served OpenAPI documents,
// health open to probes when an admin token is set, keys told apart in task summaries,
// rules removed one by one, a masked HMAC key kept on PUT, -h, and the JSON start-up line.
#include <doctest/doctest.h>

#include "support/emulator_process.h"
#include "support/test_net.h"
#include "support/test_receiver.h"

namespace imagine::testing {
namespace {

const std::string kEvolinkBody = R"({"model":"grok-imagine-text-to-video","prompt":"x"})";

}  // namespace

TEST_CASE("issue 16: GET /_emulator/openapi/{document} serves the documents the emulator runs on") {
  EmulatorProcess emu;
  for (const char* name : {"admin", "apikley", "evolink"}) {
    INFO(name);
    Reply yaml = emu.Get(std::string("/_emulator/openapi/") + name + ".yaml");
    CHECK(yaml.status == 200);
    CHECK(yaml.content_type == "application/yaml");
    CHECK(yaml.body.find("openapi: 3") != std::string::npos);
    Reply json = emu.Get(std::string("/_emulator/openapi/") + name + ".json");
    CHECK(json.status == 200);
    CHECK(json.content_type == "application/json");
    CHECK(json.json().contains("paths"));
  }
  CHECK(emu.Get("/_emulator/openapi/evolink.yaml").body.find("/v1/videos/generations") != std::string::npos);
  // The admin document refers to the config schema; its JSON form carries it bundled, and the
  // YAML form's relative $ref resolves against the same folder.
  nlohmann::json admin = emu.Get("/_emulator/openapi/admin.json").json();
  CHECK(admin["x-emulator-bundled"]["config.schema.yaml"]["definitions"].contains("KeyProfile"));
  CHECK(emu.Get("/_emulator/openapi/admin.yaml").body.find("config.schema.yaml#/definitions/KeyProfile") !=
        std::string::npos);
  CHECK(emu.Get("/_emulator/openapi/config.schema.yaml").body.find("x-message: must be a mapping") != std::string::npos);
  Reply missing = emu.Get("/_emulator/openapi/nope.yaml");
  CHECK(missing.status == 404);
  CHECK(missing.json()["error"]["code"] == "not_found");
}

TEST_CASE("issue 16: health stays open for probes when an admin token is set, unless protect_health") {
  SUBCASE("open") {
    EmulatorProcess emu({"--clock", "virtual", "--admin-token", "s3cret"});
    CHECK(emu.Get("/_emulator/health").status == 200);
    CHECK(emu.Get("/_emulator/tasks").status == 401);
    CHECK(emu.Get("/_emulator/tasks", "s3cret").status == 200);
  }
  SUBCASE("protected") {
    std::string config = WriteTempFile("admin: {protect_health: true}\n");
    EmulatorProcess emu({"--clock", "virtual", "--config", config, "--admin-token", "s3cret"});
    CHECK(emu.Get("/_emulator/health").status == 401);
    CHECK(emu.Get("/_emulator/health", "s3cret").status == 200);
  }
}

TEST_CASE("issue 16: task summaries tell keys apart and name where the profile comes from") {
  EmulatorProcess emu;
  REQUIRE(emu.Post("/v1/videos/generations", kEvolinkBody, "demo-key").status == 200);
  REQUIRE(emu.Post("/v1/videos/generations", kEvolinkBody, "sk-live-0123456789abcdef").status == 200);
  REQUIRE(emu.Request("PUT", "/_emulator/keys/edited-key", R"({"credits":50})", {}, "application/json").status == 200);
  REQUIRE(emu.Post("/v1/videos/generations", kEvolinkBody, "edited-key").status == 200);
  std::map<std::string, std::pair<std::string, std::string>> seen;  // key (masked) -> label, profile
  const nlohmann::json all = emu.Get("/_emulator/tasks").json();
  for (const auto& t : all["tasks"]) {
    seen[t["key"].get<std::string>()] = {t["key_label"].get<std::string>(), t["key_profile"].get<std::string>()};
  }
  CHECK(seen["…-key"] != std::pair<std::string, std::string>{});  // both ready-looking keys end in -key
  CHECK(seen.at("…cdef") == std::pair<std::string, std::string>{"sk-l…cdef", "default"});
  nlohmann::json tasks = emu.Get("/_emulator/tasks?key=demo-key").json()["tasks"];
  REQUIRE(tasks.size() == 1);
  CHECK(tasks[0]["key_label"] == "demo-key");
  CHECK(tasks[0]["key_profile"] == "config");
  tasks = emu.Get("/_emulator/tasks?key=edited-key").json()["tasks"];
  REQUIRE(tasks.size() == 1);
  CHECK(tasks[0]["key_label"] == "edited-key");
  CHECK(tasks[0]["key_profile"] == "edited");
}

TEST_CASE("issue 16: DELETE /_emulator/scenarios/rules/{id} removes one rule") {
  EmulatorProcess emu;
  int first = emu.Post("/_emulator/scenarios/rules", R"({"scenario":"maintenance","key":"a"})").json()["id"];
  int second = emu.Post("/_emulator/scenarios/rules", R"({"scenario":"maintenance","key":"b"})").json()["id"];
  Reply removed = emu.Request("DELETE", "/_emulator/scenarios/rules/" + std::to_string(first), "", {}, "");
  CHECK(removed.status == 200);
  CHECK(removed.json() == nlohmann::json{{"removed", 1}});
  nlohmann::json rules = emu.Get("/_emulator/scenarios").json()["rules"];
  REQUIRE(rules.size() == 1);
  CHECK(rules[0]["id"] == second);
  CHECK(emu.Request("DELETE", "/_emulator/scenarios/rules/" + std::to_string(first), "", {}, "").status == 404);
  CHECK(emu.Request("DELETE", "/_emulator/scenarios/rules/x", "", {}, "").status == 404);
}

TEST_CASE("issue 16: PUT a key profile read back with its masked HMAC key keeps the key") {
  std::string config = WriteTempFile(
      "clock: {mode: virtual, start_ms: 1760000000000}\nevolink: {allow_private_callbacks: true}\n"
      "callbacks: {evolink: {timeout_s: 2, retries_s: []}}\n");
  EmulatorProcess emu({"--config", config});
  nlohmann::json profile = emu.Get("/_emulator/keys/signed-key").json()["profile"];
  REQUIRE(profile["webhook_hmac_key"] == "********");
  profile["credits"] = 7;
  Reply put = emu.Request("PUT", "/_emulator/keys/signed-key", profile.dump(), {}, "application/json");
  REQUIRE(put.status == 200);
  CHECK(put.json()["balance"]["remaining"] == 7);
  TestReceiver<> rx;
  Reply created = emu.Post("/v1/videos/generations",
                           nlohmann::json{{"model", "grok-imagine-text-to-video"},
                                          {"prompt", "x"},
                                          {"callback_url", "http://127.0.0.1:" + std::to_string(rx.port()) + "/cb"}}
                               .dump(),
                           "signed-key");
  REQUIRE(created.status == 200);
  emu.Advance(60);
  REQUIRE(PollUntil([&] { return rx.received() >= 1; }));
  ReceivedRequest req = rx.Requests()[0];
  const std::string id = created.json()["id"];
  CHECK(req.Header("X-Webhook-Signature") ==
        ExpectedSignature(id + "." + req.Header("X-Webhook-Timestamp"), "demo-webhook-secret"));
}

TEST_CASE("issue 16: -h prints the help, the start-up line follows --log-format json") {
  auto [code, out] = RunToExit({"-h"});
  CHECK(code == 0);
  CHECK(out.find("-h, --help") != std::string::npos);
  EmulatorProcess emu({"--clock", "virtual", "--log-format", "json"});
  nlohmann::json line = nlohmann::json::parse(emu.startup_line(), nullptr, false);
  REQUIRE(line.is_object());
  CHECK(line["url"] == emu.base_url());
  CHECK(line["level"] == "info");
  CHECK(line["clock"] == "virtual");
  CHECK(line["msg"].get<std::string>().find("listening on " + emu.base_url()) != std::string::npos);
}

TEST_CASE("issue 16: control-API requests are logged at debug, provider requests at info") {
  for (const char* level : {"info", "debug"}) {
    EmulatorProcess emu({"--clock", "virtual", "--log-level", level});
    emu.Get("/_emulator/clock");
    emu.Get("/v1/credits", "demo-key");
    emu.Stop();
    const std::string out = emu.output();
    INFO(level << ": " << out);
    CHECK(out.find("GET /v1/credits 200") != std::string::npos);
    CHECK((out.find("GET /_emulator/clock 200") != std::string::npos) == (std::string(level) == "debug"));
  }
}

}  // namespace imagine::testing
