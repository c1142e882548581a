// Key profiles, credits and rate limits over real HTTP, counted on the virtual clock:
// the ready-made keys of the default config, the documented Apikley limits, configured
// Evolink limits, model access, and changing a profile at run time.
#include <doctest/doctest.h>

#include "support/emulator_process.h"
#include "support/test_configs.h"

namespace imagine::testing {
namespace {

const std::string kT2V = R"({"model":"grok-imagine/text-to-video","input":{"prompt":"x"}})";
const std::string kI2V = R"({"model":"grok-imagine/image-to-video","input":{"prompt":"x","image_urls":["https://e.com/a.png"]}})";
const std::string kEvo = R"({"model":"grok-imagine-text-to-video","prompt":"x"})";
const std::string kRateLimited = R"({"code":429,"msg":"Rate limit exceeded","data":null})";

Reply CreateA(const EmulatorProcess& emu, const std::string& key, const std::string& body = kT2V) {
  return emu.Post("/api/v1/jobs/createTask", body, key);
}
Reply CreateE(const EmulatorProcess& emu, const std::string& key) { return emu.Post("/v1/videos/generations", kEvo, key); }
long long Tasks(const EmulatorProcess& emu) { return emu.Get("/_emulator/health").json()["tasks"]; }

TEST_CASE("the default config's ready keys: revoked, broke and throttled") {
  std::string config = WriteTempFile(kFixedTimingConfig);
  EmulatorProcess emu({"--config", config});
  // revoked-key: 401 on every provider route.
  CHECK(CreateA(emu, "revoked-key").body == R"({"code":401,"msg":"You do not have access permissions","data":null})");
  CHECK(emu.Get("/api/v1/chat/credit", "revoked-key").json()["code"] == 401);
  CHECK(emu.Get("/api/v1/jobs/recordInfo?taskId=x", "revoked-key").json()["code"] == 401);
  CHECK(CreateE(emu, "revoked-key").status == 401);
  CHECK(emu.Get("/v1/credits", "revoked-key").status == 401);
  CHECK(emu.Get("/v1/tasks/task-unified-1-abcdefgh", "revoked-key").status == 401);
  // broke-key: 402, and nothing is created.
  CHECK(CreateA(emu, "broke-key").json()["code"] == 402);
  Reply evo = CreateE(emu, "broke-key");
  CHECK(evo.status == 402);
  CHECK(evo.json()["error"]["code"] == "insufficient_quota");
  CHECK(emu.Get("/api/v1/chat/credit", "broke-key").body == R"({"code":200,"msg":"success","data":0})");
  CHECK(Tasks(emu) == 0);
  // throttled-key: two creations per 10 s, across both providers.
  CHECK(CreateA(emu, "throttled-key").json()["code"] == 200);
  CHECK(CreateE(emu, "throttled-key").status == 200);
  CHECK(CreateA(emu, "throttled-key").body == kRateLimited);
  Reply limited = CreateE(emu, "throttled-key");
  CHECK(limited.status == 429);
  CHECK(limited.json()["error"]["code"] == "rate_limit_exceeded");
  emu.Advance(10);
  CHECK(CreateA(emu, "throttled-key").json()["code"] == 200);
  CHECK(Tasks(emu) == 3);
}

TEST_CASE("unlisted keys are refused when accounts.unlisted_keys is reject") {
  std::string config = WriteTempFile("accounts: {unlisted_keys: reject}\n");
  EmulatorProcess emu({"--config", config, "--clock", "virtual"});
  CHECK(CreateA(emu, "random-key").json()["code"] == 401);
  CHECK(CreateE(emu, "random-key").status == 401);
  CHECK(CreateA(emu, "demo-key").json()["code"] == 200);
}

TEST_CASE("credits: reserved at creation, shown by both providers, one balance per key") {
  std::string config = WriteTempFile(kFixedTimingConfig);
  EmulatorProcess emu({"--config", config});
  REQUIRE(CreateA(emu, "k").json()["code"] == 200);  // 10
  REQUIRE(CreateE(emu, "k").status == 200);           // 5
  CHECK(emu.Get("/api/v1/chat/credit", "k").body == R"({"code":200,"msg":"success","data":985})");
  CHECK(emu.Get("/v1/credits", "k").body ==
        R"({"data":{"token":{"remaining_credits":985,"unlimited_credits":false,"used_credits":15},)"
        R"("user":{"remaining_credits":985,"used_credits":15}},"message":"","success":true})");
  CHECK(emu.Get("/v1/credits", "other").json()["data"]["user"]["remaining_credits"] == 1000);
  // A successful task keeps its price; creditsConsumed shows it.
  emu.Advance(10);
  std::string id = CreateA(emu, "k").json()["data"]["taskId"];
  emu.Advance(10);
  CHECK(emu.Get("/api/v1/jobs/recordInfo?taskId=" + id, "k").json()["data"]["creditsConsumed"] == 10);
  CHECK(emu.Get("/api/v1/chat/credit", "k").json()["data"] == 975);
  // Exactly enough is enough; one more is not.
  Reply put = emu.Request("PUT", "/_emulator/keys/k", R"({"credits":10})", {}, "application/json");
  CHECK(put.json()["balance"] == nlohmann::json{{"remaining", 10}, {"used", 0}});
  CHECK(CreateA(emu, "k").json()["code"] == 200);
  CHECK(CreateA(emu, "k").json()["code"] == 402);
}

TEST_CASE("Apikley's default burst limit (Kie's documented one): 20 creations per 10 s, never queued") {
  EmulatorProcess emu({"--clock", "virtual"});
  for (int i = 0; i < 20; ++i) {
    INFO(i);
    REQUIRE(CreateA(emu, "burst", i % 2 ? kT2V : kI2V).json()["code"] == 200);
  }
  CHECK(CreateA(emu, "burst").body == kRateLimited);
  CHECK(Tasks(emu) == 20);
  emu.Advance(9.999);
  CHECK(CreateA(emu, "burst").body == kRateLimited);
  emu.Advance(0.001);
  CHECK(CreateA(emu, "burst").json()["code"] == 200);
  CHECK(CreateE(emu, "burst").status == 200);  // Evolink publishes no limits: none by default
}

TEST_CASE("per-model concurrency frees a slot when a task finishes, the hourly cap slides") {
  std::string config = WriteTempFile(R"(
clock: {mode: virtual, start_ms: 1760000000000}
apikley:
  rate_limits:
    burst: {count: 0, window_s: 1}
    models:
      grok-imagine/text-to-video: {concurrent: 2, per_hour: 4}
  models:
    grok-imagine/text-to-video: {timing: {waiting_s: [1, 1], queuing_s: [2, 2], total_s: [10, 10]}}
    grok-imagine/image-to-video: {timing: {waiting_s: [1, 1], queuing_s: [2, 2], total_s: [10, 10]}}
evolink:
  rate_limits:
    models:
      grok-imagine-text-to-video: {concurrent: 1}
  models:
    grok-imagine-text-to-video: {timing: {waiting_s: [1, 1], queuing_s: [2, 2], total_s: [10, 10]}}
)");
  EmulatorProcess emu({"--config", config});
  CHECK(CreateA(emu, "k").json()["code"] == 200);
  CHECK(CreateA(emu, "k").json()["code"] == 200);
  CHECK(CreateA(emu, "k").body == kRateLimited);
  CHECK(CreateA(emu, "k", kI2V).json()["code"] == 200);  // another model has its own slots
  emu.Advance(10);  // both finished: slots free
  CHECK(CreateA(emu, "k").json()["code"] == 200);
  CHECK(CreateA(emu, "k").json()["code"] == 200);
  emu.Advance(10);
  CHECK(CreateA(emu, "k").body == kRateLimited);  // 4 per hour used
  emu.Advance(3600 - 20);
  CHECK(CreateA(emu, "k").json()["code"] == 200);  // the first two left the hour

  CHECK(CreateE(emu, "k").status == 200);
  Reply busy = CreateE(emu, "k");
  CHECK(busy.status == 429);
  CHECK(busy.json() == nlohmann::json::parse(
                           R"({"error":{"code":"rate_limit_exceeded","message":"Too many requests, please try again later","type":"rate_limit_error"}})"));
  // A failed task frees its slot too (at its failure time).
  emu.Advance(10);
  httplib::Headers h{{"Authorization", "Bearer k"}, {"X-Emulator-Scenario", "content_policy_violation"}};
  CHECK(emu.Request("POST", "/v1/videos/generations", kEvo, h, "application/json").status == 200);
  CHECK(CreateE(emu, "k").status == 429);
  emu.Advance(3);  // fails at 3 s
  CHECK(CreateE(emu, "k").status == 200);
}

TEST_CASE("allowed_models: Evolink 403 model_access_denied, Apikley 401") {
  std::string config = WriteTempFile(R"(
accounts:
  keys:
    images-only: {allowed_models: [grok-imagine/text-to-image]}
)");
  EmulatorProcess emu({"--config", config, "--clock", "virtual"});
  CHECK(CreateA(emu, "images-only").body ==
        R"({"code":401,"msg":"Token does not have access to model: grok-imagine/text-to-video","data":null})");
  Reply e = CreateE(emu, "images-only");
  CHECK(e.status == 403);
  CHECK(e.json() == nlohmann::json::parse(
                        R"({"error":{"code":"model_access_denied","message":"Token does not have access to model: grok-imagine-text-to-video","type":"invalid_request_error"}})"));
  CHECK(CreateA(emu, "images-only", R"({"model":"grok-imagine/text-to-image","input":{"prompt":"x"}})").json()["code"] ==
        200);
}

TEST_CASE("PUT and GET /_emulator/keys change and show a profile at run time") {
  EmulatorProcess emu({"--clock", "virtual"});
  Reply put = emu.Request("PUT", "/_emulator/keys/live",
                          R"({"credits":50,"user_group":"vip","webhook_hmac_key":"s3cret","rate_limits":{"burst":{"count":1,"window_s":60}}})",
                          {}, "application/json");
  REQUIRE(put.status == 200);
  CHECK(put.json() == nlohmann::json::parse(R"({"key":"live","profile":{"revoked":false,"credits":50,"user_group":"vip",
      "webhook_hmac_key":"********","rate_limits":{"burst":{"count":1,"window_s":60}}},"balance":{"remaining":50,"used":0}})"));
  Reply created = CreateE(emu, "live");
  CHECK(created.json()["usage"]["user_group"] == "vip");
  CHECK(CreateE(emu, "live").status == 429);
  CHECK(emu.Get("/_emulator/keys/live").json()["balance"] == nlohmann::json{{"remaining", 45}, {"used", 5}});
  emu.Request("PUT", "/_emulator/keys/live", R"({"revoked":true})", {}, "application/json");
  CHECK(CreateE(emu, "live").status == 401);
  Reply bad = emu.Request("PUT", "/_emulator/keys/live", R"({"credits":"lots"})", {}, "application/json");
  CHECK(bad.status == 400);
  CHECK(bad.json() == nlohmann::json::parse(
                          R"J({"error":{"code":"invalid_argument","message":"credits: must be of type number (got \"lots\")"}})J"));
}


// Regression (found by the conformance runner): a request refused at authentication was
// journaled without its key, so what a revoked key was told could not be found by key.
TEST_CASE("a refused key's requests are journaled under that key") {
  EmulatorProcess emu({"--clock", "virtual"});
  CHECK(CreateE(emu, "revoked-key").status == 401);
  nlohmann::json j = emu.Get("/_emulator/journal?key=revoked-key").json();
  REQUIRE(j["entries"].size() == 1);
  CHECK(j["entries"][0]["status"] == 401);
  CHECK(j["entries"][0]["key"] == "…-key");
}


// Regression (review): a create refused for credits used up a scenario rule meant for
// the key's next task.
TEST_CASE("a create refused for credits does not use up a scenario rule") {
  EmulatorProcess emu({"--clock", "virtual"});
  emu.Post("/_emulator/scenarios/rules", R"({"scenario":"generation_failed","key":"broke-key","times":1})");
  CHECK(CreateA(emu, "broke-key").json()["code"] == 402);
  CHECK(emu.Get("/_emulator/scenarios").json()["rules"].size() == 1);
}

}  // namespace
}  // namespace imagine::testing
