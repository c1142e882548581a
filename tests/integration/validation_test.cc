// Request validation over real HTTP: every schema rule, cross-field rule and malformed-
// input case, with the exact status and body each provider answers — and proof that a
// refused request creates nothing.
#include <doctest/doctest.h>

#include "support/emulator_process.h"
#include "support/test_configs.h"

namespace imagine::testing {
namespace {

constexpr const char* kKey = "validation-key";

std::string Repeat(char c, size_t n) { return std::string(n, c); }

// Apikley answers HTTP 200 with {code:422,msg,data:null}.
void ExpectApikley422(const EmulatorProcess& emu, const std::string& body, const std::string& msg,
                      const std::string& content_type = "application/json") {
  Reply r = emu.Post("/api/v1/jobs/createTask", body, kKey, content_type);
  INFO("request: " << body.substr(0, 300));
  CHECK(r.status == 200);
  CHECK(r.json() == nlohmann::json{{"code", 422}, {"msg", msg}, {"data", nullptr}});
}

// Evolink answers HTTP 400 (or `status`) with {error:{code,message,type[,param]}}.
Reply ExpectEvolinkError(const EmulatorProcess& emu, const std::string& body, const std::string& message,
                         const std::string& param, int status = 400,
                         const std::string& content_type = "application/json") {
  Reply r = emu.Post("/v1/videos/generations", body, kKey, content_type);
  INFO("request: " << body.substr(0, 300));
  CHECK(r.status == status);
  nlohmann::json error = {{"code", status == 413 ? "request_too_large" : "invalid_request"},
                          {"message", message},
                          {"type", "invalid_request_error"}};
  if (!param.empty()) error["param"] = param;
  CHECK(r.json() == nlohmann::json{{"error", error}});
  return r;
}

nlohmann::json I2V(nlohmann::json input) {
  return {{"model", "grok-imagine/image-to-video"}, {"input", std::move(input)}};
}

nlohmann::json EvoI2V(nlohmann::json extra = nlohmann::json::object()) {
  nlohmann::json body = {{"model", "grok-imagine-image-to-video-beta"},
                         {"prompt", "dance"},
                         {"image_urls", {"https://example.com/a.jpg"}}};
  for (auto& [k, v] : extra.items()) body[k] = v;
  return body;
}

long long TaskCount(const EmulatorProcess& emu) { return emu.Get("/_emulator/health").json()["tasks"]; }

TEST_CASE("apikley schema rules answer code 422 naming the field, the rule and the value") {
  EmulatorProcess emu;
  const std::string long_prompt = Repeat('p', 5001);
  struct Row {
    nlohmann::json body;
    std::string msg;
  };
  const Row rows[] = {
      {{{"input", {{"prompt", "x"}}}}, "model: is required"},
      {{{"model", "grok-imagine/nope"}, {"input", {{"prompt", "x"}}}},
       "model: must be one of: grok-imagine/image-to-video, grok-imagine/text-to-image, grok-imagine/text-to-video, "
       "grok-imagine/upscale (got \"grok-imagine/nope\")"},
      {{{"model", 7}, {"input", {{"prompt", "x"}}}}, "model: must be of type string (got 7)"},
      {{{"model", "grok-imagine/text-to-video"}}, "input: is required"},
      {{{"model", "grok-imagine/text-to-video"}, {"input", "x"}}, "input: must be of type object (got \"x\")"},
      {{{"model", "grok-imagine/text-to-video"}, {"callBackUrl", "not a url"}, {"input", {{"prompt", "x"}}}},
       "callBackUrl: must be a valid URI (got \"not a url\")"},
      {I2V({{"image_urls", {"https://e.com/a.png"}}}), "input.prompt: is required"},
      {I2V({{"prompt", long_prompt}, {"image_urls", {"https://e.com/a.png"}}}),
       "input.prompt: must be at most 5000 characters long (got \"" + Repeat('p', 99) + "…)"},
      {I2V({{"prompt", 5}, {"image_urls", {"https://e.com/a.png"}}}), "input.prompt: must be of type string (got 5)"},
      {I2V({{"prompt", "x"}, {"image_urls", {"https://e.com/a.png", "https://e.com/b.png"}}}),
       "input.image_urls: must have at most 1 item (got [\"https://e.com/a.png\",\"https://e.com/b.png\"])"},
      {I2V({{"prompt", "x"}, {"image_urls", {"not a uri"}}}), "input.image_urls[0]: must be a valid URI (got \"not a uri\")"},
      {I2V({{"prompt", "x"}, {"task_id", Repeat('a', 101)}}),
       "input.task_id: must be at most 100 characters long (got \"" + Repeat('a', 99) + "…)"},
      {I2V({{"prompt", "x"}, {"task_id", "abc"}, {"index", 6}}), "input.index: must be less than or equal to 5 (got 6)"},
      {I2V({{"prompt", "x"}, {"task_id", "abc"}, {"index", -1}}),
       "input.index: must be greater than or equal to 0 (got -1)"},
      {I2V({{"prompt", "x"}, {"task_id", "abc"}, {"index", 1.5}}), "input.index: must be of type integer (got 1.5)"},
      {I2V({{"prompt", "x"}, {"task_id", "abc"}, {"mode", "wild"}}),
       "input.mode: must be one of: fun, normal, spicy (got \"wild\")"},
      {{{"model", "grok-imagine/text-to-image"}, {"input", {{"prompt", "x"}, {"aspect_ratio", "4:3"}}}},
       "input.aspect_ratio: must be one of: 2:3, 3:2, 1:1, 16:9, 9:16 (got \"4:3\")"},
      {{{"model", "grok-imagine/text-to-video"}, {"input", {{"prompt", "x"}, {"mode", "turbo"}}}},
       "input.mode: must be one of: fun, normal, spicy (got \"turbo\")"},
      {{{"model", "grok-imagine/upscale"}, {"input", nlohmann::json::object()}}, "input.task_id: is required"},
  };
  for (const Row& row : rows) ExpectApikley422(emu, row.body.dump(), row.msg);
  CHECK(TaskCount(emu) == 0);
}

TEST_CASE("apikley image-to-video cross-field rules") {
  std::string config = WriteTempFile(kFixedTimingConfig);
  EmulatorProcess emu({"--config", config});
  struct Row {
    nlohmann::json input;
    std::string msg;
  };
  const Row rows[] = {
      {{{"prompt", "x"}, {"task_id", "abc"}, {"image_urls", {"https://e.com/a.png"}}},
       "input.task_id: must not be combined with input.image_urls (got \"abc\")"},
      {{{"prompt", "x"}}, "input.image_urls: is required: give one of input.image_urls or input.task_id"},
      {{{"prompt", "x"}, {"image_urls", nlohmann::json::array()}},
       "input.image_urls: must contain exactly one image URL (got [])"},
      {{{"prompt", "x"}, {"image_urls", {"https://e.com/a.png"}}, {"mode", "spicy"}},
       "input.mode: spicy is not available with external images (input.image_urls); use input.task_id (got \"spicy\")"},
      {{{"prompt", "x"}, {"task_id", "0123456789abcdef0123456789abcdef"}},
       "input.task_id: must be the id of a successful grok-imagine/text-to-image task of this API key (got "
       "\"0123456789abcdef0123456789abcdef\")"},
  };
  for (const Row& row : rows) ExpectApikley422(emu, I2V(row.input).dump(), row.msg);

  // A successful text-to-video task is not a text-to-image source.
  Reply t2v = emu.Post("/api/v1/jobs/createTask", R"({"model":"grok-imagine/text-to-video","input":{"prompt":"x"}})", kKey);
  std::string id = t2v.json()["data"]["taskId"];
  emu.Advance(10);
  ExpectApikley422(emu, I2V({{"prompt", "x"}, {"task_id", id}}).dump(),
                   "input.task_id: must be the id of a successful grok-imagine/text-to-image task of this API key "
                   "(got \"" + id + "\")");
  ExpectApikley422(emu, R"({"model":"grok-imagine/upscale","input":{"task_id":"nope"}})",
                   "input.task_id: must be the id of a successful Grok Imagine generation task of this API key (got "
                   "\"nope\")");
  CHECK(TaskCount(emu) == 1);
}

TEST_CASE("evolink schema and cross-field rules answer 400 invalid_request with param") {
  EmulatorProcess emu;
  struct Row {
    nlohmann::json body;
    std::string message;
    std::string param;
  };
  const Row rows[] = {
      {{{"prompt", "x"}}, "model: is required", "model"},
      {{{"model", "nope"}, {"prompt", "x"}},
       "model: must be one of: grok-imagine-image-to-video-beta, grok-imagine-text-to-video (got \"nope\")", "model"},
      {{{"model", "grok-imagine-image-to-video-beta"}, {"prompt", "x"}}, "image_urls: is required", "image_urls"},
      {{{"model", "grok-imagine-image-to-video-beta"}, {"image_urls", {"https://e.com/a"}}}, "prompt: is required",
       "prompt"},
      {EvoI2V({{"image_urls", nlohmann::json::array()}}), "image_urls: must have at least 1 item (got [])", "image_urls"},
      {EvoI2V({{"image_urls", {"https://e.com/a", "https://e.com/b"}}}),
       "image_urls: must have at most 1 item (got [\"https://e.com/a\",\"https://e.com/b\"])", "image_urls"},
      {EvoI2V({{"image_urls", {"a b"}}}), "image_urls[0]: must be a valid URI (got \"a b\")", "image_urls[0]"},
      {EvoI2V({{"duration", 15}}), "duration: must be one of: 6, 10 (got 15)", "duration"},
      {EvoI2V({{"duration", "6"}}), "duration: must be of type integer (got \"6\")", "duration"},
      {EvoI2V({{"quality", "1080p"}}), "quality: must be one of: 480p, 720p (got \"1080p\")", "quality"},
      {EvoI2V({{"mode", "hot"}}), "mode: must be one of: fun, normal, spicy (got \"hot\")", "mode"},
      {EvoI2V({{"callback_url", "not a url"}}), "callback_url: must be a valid URI (got \"not a url\")", "callback_url"},
      {EvoI2V({{"callback_url", "https://example.com/" + Repeat('c', 2030)}}),
       "callback_url: must be at most 2048 characters long (got \"https://example.com/" + Repeat('c', 79) + "…)",
       "callback_url"},
      {{{"model", "grok-imagine-text-to-video"}}, "prompt: is required", "prompt"},
      {{{"model", "grok-imagine-text-to-video"}, {"prompt", "x"}, {"aspect_ratio", "4:3"}},
       "aspect_ratio: must be one of: 16:9, 9:16, 1:1, 3:2, 2:3 (got \"4:3\")", "aspect_ratio"},
  };
  for (const Row& row : rows) {
    Reply r = ExpectEvolinkError(emu, row.body.dump(), row.message, row.param);
    CHECK(r.headers.count("X-Emulator-Hint") == 0);
  }
  CHECK(TaskCount(emu) == 0);
}

TEST_CASE("evolink callback_url must be HTTPS and public, the hint is a header, never in the body") {
  EmulatorProcess emu;
  const std::string hint =
      "set evolink.allow_private_callbacks: true in the emulator config to accept http:// and loopback/private "
      "callback receivers";
  struct Row {
    const char* url;
    std::string message;
  };
  const Row rows[] = {
      {"http://example.com/cb", "callback_url: must use HTTPS (got \"http://example.com/cb\")"},
      {"http://127.0.0.1:9000/cb", "callback_url: must use HTTPS (got \"http://127.0.0.1:9000/cb\")"},
  };
  for (const Row& row : rows) {
    Reply r = ExpectEvolinkError(emu, EvoI2V({{"callback_url", row.url}}).dump(), row.message, "callback_url");
    CHECK(r.headers.find("X-Emulator-Hint")->second == hint);
  }
  for (const char* url : {"https://127.0.0.1/cb", "https://localhost:8443/cb", "https://10.0.0.8/cb",
                          "https://172.20.1.1/cb", "https://192.168.1.10/cb", "https://169.254.169.254/latest",
                          "https://[::1]/cb", "https://[fd00::1]/cb"}) {
    Reply r = ExpectEvolinkError(
        emu, EvoI2V({{"callback_url", url}}).dump(),
        std::string("callback_url: must not point to a loopback, private or link-local address (got \"") + url + "\")",
        "callback_url");
    CHECK(r.headers.find("X-Emulator-Hint")->second == hint);
    CHECK(r.body.find("allow_private_callbacks") == std::string::npos);
  }
  CHECK(emu.Post("/v1/videos/generations", EvoI2V({{"callback_url", "https://hooks.example.com/cb"}}).dump(), kKey)
            .status == 200);
  CHECK(TaskCount(emu) == 1);

  std::string local = WriteTempFile("evolink: {allow_private_callbacks: true}\n");
  EmulatorProcess dev({"--config", local, "--clock", "virtual"});
  CHECK(dev.Post("/v1/videos/generations", EvoI2V({{"callback_url", "http://127.0.0.1:9000/cb"}}).dump(), kKey)
            .status == 200);
}

TEST_CASE("malformed bodies get each provider's envelope and create nothing") {
  std::string config = WriteTempFile("server: {body_limit_bytes: 4096}\n");
  EmulatorProcess emu({"--config", config, "--clock", "virtual"});
  const std::string big = "{\"prompt\":\"" + Repeat('x', 5000) + "\"}";
  const std::string deep = "{\"a\":" + Repeat('[', 65) + Repeat(']', 65) + "}";
  struct Row {
    std::string body;
    std::string content_type;
    std::string message;
  };
  const Row rows[] = {
      {"{\"model\":", "application/json",
       "request body is not valid JSON: parse error at line 1, column 10: syntax error while parsing value - "
       "unexpected end of input; expected '[', '{', or a literal"},
      {"[1,2,3]", "application/json", "request body must be a JSON object"},
      {"{}", "text/plain", "Content-Type must be application/json (got \"text/plain\")"},
      {"", "application/json", "request body is empty; expected a JSON object"},
      {"{\"prompt\":\"\xff\xfe\"}", "application/json", "request body is not valid UTF-8 (bad byte at offset 11)"},
      {deep, "application/json", "request body nests deeper than 64 levels"},
  };
  for (const Row& row : rows) {
    ExpectApikley422(emu, row.body, row.message, row.content_type);
    ExpectEvolinkError(emu, row.body, row.message, "", 400, row.content_type);
  }
  ExpectApikley422(emu, big, "request body is larger than the 4096-byte limit");
  Reply too_large = ExpectEvolinkError(emu, big, "request body is larger than the 4096-byte limit", "", 413);
  CHECK(TaskCount(emu) == 0);
  // Regression (review): answers made by the HTTP library itself are journaled too, with an id.
  CHECK(too_large.headers.find("X-Request-Id")->second.rfind("req_", 0) == 0);
  CHECK(emu.Get("/_emulator/journal?status=413").json()["entries"].size() == 1);
}

TEST_CASE("a refused request changes nothing: no task, no id, no credit change") {
  std::string config = WriteTempFile(kFixedTimingConfig);
  EmulatorProcess emu({"--config", config});
  const std::string credit_before = emu.Get("/api/v1/chat/credit", kKey).body;
  const std::string evo_credit_before = emu.Get("/v1/credits", kKey).body;
  for (int i = 0; i < 5; ++i) {
    ExpectApikley422(emu, I2V({{"prompt", "x"}, {"image_urls", {"https://e.com/a.png"}}, {"mode", "spicy"}}).dump(),
                     "input.mode: spicy is not available with external images (input.image_urls); use input.task_id "
                     "(got \"spicy\")");
    ExpectEvolinkError(emu, EvoI2V({{"duration", 7}}).dump(), "duration: must be one of: 6, 10 (got 7)", "duration");
  }
  CHECK(TaskCount(emu) == 0);
  CHECK(emu.Get("/api/v1/chat/credit", kKey).body == credit_before);
  CHECK(emu.Get("/v1/credits", kKey).body == evo_credit_before);
  // The next accepted task gets the id the refused ones would have used: same seed, same
  // first id as in a run that never saw the refusals.
  std::string first = emu.Post("/api/v1/jobs/createTask",
                               R"({"model":"grok-imagine/text-to-video","input":{"prompt":"x"}})", kKey)
                          .json()["data"]["taskId"];
  EmulatorProcess fresh({"--config", config});
  CHECK(fresh.Post("/api/v1/jobs/createTask", R"({"model":"grok-imagine/text-to-video","input":{"prompt":"x"}})", kKey)
            .json()["data"]["taskId"] == first);
}

TEST_CASE("unknown fields are ignored by default and refused with validation.strict") {
  const std::string apikley = R"({"model":"grok-imagine/text-to-video","input":{"prompt":"x","duration":"10"},"extra":1})";
  const std::string evolink = R"({"model":"grok-imagine-text-to-video","prompt":"x","seed":3})";
  EmulatorProcess lenient;
  CHECK(lenient.Post("/api/v1/jobs/createTask", apikley, kKey).json()["code"] == 200);
  CHECK(lenient.Post("/v1/videos/generations", evolink, kKey).status == 200);

  std::string config = WriteTempFile("validation: {strict: true}\n");
  EmulatorProcess strict({"--config", config, "--clock", "virtual"});
  ExpectApikley422(strict, apikley, "extra: is not a known field (got 1)");
  ExpectApikley422(strict, R"({"model":"grok-imagine/text-to-video","input":{"prompt":"x","duration":"10"}})",
                   "input.duration: is not a known field (got \"10\")");
  ExpectEvolinkError(strict, evolink, "seed: is not a known field (got 3)", "seed");
  CHECK(TaskCount(strict) == 0);
}

TEST_CASE("defaults are applied and shown in param and in responses") {
  std::string config = WriteTempFile(kFixedTimingConfig);
  EmulatorProcess emu({"--config", config});
  Reply a = emu.Post("/api/v1/jobs/createTask",
                     R"({"model":"grok-imagine/image-to-video","input":{"prompt":"x","image_urls":["https://e.com/a.png"]}})",
                     kKey);
  std::string id = a.json()["data"]["taskId"];
  nlohmann::json rec = emu.Get("/api/v1/jobs/recordInfo?taskId=" + id, kKey).json();
  nlohmann::json param = nlohmann::json::parse(rec["data"]["param"].get<std::string>());
  CHECK(param["input"]["mode"] == "normal");
  CHECK(param["input"]["index"] == 0);
  // Evolink: duration 6 and quality 480p give the 480p 6 s video.
  Reply e = emu.Post("/v1/videos/generations", EvoI2V().dump(), kKey);
  REQUIRE(e.status == 200);
  emu.Advance(10);
  nlohmann::json task = emu.Get("/v1/tasks/" + e.json()["id"].get<std::string>(), kKey).json();
  std::string url = task["results"][0];
  Reply file = emu.Get(url.substr(emu.base_url().size()));
  CHECK(file.status == 200);
  CHECK(file.body.size() > 1000);
}

}  // namespace
}  // namespace imagine::testing
