// Issue 14 over real HTTP: numbers no double holds, bytes after the JSON value, and the
// control API's write guards (Content-Type, Origin) against cross-site requests.
#include <doctest/doctest.h>

#include "support/emulator_process.h"
#include "support/test_configs.h"
#include "support/test_receiver.h"

namespace imagine::testing {
namespace {

constexpr const char* kKey = "hardening-key";

long long TaskCount(const EmulatorProcess& emu) { return emu.Get("/_emulator/health").json()["tasks"]; }

}  // namespace

TEST_CASE("issue 14: a number no double holds is the provider's validation error naming the field") {
  EmulatorProcess emu({"--clock", "virtual"});
  Reply apikley = emu.Post("/api/v1/jobs/createTask",
                           R"({"model":"grok-imagine/text-to-video","input":{"prompt":"x","duration":1e400}})", kKey);
  CHECK(apikley.status == 200);
  CHECK(apikley.json()["code"] == 422);
  CHECK(apikley.json()["msg"] == "input.duration: number is out of range (larger than a double holds) (got 1e400)");

  Reply evolink = emu.Post("/v1/videos/generations",
                           R"({"model":"grok-imagine-text-to-video","prompt":"x","extra":[1,{"n":-2e999}]})", kKey);
  CHECK(evolink.status == 400);
  CHECK(evolink.json()["error"]["param"] == "extra[1].n");
  CHECK(evolink.json()["error"]["code"] == "invalid_request");

  Reply admin = emu.Post("/_emulator/scenarios/rules", R"({"scenario":"maintenance","times":1e400})");
  CHECK(admin.status == 400);
  CHECK(admin.json()["error"]["code"] == "invalid_argument");
  CHECK(admin.json()["error"]["message"].get<std::string>().find("times") != std::string::npos);
  CHECK(TaskCount(emu) == 0);
  CHECK(emu.Get("/_emulator/scenarios").json()["rules"].empty());
}

TEST_CASE("issue 14: scenario rule counts beyond their bounds are refused, not truncated") {
  EmulatorProcess emu({"--clock", "virtual"});
  for (const char* times : {"1e20", "3000000000", "-1", "1.5"}) {
    INFO("times: " << times);
    Reply r = emu.Post("/_emulator/scenarios/rules", std::string(R"({"scenario":"maintenance","times":)") + times + "}");
    CHECK(r.status == 400);
    CHECK(r.json()["error"]["message"].get<std::string>().find("times") != std::string::npos);
  }
  CHECK(emu.Get("/_emulator/scenarios").json()["rules"].empty());
  CHECK(emu.Post("/v1/videos/generations", R"({"model":"grok-imagine-text-to-video","prompt":"x"})", kKey).status ==
        200);
}

TEST_CASE("issue 14: bytes after the JSON value are refused and create nothing") {
  EmulatorProcess emu({"--clock", "virtual"});
  const std::string nul_garbage = std::string(R"({"model":"grok-imagine-text-to-video","prompt":"x"})") +
                                  std::string(1, '\0') + "garbage";
  Reply evolink = emu.Post("/v1/videos/generations", nul_garbage, kKey);
  CHECK(evolink.status == 400);
  CHECK(evolink.json()["error"]["message"] == "request body is not valid JSON: NUL byte at offset 51");
  Reply trailing = emu.Post("/v1/videos/generations", R"({"model":"grok-imagine-text-to-video","prompt":"x"} {})", kKey);
  CHECK(trailing.status == 400);
  const std::string apikley_body =
      std::string(R"({"model":"grok-imagine/text-to-video","input":{"prompt":"x"}})") + std::string(1, '\0') + "x";
  Reply apikley = emu.Post("/api/v1/jobs/createTask", apikley_body, kKey);
  CHECK(apikley.json()["code"] == 422);
  Reply admin = emu.Post("/_emulator/scenarios/rules", std::string(R"({"scenario":"maintenance"})") + '\0' + "x");
  CHECK(admin.status == 400);
  CHECK(TaskCount(emu) == 0);
  CHECK(emu.Get("/_emulator/scenarios").json()["rules"].empty());
}

TEST_CASE("issue 14: control-API writes need application/json and the emulator's own Origin") {
  EmulatorProcess emu({"--clock", "virtual"});
  REQUIRE(emu.Post("/v1/videos/generations", R"({"model":"grok-imagine-text-to-video","prompt":"x"})", kKey).status ==
          200);
  // A page on another origin posting text/plain (no preflight) must not wipe the emulator.
  Reply plain = emu.Post("/_emulator/reset", "{}", "", "text/plain");
  CHECK(plain.status == 415);
  CHECK(plain.json()["error"]["code"] == "unsupported_media_type");
  CHECK(plain.json()["error"]["message"] ==
        "control-API writes need Content-Type: application/json (got \"text/plain\")");
  CHECK(emu.Post("/_emulator/reset", "", "", "application/x-www-form-urlencoded").status == 415);
  CHECK(emu.Request("PUT", "/_emulator/keys/k", R"({"credits":1})", {}, "text/plain").status == 415);
  CHECK(TaskCount(emu) == 1);

  const std::string own = "http://127.0.0.1:" + std::to_string(emu.port());
  Reply foreign = emu.Request("POST", "/_emulator/reset", "{}", {{"Origin", "https://evil.example"}}, "application/json");
  CHECK(foreign.status == 403);
  CHECK(foreign.json()["error"]["code"] == "permission_denied");
  CHECK(emu.Request("POST", "/_emulator/reset", "{}", {{"Origin", "null"}}, "application/json").status == 403);
  CHECK(emu.Request("POST", "/_emulator/reset", "{}", {{"Origin", own + ".evil.example"}}, "application/json").status ==
        403);
  CHECK(TaskCount(emu) == 1);
  // Reads are not guarded; the emulator's own page (same Origin) and clients without Origin may write.
  CHECK(emu.Request("GET", "/_emulator/clock", "", {{"Origin", "https://evil.example"}}, "").status == 200);
  CHECK(emu.Request("POST", "/_emulator/clock/advance", R"({"seconds":1})", {{"Origin", own}}, "application/json")
            .status == 200);
  CHECK(emu.Post("/_emulator/reset", "", "", "application/json; charset=utf-8").status == 200);
  CHECK(TaskCount(emu) == 0);
  // A bodiless DELETE needs no Content-Type (a cross-origin DELETE always needs a preflight).
  int id = emu.Post("/_emulator/scenarios/rules", R"({"scenario":"maintenance","key":"a"})").json()["id"];
  CHECK(emu.Request("DELETE", "/_emulator/scenarios/rules/" + std::to_string(id), "", {}, "").status == 200);
}

TEST_CASE("issue 14: a callback aimed at the emulator's own control API reaches nothing") {
  std::string config = WriteTempFile(std::string(kFixedTimingConfig) + "callbacks: {apikley: {timeout_s: 2}}\n");
  EmulatorProcess emu({"--config", config});
  const std::string own = "http://127.0.0.1:" + std::to_string(emu.port());
  auto create = [&](const std::string& key, const std::string& callback) {
    nlohmann::json body = {{"model", "grok-imagine/text-to-video"}, {"input", {{"prompt", "x"}}}};
    if (!callback.empty()) body["callBackUrl"] = callback;
    Reply r = emu.Post("/api/v1/jobs/createTask", body.dump(), key);
    REQUIRE(r.json()["code"] == 200);
    return r.json()["data"]["taskId"].get<std::string>();
  };
  const std::string attacker = create("attacker-key", "");
  emu.Advance(5);
  const std::string victim = create("victim-key", "");
  // Finishes 10 s after its create, while the victim's task (5 s younger) still runs.
  const std::string probe = create("attacker-key", own + "/_emulator/tasks/" + victim + "/cancel");
  (void)attacker;
  emu.Advance(10);
  nlohmann::json attempts;
  REQUIRE(PollUntil([&] {
    attempts = emu.Get("/_emulator/callbacks?task_id=" + probe).json()["attempts"];
    return attempts.size() == 1;
  }));
  CHECK(attempts[0]["error"] == "connection refused");  // the words of a closed port
  CHECK(attempts[0]["status"] == 0);
  CHECK(attempts[0]["response_body"] == "");
  nlohmann::json task = emu.Get("/_emulator/tasks/" + victim).json();
  CHECK(task["state"] != "failed");
  CHECK(task.dump().find("request_cancelled") == std::string::npos);
  // Also as "localhost" and "0.0.0.0", and for Evolink with private receivers allowed.
  std::string evo_config = WriteTempFile(
      "clock: {mode: virtual, start_ms: 1760000000000}\nevolink: {allow_private_callbacks: true}\n"
      "callbacks: {evolink: {timeout_s: 2, retries_s: []}}\n");
  EmulatorProcess evo({"--config", evo_config});
  const std::string port = std::to_string(evo.port());
  std::vector<std::string> ids;
  for (const std::string host : {"localhost", "0.0.0.0", "127.0.0.1"}) {
    nlohmann::json body = {{"model", "grok-imagine-text-to-video"}, {"prompt", "x"},
                           {"callback_url", "http://" + host + ":" + port + "/_emulator/reset"}};
    Reply r = evo.Post("/v1/videos/generations", body.dump(), "evo-key");
    REQUIRE(r.status == 200);
    ids.push_back(r.json()["id"]);
  }
  evo.Advance(3600);
  REQUIRE(PollUntil([&] { return evo.Get("/_emulator/callbacks").json()["stats"]["failed_deliveries"] == 3; }));
  for (const nlohmann::json& a : evo.Get("/_emulator/callbacks").json()["attempts"]) {
    CHECK(a["error"] == "connection refused");
  }
  CHECK(evo.Get("/_emulator/health").json()["tasks"] == 3);  // no reset happened
}

TEST_CASE("issue 14: Evolink's https://*:PORT callback does not reach a loopback receiver") {
  TestReceiver<> rx;
  REQUIRE(rx.ok());
  std::string config = WriteTempFile(std::string(kFixedTimingConfig) + "callbacks: {evolink: {timeout_s: 1, retries_s: []}}\n");
  EmulatorProcess emu({"--config", config});
  nlohmann::json body = {{"model", "grok-imagine-text-to-video"}, {"prompt", "x"},
                         {"callback_url", "https://*:" + std::to_string(rx.port()) + "/x"}};
  Reply r = emu.Post("/v1/videos/generations", body.dump(), kKey);
  REQUIRE(r.status == 200);
  const std::string id = r.json()["id"];
  emu.Advance(10);
  nlohmann::json attempts;
  REQUIRE(PollUntil([&] {
    attempts = emu.Get("/_emulator/callbacks?task_id=" + id).json()["attempts"];
    return attempts.size() == 1;
  }));
  const std::string error = attempts[0]["error"];
  CHECK((error == "connection refused" || error.rfind("could not resolve host *", 0) == 0));
  CHECK(rx.received() == 0);
}

}  // namespace imagine::testing
