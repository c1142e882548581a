// Outages across providers (issue 26): one provider taken down through /_emulator/outages
// (or the config's scenarios.outages) answers its own error wording, or fails its tasks,
// while the other providers work; for a number of requests or a time on the virtual clock;
// ended by DELETE; bad input refused with no state changed; kept across a restart.
#include <doctest/doctest.h>

#include <string>

#include "support/emulator_process.h"
#include "support/scratch.h"
#include "support/test_configs.h"
#include "support/test_receiver.h"

namespace imagine::testing {
namespace {

constexpr const char* kKey = "outage-key";

// A create at each provider's own base URL.
Reply Create(const EmulatorProcess& emu, const std::string& provider) {
  if (provider == "apikley") {
    return emu.Post("/apikley/api/v1/jobs/createTask",
                    R"({"model":"grok-imagine/text-to-video","input":{"prompt":"x"}})", kKey);
  }
  if (provider == "evolink") {
    return emu.Post("/evolink/v1/videos/generations", R"({"model":"grok-imagine-text-to-video","prompt":"x"})", kKey);
  }
  return emu.Post("/xai/v1/videos/generations", R"({"model":"grok-imagine-video","prompt":"x"})", kKey);
}

// True when the create made a task (each provider's own success shape).
bool Accepted(const Reply& r, const std::string& provider) {
  if (r.status != 200) return false;
  nlohmann::json j = r.json();
  if (provider == "apikley") return j.value("code", 0) == 200;
  if (provider == "evolink") return j.contains("id");
  return j.contains("request_id");
}

nlohmann::json Outages(const EmulatorProcess& emu) {
  Reply r = emu.Get("/_emulator/outages");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  return r.json().at("outages");
}

Reply SetOutage(const EmulatorProcess& emu, const std::string& body) { return emu.Post("/_emulator/outages", body); }

Reply Delete(const EmulatorProcess& emu, const std::string& path) {
  return emu.Request("DELETE", path, "", {}, "");
}

const char* const kEvolinkMaintenance =
    R"({"error":{"code":"service_unavailable","message":"Service temporarily unavailable","type":"api_error"}})";

TEST_CASE("outages: one provider down for N requests answers its own words while the others work") {
  EmulatorProcess emu({"--config", WriteTempFile(kFixedTimingConfig)});
  Reply set = SetOutage(emu, R"({"provider":"evolink","kind":"maintenance","times":2})");
  REQUIRE_MESSAGE(set.status == 201, set.body);
  const nlohmann::json made = set.json();
  CHECK(made["outage"]["provider"] == "evolink");
  CHECK(made["outage"]["kind"] == "maintenance");
  CHECK(made["outage"]["remaining_requests"] == 2);
  REQUIRE(made["rules"].size() == 1);
  CHECK(made["rules"][0]["scenario"] == "maintenance");
  CHECK(made["rules"][0]["provider"] == "evolink");
  CHECK(made["rules"][0]["outage"] == "maintenance");
  CHECK(made["rules"][0]["times"] == 2);

  Reply down = Create(emu, "evolink");
  CHECK(down.status == 503);
  CHECK(down.body == kEvolinkMaintenance);
  CHECK(Accepted(Create(emu, "apikley"), "apikley"));
  CHECK(Accepted(Create(emu, "xai"), "xai"));
  // The bare root serves Evolink too: the outage is the provider's, whatever its base URL.
  Reply at_root = emu.Post("/v1/videos/generations", R"({"model":"grok-imagine-text-to-video","prompt":"x"})", kKey);
  CHECK(at_root.status == 503);
  CHECK(Outages(emu).empty());  // two requests used it up
  CHECK(emu.Get("/_emulator/scenarios").json()["rules"].empty());
  CHECK(Accepted(Create(emu, "evolink"), "evolink"));
}

TEST_CASE("outages: for a time on the virtual clock, shown with what remains, then lapsed") {
  EmulatorProcess emu({"--config", WriteTempFile(kFixedTimingConfig)});
  Reply set = SetOutage(emu, R"({"provider":"apikley","kind":"server_error","for_s":30})");
  REQUIRE_MESSAGE(set.status == 201, set.body);
  CHECK(set.json()["outage"]["expires_at_ms"] == kFixedStartMs + 30000);
  Reply down = Create(emu, "apikley");
  CHECK(down.status == 200);  // Apikley answers errors in HTTP 200 (apikley.http_status: always_200)
  CHECK(down.body == R"({"code":500,"msg":"Internal server error","data":null})");
  CHECK(Accepted(Create(emu, "evolink"), "evolink"));
  emu.Advance(10);
  nlohmann::json listed = Outages(emu);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["provider"] == "apikley");
  CHECK(listed[0]["kind"] == "server_error");
  CHECK(listed[0]["remaining_s"] == 20);
  CHECK_FALSE(listed[0].contains("remaining_requests"));
  CHECK(emu.Get("/_emulator/scenarios").json()["rules"][0]["remaining_s"] == 20);
  CHECK_FALSE(Accepted(Create(emu, "apikley"), "apikley"));
  emu.Advance(20);
  CHECK(Outages(emu).empty());
  CHECK(emu.Get("/_emulator/scenarios").json()["rules"].empty());  // a lapsed rule is listed nowhere
  CHECK(Accepted(Create(emu, "apikley"), "apikley"));
}

TEST_CASE("outages: rate_limited answers 429 and failing accepts creates whose tasks then fail") {
  EmulatorProcess emu({"--config", WriteTempFile(kFixedTimingConfig)});
  REQUIRE(SetOutage(emu, R"({"provider":"evolink","kind":"rate_limited"})").status == 201);
  CHECK(Create(emu, "evolink").status == 429);
  REQUIRE(SetOutage(emu, R"({"provider":"xai","kind":"failing"})").status == 201);
  nlohmann::json listed = Outages(emu);
  REQUIRE(listed.size() == 2);
  CHECK(listed[1]["provider"] == "xai");
  CHECK(listed[1]["scenario"] == "generation_failed");
  Reply created = Create(emu, "xai");
  REQUIRE(Accepted(created, "xai"));
  const std::string id = created.json()["request_id"];
  emu.Advance(600);
  nlohmann::json task = emu.Get("/xai/v1/videos/" + id, kKey).json();
  CHECK(task["status"] == "failed");
  // A second outage of a provider replaces its first.
  REQUIRE(SetOutage(emu, R"({"provider":"evolink","kind":"maintenance","for_s":5})").status == 201);
  listed = Outages(emu);
  REQUIRE(listed.size() == 2);
  CHECK(listed[0]["provider"] == "xai");
  CHECK(listed[1]["provider"] == "evolink");
  CHECK(listed[1]["kind"] == "maintenance");
  CHECK(Create(emu, "evolink").status == 503);
}

TEST_CASE("outages: restore one provider or all, and user rules stay") {
  EmulatorProcess emu({"--config", WriteTempFile(kFixedTimingConfig)});
  REQUIRE(emu.Post("/_emulator/scenarios/rules", R"({"scenario":"slow","provider":"apikley"})").status == 201);
  for (const char* p : {"apikley", "evolink", "xai"}) {
    REQUIRE(SetOutage(emu, std::string(R"({"provider":")") + p + R"("})").status == 201);
  }
  CHECK(Outages(emu).size() == 3);
  Reply one = Delete(emu, "/_emulator/outages/evolink");
  REQUIRE_MESSAGE(one.status == 200, one.body);
  CHECK(one.json()["removed"] == 1);
  CHECK(Accepted(Create(emu, "evolink"), "evolink"));
  CHECK_FALSE(Accepted(Create(emu, "xai"), "xai"));
  CHECK(Delete(emu, "/_emulator/outages/evolink").json()["removed"] == 0);
  Reply all = Delete(emu, "/_emulator/outages");
  CHECK(all.json()["removed"] == 2);
  CHECK(Outages(emu).empty());
  CHECK(Accepted(Create(emu, "xai"), "xai"));
  CHECK(emu.Get("/_emulator/scenarios").json()["rules"].size() == 1);  // the slow rule
}

TEST_CASE("outages: bad input is refused in the control API's format and changes nothing") {
  EmulatorProcess emu({"--config", WriteTempFile(kFixedTimingConfig)});
  REQUIRE(SetOutage(emu, R"({"provider":"xai","kind":"maintenance","times":3})").status == 201);
  const std::string before = emu.Get("/_emulator/scenarios").body;
  struct Row {
    std::string body;
    std::string message;  // the field, its rule and the value
  };
  const Row rows[] = {
      {R"({"provider":"acme","kind":"maintenance"})", R"(provider: must be one of: apikley, evolink, xai (got "acme"))"},
      {R"({"provider":"evolink","kind":"flaky"})",
       R"(kind: must be one of: maintenance, server_error, rate_limited, failing (got "flaky"))"},
      {R"({"provider":"evolink","for_s":0})", "for_s: must be greater than 0 (got 0)"},
      {R"({"provider":"evolink","times":0})", "times: must be greater than or equal to 1 (got 0)"},
      {R"({"kind":"maintenance"})", "provider: is required"},
  };
  for (const Row& row : rows) {
    INFO(row.body);
    Reply r = SetOutage(emu, row.body);
    CHECK(r.status == 400);
    nlohmann::json e = r.json();
    CHECK(e["error"]["code"] == "invalid_argument");
    CHECK(e["error"].value("message", "") == row.message);
  }
  Reply path = Delete(emu, "/_emulator/outages/acme");
  CHECK(path.status == 400);
  CHECK(path.json()["error"]["message"] == "provider: must be one of: apikley, evolink, xai (got \"acme\")");
  CHECK(emu.Get("/_emulator/scenarios").body == before);
  CHECK(Create(emu, "xai").status != 200);
}

TEST_CASE("outages: from the config, and kept across a restart with --state-dir") {
  const std::string dir = ScratchSubdir("outage-state");
  const std::string config = WriteTempFile(std::string(kFixedTimingConfig) +
                                           "scenarios:\n  outages:\n    - {provider: evolink, kind: server_error}\n");
  {
    EmulatorProcess emu({"--config", config, "--state-dir", dir});
    nlohmann::json listed = Outages(emu);
    REQUIRE(listed.size() == 1);
    CHECK(listed[0]["provider"] == "evolink");
    CHECK(listed[0]["kind"] == "server_error");
    CHECK(Create(emu, "evolink").status == 500);
    REQUIRE(SetOutage(emu, R"({"provider":"apikley","for_s":60,"times":5})").status == 201);
    CHECK_FALSE(Accepted(Create(emu, "apikley"), "apikley"));
    emu.Advance(20);
  }
  EmulatorProcess emu({"--config", config, "--state-dir", dir});
  nlohmann::json listed = Outages(emu);
  REQUIRE(listed.size() == 2);
  CHECK(listed[1]["provider"] == "apikley");
  CHECK(listed[1]["kind"] == "maintenance");
  CHECK(listed[1]["remaining_s"] == 40);
  CHECK(listed[1]["remaining_requests"] == 4);
  CHECK(Create(emu, "apikley").json()["code"] == 455);
  emu.Advance(40);
  listed = Outages(emu);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["provider"] == "evolink");
  CHECK(Accepted(Create(emu, "apikley"), "apikley"));
  CHECK(Accepted(Create(emu, "xai"), "xai"));
}

// Review of issue 26, 2a: a time below a millisecond made a rule lapsed as it was added (201,
// remaining_s 0, listed nowhere). It lasts at least 1 ms now.
TEST_CASE("outages: a tiny for_s still makes an outage that is listed") {
  EmulatorProcess emu({"--config", WriteTempFile(kFixedTimingConfig)});
  Reply set = SetOutage(emu, R"({"provider":"evolink","for_s":0.0001})");
  REQUIRE_MESSAGE(set.status == 201, set.body);
  CHECK(set.json()["outage"]["remaining_s"] == 0.001);
  nlohmann::json listed = Outages(emu);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["expires_at_ms"] == kFixedStartMs + 1);
  CHECK(Create(emu, "evolink").status == 503);
  emu.Advance(0.001);
  CHECK(Outages(emu).empty());
}

