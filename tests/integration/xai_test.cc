// xAI's own video API (issue 26), driven the way a client written from xAI's public docs
// drives it: base URL <emulator>/xai/v1, POST /videos/generations for a request_id, GET
// /videos/{request_id} until `status` is done, then download video.url. Also: xAI's error
// envelope for each invalid field and key, data: URI images, failed and expired requests, and
// every provider at its own base URL beside the bare root.
#include <doctest/doctest.h>

#include <string>

#include "support/emulator_process.h"

namespace imagine::testing {
namespace {

const char* const kXai = "/xai/v1";

// A client's own base64 (RFC 4648, padded), for data: URIs.
std::string Base64(const std::string& bytes) {
  static const char* const kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t n = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(n >> s) & 63];
  }
  if (i < bytes.size()) {
    uint32_t n = uint8_t(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= uint8_t(bytes[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// The head of a 64x48 PNG: signature and IHDR (what an image probe reads), then padding.
std::string TinyPng(size_t padding = 16) {
  std::string png("\x89PNG\r\n\x1a\n", 8);
  png += std::string("\0\0\0\x0d", 4) + "IHDR";
  png += std::string("\0\0\0\x40\0\0\0\x30", 8);  // width 64, height 48
  png += std::string("\x08\x02\0\0\0", 5);          // 8-bit RGB
  png += std::string("\0\0\0\0", 4);                // CRC (not checked by a probe)
  png += std::string(padding, '\0');
  return png;
}

std::string CreateXai(const EmulatorProcess& emu, const std::string& body, const std::string& key = "demo-key") {
  Reply r = emu.Post(std::string(kXai) + "/videos/generations", body, key);
  REQUIRE_MESSAGE(r.status == 200, r.body);
  return r.json().at("request_id").get<std::string>();
}

nlohmann::json QueryXai(const EmulatorProcess& emu, const std::string& id, const std::string& key = "demo-key") {
  Reply r = emu.Get(std::string(kXai) + "/videos/" + id, key);
  REQUIRE_MESSAGE(r.status == 200, r.body);  // X-GET: HTTP 200 in every state
  return r.json();
}

}  // namespace

TEST_CASE("xai: text-to-video under /xai/v1 goes pending, processing, done and its MP4 downloads") {
  EmulatorProcess emu;
  const std::string id = CreateXai(emu, R"({"model":"grok-imagine-video","prompt":"A cat playing with a ball",
                                            "duration":9,"resolution":"720p","aspect_ratio":"9:16"})");
  CHECK(id.size() == 36);  // UUID-shaped, 8-4-4-4-12
  CHECK(id[8] == '-');

  nlohmann::json pending = QueryXai(emu, id);
  CHECK(pending["status"] == "pending");
  CHECK(pending["progress"] == 0);
  CHECK_FALSE(pending.contains("video"));

  emu.Advance(5);  // waiting and queuing are over within 3 s; 720p at 9 s takes 56-75 s in all
  CHECK(QueryXai(emu, id)["status"] == "processing");

  emu.Advance(80);
  nlohmann::json done = QueryXai(emu, id);
  REQUIRE(done["status"] == "done");
  CHECK(done["progress"] == 100);
  CHECK(done["model"] == "grok-imagine-video");
  CHECK(done["video"]["duration"] == 9);  // as requested; the file is the nearest fixture
  CHECK(done["video"]["respect_moderation"] == true);
  CHECK(done["usage"]["cost_in_usd_ticks"] == 6300000000LL);  // 9 s x $0.07 at 720p, 10^10 ticks a dollar
  const std::string url = done["video"]["url"].get<std::string>();
  REQUIRE(url.rfind(emu.base_url() + "/media/", 0) == 0);
  Reply mp4 = emu.Get(url.substr(emu.base_url().size()));
  CHECK(mp4.status == 200);
  CHECK(mp4.content_type == "video/mp4");
  CHECK(mp4.body.substr(4, 4) == "ftyp");

  // The defaults: grok-imagine-video, 8 s, 480p; null means "not given" ("string | null").
  const std::string plain = CreateXai(emu, R"({"prompt":"waves","model":null,"duration":null,"resolution":null})");
  emu.Advance(60);
  nlohmann::json plain_done = QueryXai(emu, plain);
  REQUIRE(plain_done["status"] == "done");
  CHECK(plain_done["model"] == "grok-imagine-video");
  CHECK(plain_done["video"]["duration"] == 8);
  CHECK(plain_done["usage"]["cost_in_usd_ticks"] == 4000000000LL);  // 8 s x $0.05

  // Another key cannot see it: 404, as an unknown id.
  Reply other = emu.Get(std::string(kXai) + "/videos/" + id, "vip-key");
  CHECK(other.status == 404);
  CHECK(other.json()["code"] == "Some requested entity was not found");
}

TEST_CASE("xai: invalid fields and keys get xAI's own errors and create nothing") {
  EmulatorProcess emu;
  const std::string create = std::string(kXai) + "/videos/generations";
  struct Row {
    const char* body;
    int status;
    const char* error;
  };
  const Row rows[] = {
      {R"({"duration":6})", 422, "Failed to deserialize the JSON body into the target type: missing field `prompt`"},
      {R"({"prompt":"x","image":{}})", 422,
       "Failed to deserialize the JSON body into the target type: missing field `image.url`"},
      {R"({"prompt":"x","duration":"6"})", 422,
       "Failed to deserialize the JSON body into the target type: duration: must be of type integer"},
      {R"({"prompt":"x","duration":16})", 400, "duration: must be less than or equal to 15 (got 16)"},
      {R"({"prompt":"x","duration":0})", 400, "duration: must be greater than or equal to 1 (got 0)"},
      {R"({"prompt":"x","resolution":"1080p"})", 400, nullptr},
      {R"({"prompt":"x","aspect_ratio":"5:4"})", 400, nullptr},
      {R"({"prompt":"x","size":"100x100"})", 400, nullptr},
      {R"({"prompt":"x","model":"grok-2"})", 400, nullptr},
      {R"({"prompt":"x","image":{"url":"ftp://example.com/a.png"}})", 400, nullptr},
      {R"({"prompt":"x","output":{"upload_url":"http://example.com/put"}})", 400,
       "output.upload_url: must be an https URL with a host (got \"http://example.com/put\")"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.body);
    Reply r = emu.Post(create, row.body, "demo-key");
    CHECK(r.status == row.status);
    nlohmann::json body = r.json();
    CHECK(body.size() == 2);
    CHECK(body["code"] == "Client specified an invalid argument");
    if (row.error != nullptr) CHECK(body["error"] == row.error);
    if (row.error == nullptr) CHECK(body["error"].get<std::string>().find(row.status == 400 ? ": " : "") != std::string::npos);
  }

  Reply bad_key = emu.Post(create, R"({"prompt":"x"})", "revoked-key");
  CHECK(bad_key.status == 400);
  CHECK(bad_key.body ==
        R"({"code":"Client specified an invalid argument","error":"Incorrect API key provided. You can obtain an API key from https://console.x.ai."})");
  Reply no_key = emu.Post(create, R"({"prompt":"x"})");
  CHECK(no_key.status == 400);
  CHECK(no_key.json()["error"] == "No API key provided. You can obtain an API key from https://console.x.ai.");
  Reply broke = emu.Post(create, R"({"prompt":"x"})", "broke-key");
  CHECK(broke.status == 403);
  CHECK(broke.json()["code"] == "The caller does not have permission to execute the specified operation");

  Reply unknown = emu.Get(std::string(kXai) + "/videos/00000000-0000-0000-0000-000000000000", "demo-key");
  CHECK(unknown.status == 404);
  CHECK(unknown.json()["error"] == "No deferred request with this request_id was found.");
  Reply no_route = emu.Get(std::string(kXai) + "/models", "demo-key");
  CHECK(no_route.status == 404);
  CHECK(no_route.json()["code"] == "Some requested entity was not found");

  // Nothing was created by any refusal.
  Reply tasks = emu.Get("/_emulator/tasks?provider=xai");
  REQUIRE(tasks.status == 200);
  CHECK(tasks.json()["tasks"].empty());
}

TEST_CASE("xai: image-to-video takes a data: URI, decoded and checked at create") {
  const std::string config = WriteTempFile("server: {body_limit_bytes: 20000000}\n");
  EmulatorProcess emu({"--config", config, "--clock", "virtual"});
  const std::string create = std::string(kXai) + "/videos/generations";

  const std::string id =
      CreateXai(emu, R"({"prompt":"the cat blinks","image":{"url":"data:image/png;base64,)" + Base64(TinyPng()) + R"("}})");
  emu.Advance(60);
  CHECK(QueryXai(emu, id)["status"] == "done");

  struct Row {
    std::string url;
    const char* error;
  };
  const Row rows[] = {
      {"data:image/png;base64,!!!notbase64", "image.url: is not valid base64 data"},
      {"data:text/plain;base64," + Base64("hello"), "image.url: must be a data:image/<type>;base64, URI"},
      {"data:image/png," + Base64(TinyPng()), "image.url: must be a data:image/<type>;base64, URI"},
      {"data:image/gif;base64," + Base64("GIF89a" + std::string(32, '\0')), "image.url: is not a JPEG, PNG or WEBP image"},
      {"data:image/png;base64," + Base64(TinyPng(10u << 20)), "image.url: the image exceeds the maximum size of 10 MB"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.url.substr(0, 40));
    Reply r = emu.Post(create, R"({"prompt":"x","image":{"url":")" + row.url + R"("}})", "demo-key");
    CHECK(r.status == 400);
    CHECK(r.json()["code"] == "Client specified an invalid argument");
    const std::string error = r.json()["error"].get<std::string>();
    CHECK(error.rfind(row.error, 0) == 0);
  }
  // An https image on a private host follows the Evolink policy: refused, with the emulator's hint.
  Reply local = emu.Post(create, R"({"prompt":"x","image":{"url":"https://127.0.0.1/cat.png"}})", "demo-key");
  CHECK(local.status == 400);
  bool hinted = false;
  for (const auto& [k, v] : local.headers) hinted |= k == "X-Emulator-Hint" && v.find("xai.allow_private_images") != std::string::npos;
  CHECK(hinted);
}

TEST_CASE("xai: a failed request shows error code and message, an old one expires") {
  EmulatorProcess emu;
  const std::string failed = CreateXai(emu, R"({"prompt":"x"})", "flaky-key");  // default scenario generation_failed
  emu.Advance(120);
  nlohmann::json f = QueryXai(emu, failed, "flaky-key");
  CHECK(f["status"] == "failed");
  CHECK(f["error"]["code"] == "internal_error");
  CHECK(f["error"]["message"] == "Video generation failed. Please try again.");
  CHECK(f["video"]["duration"] == 0);
  CHECK_FALSE(f["video"].contains("url"));

  const std::string id = CreateXai(emu, R"({"prompt":"x","duration":1})");
  emu.Advance(60);
  nlohmann::json done = QueryXai(emu, id);
  REQUIRE(done["status"] == "done");
  const std::string path = done["video"]["url"].get<std::string>().substr(emu.base_url().size());
  emu.Advance(86400);  // tasks.result_ttl_s: 24 h
  nlohmann::json expired = QueryXai(emu, id);
  CHECK(expired["status"] == "expired");
  CHECK_FALSE(expired.contains("video"));
  CHECK(emu.Get(path).status == 404);
}

TEST_CASE("xai: --self-check validates every xAI answer, each state and error, against schemas/xai") {
  EmulatorProcess emu;  // started with --self-check (EmulatorProcess adds it; Stop checks no violation)
  auto checked = [&emu] {
    nlohmann::json health = emu.Get("/_emulator/health").json();
    REQUIRE(health.contains("self_check"));
    CHECK(health["self_check"]["violations"] == 0);
    return health["self_check"]["checked"].get<int>();
  };
  const int before = checked();
  const std::string id = CreateXai(emu, R"({"prompt":"x","duration":1})");                // 1
  CHECK(QueryXai(emu, id)["status"] == "pending");                                        // 2
  const std::string failed = CreateXai(emu, R"({"prompt":"x"})", "flaky-key");           // 3
  emu.Advance(120);                                                                       // 4 (control API)
  CHECK(QueryXai(emu, id)["status"] == "done");                                           // 5
  CHECK(QueryXai(emu, failed, "flaky-key")["status"] == "failed");                        // 6
  CHECK(emu.Post(std::string(kXai) + "/videos/generations", R"({"prompt":"x","duration":99})", "demo-key").status == 400);  // 7
  CHECK(emu.Post(std::string(kXai) + "/videos/generations", R"({"duration":6})", "demo-key").status == 422);                // 8
  CHECK(emu.Get(std::string(kXai) + "/videos/00000000-0000-0000-0000-000000000000", "demo-key").status == 404);           // 9
  emu.Advance(86400);                                                                     // 10 (control API)
  CHECK(QueryXai(emu, id)["status"] == "expired");                                        // 11
  CHECK(checked() == before + 1 + 11);  // the first health answer, then each answer above, none broken
}

TEST_CASE("every provider is served at its own base URL and the root keeps Apikley and Evolink") {
  EmulatorProcess emu;
  const std::string evolink_body = R"({"model":"grok-imagine-text-to-video","prompt":"a kite"})";
  for (const std::string base : {"", "/evolink"}) {
    CAPTURE(base);
    Reply created = emu.Post(base + "/v1/videos/generations", evolink_body, "demo-key");
    REQUIRE(created.status == 200);
    const std::string id = created.json()["id"].get<std::string>();
    CHECK(id.rfind("task-unified-", 0) == 0);
    // A task made under one base is the same task under the other.
    for (const std::string other : {"", "/evolink"}) {
      Reply q = emu.Get(other + "/v1/tasks/" + id, "demo-key");
      CHECK(q.status == 200);
      CHECK(q.json()["id"] == id);
    }
    Reply credits = emu.Get(base + "/v1/credits", "demo-key");
    CHECK(credits.status == 200);
    Reply bad = emu.Post(base + "/v1/videos/generations", R"({"model":"grok-imagine-text-to-video"})", "demo-key");
    CHECK(bad.status == 400);
    CHECK(bad.json()["error"]["type"] == "invalid_request_error");  // Evolink's envelope under both
  }
  for (const std::string base : {"", "/apikley"}) {
    CAPTURE(base);
    Reply created = emu.Post(base + "/api/v1/jobs/createTask",
                             R"({"model":"grok-imagine/text-to-video","input":{"prompt":"a kite"}})", "demo-key");
    REQUIRE(created.status == 200);
    CHECK(created.json()["code"] == 200);
    Reply missing = emu.Get(base + "/api/v1/nope", "demo-key");
    CHECK(missing.json()["code"] == 404);  // Apikley's not-found under both
  }
  // xAI is not at the root: its body at the root is Evolink's request, refused in Evolink's words.
  Reply at_root = emu.Post("/v1/videos/generations", R"({"prompt":"a kite","model":"grok-imagine-video"})", "demo-key");
  CHECK(at_root.status == 400);
  CHECK(at_root.json()["error"]["code"] == "invalid_request");
  CHECK(emu.Get("/v1/videos/00000000-0000-0000-0000-000000000000", "demo-key").status == 404);
  // The three side by side on one port, each in its own words.
  CHECK(emu.Post("/xai/v1/videos/generations", R"({"prompt":"a kite"})", "demo-key").status == 200);
  Reply tasks = emu.Get("/_emulator/tasks");
  REQUIRE(tasks.status == 200);
  int xai = 0, evolink = 0, apikley = 0;
  const nlohmann::json listed = tasks.json();
  for (const auto& t : listed["tasks"]) {
    xai += t["provider"] == "xai";
    evolink += t["provider"] == "evolink";
    apikley += t["provider"] == "apikley";
  }
  CHECK(xai == 1);
  CHECK(evolink == 2);
  CHECK(apikley == 2);
}

}  // namespace imagine::testing
