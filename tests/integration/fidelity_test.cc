// Issue 12's smaller fidelity points over real HTTP, on both providers: empty optional
// URL fields, the task query's own 429/500 words, the text-to-video beta name, and the
// journal/HAR holding only the headers the client sent.
#include <doctest/doctest.h>

#include <set>

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
  // What httplib's client sends, exactly; the front end adds nothing.
  CHECK(names == std::set<std::string>{"Accept", "Authorization", "Connection", "Content-Length", "Content-Type",
                                       "Host", "User-Agent", "X-Trace"});
  nlohmann::json har = f.emu.Get("/_emulator/journal.har").json();
  std::set<std::string> har_names;
  for (const auto& h : har["log"]["entries"][0]["request"]["headers"]) har_names.insert(h["name"].get<std::string>());
  CHECK(har_names == names);
  // Apikley's routes, and a GET without a body, the same way.
  Post(f.emu, "/api/v1/jobs/createTask", R"({"model":"grok-imagine/text-to-video","input":{"prompt":"x"}})");
  Get(f.emu, "/api/v1/jobs/recordInfo?taskId=nope");
  nlohmann::json entries = f.emu.Get("/_emulator/journal?kind=request&path=/api/*").json()["entries"];
  REQUIRE(entries.size() == 2);
  for (const auto& e : entries) {
    std::set<std::string> seen;
    for (const auto& [name, value] : e["request_headers"].items()) seen.insert(name);
    std::set<std::string> expected{"Accept", "Authorization", "Connection", "Host", "User-Agent"};
    if (e["method"] == "POST") expected.insert({"Content-Length", "Content-Type"});
    CHECK(seen == expected);
  }
}