// 2b: outage, expires_at_ms and remaining_s are what the emulator shows, not what it reads: a
// rule that carries them was taken (201) and silently made no outage.
TEST_CASE("outages: a scenario rule with the fields the emulator shows is refused") {
  EmulatorProcess emu({"--config", WriteTempFile(kFixedTimingConfig)});
  for (const char* field : {R"("outage":"maintenance")", R"("expires_at_ms":1)", R"("remaining_s":1)"}) {
    INFO(field);
    Reply r = emu.Post("/_emulator/scenarios/rules",
                       std::string(R"({"scenario":"maintenance","provider":"xai",)") + field + "}");
    CHECK(r.status == 400);
    const std::string name = std::string(field).substr(1, std::string(field).find('"', 1) - 1);
    CHECK(r.json()["error"].value("message", "").find(name) != std::string::npos);
  }
  CHECK(emu.Get("/_emulator/scenarios").json()["rules"].empty());
  CHECK(Accepted(Create(emu, "xai"), "xai"));
}

TEST_CASE("outages: a config scenario rule with the fields the emulator shows stops the start-up") {
  const std::string config = WriteTempFile(std::string(kFixedTimingConfig) +
                                           "scenarios:\n  rules:\n    - {scenario: maintenance, outage: maintenance}\n");
  const auto run = RunToExit({"--config", config, "--port", "0"});
  CHECK(run.first != 0);
  const std::string out = run.second;
  INFO(out);
  CHECK(out.find("scenarios.rules") != std::string::npos);
  CHECK(out.find("outage") != std::string::npos);
}

