// Issue 12's smaller fidelity points over real HTTP, on both providers: empty optional
// URL fields, the task query's own 429/500 words, the text-to-video beta name, and the
// journal/HAR holding only the headers the client sent.
#include <doctest/doctest.h>

#include "support/emulator_process.h"
#include "support/test_configs.h"

namespace imagine::testing {
namespace {

constexpr const char* kKey = "fidelity-key";

Reply Post(const EmulatorProcess& emu, const std::string& path, const std::string& body,
           const httplib::Headers& extra = {}) {
  httplib::Headers h{{"Authorization", std::string("Bearer ") + kKey}};
  for (const auto& [k, v] : extra) h.emplace(k, v);
  return emu.Request("POST", path, body, h, "application/json");
}

Reply Get(const EmulatorProcess& emu, const std::string& path, const std::string& scenario = "") {
  httplib::Headers h{{"Authorization", std::string("Bearer ") + kKey}};
  if (!scenario.empty()) h.emplace("X-Emulator-Scenario", scenario);
  return emu.Request("GET", path, "", h, "");
}

struct Fixture {
  Fixture() : config(WriteTempFile(kFixedTimingConfig)), emu({"--config", config}) {}
  std::string config;
  EmulatorProcess emu;
};

}  // namespace

TEST_CASE("an empty callBackUrl / callback_url is no callback URL at all") {
  Fixture f;
  // Apikley: "callBackUrl": "" (what a published npm client sends on every create) and an
  // empty input.task_id next to image_urls.
  Reply a = Post(f.emu, "/api/v1/jobs/createTask",
                 R"({"model":"grok-imagine/image-to-video","callBackUrl":"",)"
                 R"("input":{"prompt":"x","image_urls":["https://example.com/a.png"],"task_id":""}})");
  INFO(a.body);
  REQUIRE(a.status == 200);
  const std::string id = a.json()["data"]["taskId"];
  CHECK(a.body == R"({"code":200,"msg":"success","data":{"taskId":")" + id + R"("}})");
  nlohmann::json record = Get(f.emu, "/api/v1/jobs/recordInfo?taskId=" + id).json();
  nlohmann::json param = nlohmann::json::parse(record["data"]["param"].get<std::string>());
  CHECK_FALSE(param.contains("callBackUrl"));
  CHECK_FALSE(param["input"].contains("task_id"));
  // Still refused: a callBackUrl that is there and not a URI.
  Reply bad = Post(f.emu, "/api/v1/jobs/createTask",
                   R"({"model":"grok-imagine/text-to-video","callBackUrl":"not a url","input":{"prompt":"x"}})");
  CHECK(bad.body == R"J({"code":422,"msg":"callBackUrl: must be a valid URI (got \"not a url\")","data":null})J");
  // An empty enum value is still refused (it is not a URL field).
  Reply mode = Post(f.emu, "/api/v1/jobs/createTask",
                    R"({"model":"grok-imagine/text-to-video","input":{"prompt":"x","mode":""}})");
  CHECK(mode.body == R"J({"code":422,"msg":"input.mode: must be one of: fun, normal, spicy (got \"\")","data":null})J");

  // Evolink: "callback_url": "" passes the HTTPS and private-host rules because it is absent.
  Reply e = Post(f.emu, "/v1/videos/generations",
                 R"({"model":"grok-imagine-text-to-video","prompt":"x","callback_url":""})");
  INFO(e.body);
  REQUIRE(e.status == 200);
  CHECK(e.json()["status"] == "pending");
  Reply http = Post(f.emu, "/v1/videos/generations",
                    R"({"model":"grok-imagine-text-to-video","prompt":"x","callback_url":"http://example.com/cb"})");
  CHECK(http.status == 400);
  CHECK(http.body ==
        R"J({"error":{"code":"invalid_request","message":"callback_url: must use HTTPS (got \"http://example.com/cb\")","type":"invalid_request_error","param":"callback_url"}})J");
}

TEST_CASE("GET /v1/tasks/{id} words its 429 and 500 as its own route declares") {
  Fixture f;
  Reply created = Post(f.emu, "/v1/videos/generations", R"({"model":"grok-imagine-text-to-video","prompt":"x"})");
  REQUIRE(created.status == 200);
  const std::string id = created.json()["id"];
  Reply limited = Get(f.emu, "/v1/tasks/" + id, "rate_limited");
  CHECK(limited.status == 429);
  CHECK(limited.body == R"({"error":{"code":"rate_limit_exceeded","message":"Rate limit exceeded","type":"evo_api_error"}})");
  Reply broken = Get(f.emu, "/v1/tasks/" + id, "server_error");
  CHECK(broken.status == 500);
  CHECK(broken.body ==
        R"({"error":{"code":"internal_error","message":"Failed to retrieve task status","type":"api_error"}})");
  // The create route keeps its own words.
  Reply create_limited = Post(f.emu, "/v1/videos/generations", R"({"model":"grok-imagine-text-to-video","prompt":"x"})",
                              {{"X-Emulator-Scenario", "rate_limited"}});
  CHECK(create_limited.status == 429);
  CHECK(create_limited.body ==
        R"({"error":{"code":"rate_limit_exceeded","message":"Too many requests, please try again later","type":"rate_limit_error"}})");
  // Apikley's recordInfo documents one 429 text for both routes (K-TD).
  Reply a = Post(f.emu, "/api/v1/jobs/createTask", R"({"model":"grok-imagine/text-to-video","input":{"prompt":"x"}})");
  const std::string aid = a.json()["data"]["taskId"];
  CHECK(Get(f.emu, "/api/v1/jobs/recordInfo?taskId=" + aid, "rate_limited").body ==
        R"({"code":429,"msg":"Rate limit exceeded","data":null})");
  CHECK(Get(f.emu, "/api/v1/jobs/recordInfo?taskId=" + aid, "server_error").body ==
        R"({"code":500,"msg":"Internal server error","data":null})");
}

TEST_CASE("grok-imagine-text-to-video-beta is accepted and reported as grok-imagine-text-to-video") {
  Fixture f;
  Reply r = Post(f.emu, "/v1/videos/generations",
                 R"({"model":"grok-imagine-text-to-video-beta","prompt":"a cat","quality":"480p"})");
  INFO(r.body);
  REQUIRE(r.status == 200);
  nlohmann::json j = r.json();
  CHECK(j["model"] == "grok-imagine-text-to-video");
  f.emu.Advance(10);
  nlohmann::json done = Get(f.emu, "/v1/tasks/" + j["id"].get<std::string>()).json();
  CHECK(done["model"] == "grok-imagine-text-to-video");
  CHECK(done["status"] == "completed");
  // Apikley has no such name.
  Reply a = Post(f.emu, "/api/v1/jobs/createTask", R"({"model":"grok-imagine-text-to-video-beta","input":{"prompt":"x"}})");
  CHECK(a.json()["code"] == 422);
}

TEST_CASE("the journal and HAR list only the headers the client sent") {
  Fixture f;
  Post(f.emu, "/v1/videos/generations", R"({"model":"grok-imagine-text-to-video","prompt":"x"})", {{"X-Trace", "t-1"}});
  nlohmann::json entry = f.emu.Get("/_emulator/journal?kind=request").json()["entries"][0];
  std::set<std::string> names;
  for (const auto& [name, value] : entry["request_headers"].items()) names.insert(name);
  // What httplib's client sends, exactly; nothing the server library adds (REMOTE_ADDR, ...).
  CHECK(names == std::set<std::string>{"Accept", "Authorization", "Connection", "Content-Length", "Content-Type",
                                       "Host", "User-Agent", "X-Trace"});
  nlohmann::json har = f.emu.Get("/_emulator/journal.har").json();
  std::set<std::string> har_names;
  for (const auto& h : har["log"]["entries"][0]["request"]["headers"]) har_names.insert(h["name"].get<std::string>());
  CHECK(har_names == names);
}

}  // namespace imagine::testing