TEST_CASE("rate_limits.scope: per_key_and_model counts each model apart, per_key counts the key's tasks together") {
  for (const char* scope : {"per_key_and_model", "per_key"}) {
    INFO(std::string(scope));
    const std::string limits = std::string("{scope: ") + scope + ", models: {";
    const std::string timing = "{timing: {waiting_s: [1, 1], queuing_s: [2, 2], total_s: [10, 10]}}";
    std::string config = WriteTempFile(
        "clock: {mode: virtual}\napikley:\n  rate_limits: " + limits +
        "grok-imagine/image-to-video: {concurrent: 1}, grok-imagine/text-to-video: {concurrent: 1}}}\n"
        "  models: {grok-imagine/image-to-video: " + timing + ", grok-imagine/text-to-video: " + timing + "}\n"
        "evolink:\n  rate_limits: " + limits +
        "grok-imagine-image-to-video-beta: {concurrent: 1}, grok-imagine-text-to-video: {per_hour: 1}}}\n");
    EmulatorProcess emu({"--config", config});
    CHECK(Post(emu, "/api/v1/jobs/createTask", R"({"model":"grok-imagine/text-to-video","input":{"prompt":"x"}})")
              .json()["code"] == 200);
    Reply second = Post(emu, "/api/v1/jobs/createTask",
                        R"({"model":"grok-imagine/image-to-video","input":{"prompt":"x","image_urls":["https://e.com/a.png"]}})");
    CHECK(Post(emu, "/v1/videos/generations", R"({"model":"grok-imagine-text-to-video","prompt":"x"})").status == 200);
    Reply e_second = Post(emu, "/v1/videos/generations",
                          R"({"model":"grok-imagine-image-to-video-beta","prompt":"x","image_urls":["https://e.com/a.png"]})");
    if (std::string(scope) == "per_key") {
      CHECK(second.body == R"({"code":429,"msg":"Rate limit exceeded","data":null})");
      CHECK(e_second.status == 429);
      CHECK(e_second.body ==
            R"({"error":{"code":"rate_limit_exceeded","message":"Too many requests, please try again later","type":"rate_limit_error"}})");
    } else {
      CHECK(second.json()["code"] == 200);
      CHECK(e_second.status == 200);
    }
    // Once the first tasks finish, the slot is free again in either scope.
    emu.Advance(10);
    CHECK(Post(emu, "/api/v1/jobs/createTask",
               R"({"model":"grok-imagine/image-to-video","input":{"prompt":"y","image_urls":["https://e.com/a.png"]}})")
              .json()["code"] == 200);
    CHECK(emu.Get("/_emulator/config").json()["apikley"]["rate_limits"].value("scope", "per_key_and_model") == scope);
  }
}

TEST_CASE("high complexity prompts draw their duration from the complex_prompt range") {
  std::string config = WriteTempFile(R"(
clock: {mode: virtual}
apikley:
  models:
    grok-imagine/image-to-video:
      timing: {waiting_s: [1, 1], queuing_s: [2, 2], total_s: [10, 10], complex_prompt: {over_chars: 20, total_s: [25, 25]}}
evolink:
  models:
    grok-imagine-image-to-video-beta:
      timing: {waiting_s: [1, 1], queuing_s: [2, 2], total_s: [10, 10], complex_prompt: {over_chars: 20, total_s: [25, 25]}}
)");
  EmulatorProcess emu({"--config", config});
  const std::string short_prompt = "a cat jumps";                          // 11 characters
  const std::string long_prompt = "ein Kätzchen springt über den Zaun";    // 34 characters, 36 bytes
  const std::string edge = "ääääääääääääääääääää";                          // 20 characters, 40 bytes: not over
  auto apikley = [&](const std::string& prompt) {
    Reply r = Post(emu, "/api/v1/jobs/createTask",
                   R"({"model":"grok-imagine/image-to-video","input":{"prompt":")" + prompt +
                       R"(","image_urls":["https://e.com/a.png"]}})");
    return r.json()["data"]["taskId"].get<std::string>();
  };
  auto evolink = [&](const std::string& prompt) {
    Reply r = Post(emu, "/v1/videos/generations",
                   R"({"model":"grok-imagine-image-to-video-beta","prompt":")" + prompt +
                       R"(","image_urls":["https://e.com/a.png"]})");
    return r.json()["id"].get<std::string>();
  };
  const std::string a_short = apikley(short_prompt), a_long = apikley(long_prompt), a_edge = apikley(edge);
  const std::string e_short = evolink(short_prompt), e_long = evolink(long_prompt);
  auto state = [&](const std::string& id) {
    return Get(emu, "/api/v1/jobs/recordInfo?taskId=" + id).json()["data"]["state"].get<std::string>();
  };
  auto status = [&](const std::string& id) { return Get(emu, "/v1/tasks/" + id).json()["status"].get<std::string>(); };
  emu.Advance(10);
  CHECK(state(a_short) == "success");
  CHECK(state(a_edge) == "success");
  CHECK(state(a_long) == "generating");
  CHECK(status(e_short) == "completed");
  CHECK(status(e_long) == "processing");
  emu.Advance(15);
  CHECK(state(a_long) == "success");
  CHECK(status(e_long) == "completed");
  nlohmann::json record = Get(emu, "/api/v1/jobs/recordInfo?taskId=" + a_long).json();
  CHECK(record["data"]["costTime"] == 25000);
}

TEST_CASE("the default config gives Apikley image-to-video the documented 20-30 s for complex prompts") {
  EmulatorProcess emu;
  nlohmann::json timing = emu.Get("/_emulator/config").json()["apikley"]["models"]["grok-imagine/image-to-video"]["timing"];
  CHECK(timing["complex_prompt"] == nlohmann::json::parse(R"({"over_chars":500,"total_s":[20,30]})"));
  CHECK(timing["total_s"] == nlohmann::json::parse("[15,20]"));
  Reply bad = [&] {
    std::string config = WriteTempFile(
        "apikley:\n  models:\n    grok-imagine/image-to-video: {timing: {complex_prompt: {over_chars: 5, total_s: [30, 20]}}}\n");
    auto [code, out] = RunToExit({"--config", config});
    Reply r;
    r.status = code;
    r.body = out;
    return r;
  }();
  INFO(bad.body);
  CHECK(bad.status == 2);
  CHECK(bad.body.find("apikley.models.grok-imagine/image-to-video.timing.complex_prompt.total_s") != std::string::npos);
}

}  // namespace imagine::testing