// 1c: `times` counts the requests the outage answered. A create refused before it made a task
// (here: the key has no credits for a failing outage's task) gives its match back.
TEST_CASE("outages: a create refused before it made a task does not use up one of times") {
  const std::string config = WriteTempFile(std::string(kFixedTimingConfig) +
                                           "accounts:\n  keys:\n    poor: {credits: 0}\n");
  EmulatorProcess emu({"--config", config});
  REQUIRE(SetOutage(emu, R"({"provider":"xai","kind":"failing","times":1})").status == 201);
  Reply refused = emu.Post("/xai/v1/videos/generations", R"({"model":"grok-imagine-video","prompt":"x"})", "poor");
  CHECK_FALSE(Accepted(refused, "xai"));
  nlohmann::json listed = Outages(emu);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["remaining_requests"] == 1);
  Reply created = Create(emu, "xai");
  REQUIRE(Accepted(created, "xai"));
  CHECK(Outages(emu).empty());
  emu.Advance(600);
  CHECK(emu.Get("/xai/v1/videos/" + created.json()["request_id"].get<std::string>(), kKey).json()["status"] ==
        "failed");
}

// 3b, 4b: during an outage every status query that passed auth and validation answers the
// error and counts toward times; a bad key (401) or a bad body (400) answers as usual and
// counts for nothing.
TEST_CASE("outages: status queries answer the outage and count, bad keys and bodies do not") {
  EmulatorProcess emu({"--config", WriteTempFile(kFixedTimingConfig)});
  Reply created = Create(emu, "evolink");
  REQUIRE(Accepted(created, "evolink"));
  const std::string query = "/evolink/v1/tasks/" + created.json()["id"].get<std::string>();
  REQUIRE(SetOutage(emu, R"({"provider":"evolink","kind":"rate_limited","times":3})").status == 201);
  CHECK(emu.Post("/evolink/v1/videos/generations", R"({"model":"grok-imagine-text-to-video","prompt":"x"})", "")
            .status == 401);
  CHECK(emu.Post("/evolink/v1/videos/generations", R"({"model":"no-such-model","prompt":"x"})", kKey).status ==
        400);
  CHECK(Outages(emu)[0]["remaining_requests"] == 3);
  Reply q = emu.Get(query, kKey);
  CHECK(q.status == 429);
  CHECK(q.json()["error"]["code"] == "rate_limit_exceeded");
  CHECK(Outages(emu)[0]["remaining_requests"] == 2);
  CHECK(Create(emu, "evolink").status == 429);
  CHECK(emu.Get(query, kKey).status == 429);
  CHECK(Outages(emu).empty());
  CHECK(emu.Get(query, kKey).status == 200);
}

