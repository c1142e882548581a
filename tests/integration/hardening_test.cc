// Issue 14 over real HTTP: numbers no double holds, bytes after the JSON value, and the
// control API's write guards (Content-Type, Origin) against cross-site requests.
#include <doctest/doctest.h>

#include "support/emulator_process.h"

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

}  // namespace imagine::testing