// 3c: refusing bad input while the provider is already down leaves its outage as it was.
TEST_CASE("outages: a bad replacement of an existing outage is refused and the outage stays") {
  EmulatorProcess emu({"--config", WriteTempFile(kFixedTimingConfig)});
  REQUIRE(SetOutage(emu, R"({"provider":"evolink","kind":"server_error","times":3})").status == 201);
  const std::string before = emu.Get("/_emulator/scenarios").body;
  struct Row {
    std::string body;
    std::string words;  // in the message: the field, its rule, the value
  };
  const Row rows[] = {
      {R"({"provider":"evolink","kind":"flaky"})", "maintenance, server_error, rate_limited, failing"},
      {R"({"provider":"evolink","for_s":0})", "for_s"},
      {R"({"provider":"evolink","for_s":-5})", "for_s"},
      {R"({"provider":"evolink","times":0})", "times"},
      {R"({"provider":"evolink","times":1.5})", "times"},
      {R"({"provider":"evolink","speed":2})", "speed"},
  };
  for (const Row& row : rows) {
    INFO(row.body);
    Reply r = SetOutage(emu, row.body);
    CHECK(r.status == 400);
    const std::string message = r.json()["error"].value("message", "");
    INFO(message);
    CHECK(r.json()["error"]["code"] == "invalid_argument");
    CHECK(message.find(row.words) != std::string::npos);
  }
  CHECK(emu.Get("/_emulator/scenarios").body == before);
  CHECK(Create(emu, "evolink").status == 500);
}

// 1b, 3d: a config outage for a time, put back by a reset, runs from the reset. The reset's
// record had no time, so a restart replayed it at the restart's clock and the ended outage
// came back for another for_s. A real clock 1000 times faster: 2000 s last 2 s of wall time.
TEST_CASE("outages: a config outage put back by a reset does not come back after it ended and a restart") {
  const std::string dir = ScratchSubdir("outage-reset-state");
  const std::string config = WriteTempFile(
      "clock: {mode: real, time_scale: 1000}\n"
      "scenarios:\n  outages:\n    - {provider: evolink, kind: maintenance, for_s: 2000}\n");
  {
    EmulatorProcess emu({"--config", config, "--state-dir", dir});
    REQUIRE(emu.Post("/_emulator/reset", "{}").status == 200);
    REQUIRE(Outages(emu).size() == 1);
    REQUIRE(PollUntil([&] { return Outages(emu).empty(); }));
  }
  EmulatorProcess emu({"--config", config, "--state-dir", dir});
  CHECK(Outages(emu).empty());
  CHECK(Accepted(Create(emu, "evolink"), "evolink"));
}

}  // namespace
}  // namespace imagine::testing
