// Apikley end to end over real HTTP: create -> advance the virtual clock -> recordInfo
// -> download, for every model, with exact state transitions (fixed timings).
#include <doctest/doctest.h>

#include "support/emulator_process.h"
#include "support/mp4_info.h"
#include "support/test_configs.h"

namespace imagine::testing {
namespace {

constexpr const char* kKey = "test-key-apikley";

struct Fixture {
  Fixture() : config(WriteTempFile(kFixedTimingConfig)), emu({"--config", config}) {}
  std::string config;
  EmulatorProcess emu;

  std::string Create(const nlohmann::json& body, const std::string& key = kKey) {
    Reply r = emu.Post("/api/v1/jobs/createTask", body.dump(), key);
    INFO(r.body);
    REQUIRE(r.status == 200);
    nlohmann::json j = r.json();
    REQUIRE(j["code"] == 200);
    REQUIRE(j["msg"] == "success");
    std::string id = j["data"]["taskId"];
    return id;
  }
  nlohmann::json Record(const std::string& id, const std::string& key = kKey) {
    Reply r = emu.Get("/api/v1/jobs/recordInfo?taskId=" + id, key);
    REQUIRE(r.status == 200);
    return r.json();
  }
  std::string Download(const std::string& url, std::string* content_type = nullptr) {
    std::string prefix = emu.base_url();
    REQUIRE(url.rfind(prefix, 0) == 0);
    Reply r = emu.Get(url.substr(prefix.size()));
    INFO(url);
    REQUIRE(r.status == 200);
    if (content_type) *content_type = r.content_type;
    return r.body;
  }
  std::vector<std::string> ResultUrls(const nlohmann::json& record) {
    nlohmann::json result = nlohmann::json::parse(record["data"]["resultJson"].get<std::string>());
    return result["resultUrls"].get<std::vector<std::string>>();
  }
};

bool IsHex32(const std::string& s) {
  if (s.size() != 32) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Walks a task through its states at the fixed instants and returns the final record.
nlohmann::json WalkToSuccess(Fixture& f, const std::string& id, const std::string& model) {
  nlohmann::json r = f.Record(id);
  CHECK(r["data"]["state"] == "waiting");
  CHECK(r["data"]["model"] == model);
  CHECK(r["data"]["completeTime"].is_null());
  CHECK(r["data"]["costTime"] == 0);
  CHECK_FALSE(r["data"].contains("resultJson"));
  const long long created = r["data"]["createTime"];
  CHECK(r["data"]["updateTime"] == created);
  f.emu.Advance(1);
  r = f.Record(id);
  CHECK(r["data"]["state"] == "queuing");
  CHECK(r["data"]["updateTime"] == created + 1000);
  f.emu.Advance(2);
  r = f.Record(id);
  CHECK(r["data"]["state"] == "generating");
  CHECK(r["data"]["updateTime"] == created + 3000);
  f.emu.Advance(6.999);
  CHECK(f.Record(id)["data"]["state"] == "generating");
  f.emu.Advance(0.001);
  r = f.Record(id);
  CHECK(r["data"]["state"] == "success");
  CHECK(r["data"]["completeTime"] == created + 10000);
  CHECK(r["data"]["updateTime"] == created + 10000);
  CHECK(r["data"]["costTime"] == 10000);
  CHECK(r["data"]["failCode"] == "");
  CHECK(r["data"]["failMsg"] == "");
  REQUIRE(r["data"]["resultJson"].is_string());
  return r;
}

TEST_CASE("apikley text-to-image: six PNG results after the documented states") {
  Fixture f;
  std::string id = f.Create({{"model", "grok-imagine/text-to-image"}, {"input", {{"prompt", "a red fox"}}}});
  CHECK(IsHex32(id));
  nlohmann::json r = WalkToSuccess(f, id, "grok-imagine/text-to-image");
  CHECK(r["data"]["createTime"] == kFixedStartMs);
  // param is the original request as a JSON string, defaults applied.
  nlohmann::json param = nlohmann::json::parse(r["data"]["param"].get<std::string>());
  CHECK(param["model"] == "grok-imagine/text-to-image");
  CHECK(param["input"]["prompt"] == "a red fox");
  CHECK(param["input"]["aspect_ratio"] == "1:1");
  std::vector<std::string> urls = f.ResultUrls(r);
  REQUIRE(urls.size() == 6);
  for (const std::string& url : urls) {
    std::string type;
    std::string png = f.Download(url, &type);
    CHECK(type == "image/png");
    PngSize size = ReadPngSize(png);
    CHECK(size.width == 512);
    CHECK(size.height == 512);
  }
}

TEST_CASE("apikley text-to-video and image-to-video: a playable 480p 6 s MP4") {
  Fixture f;
  SUBCASE("text-to-video") {
    std::string id = f.Create({{"model", "grok-imagine/text-to-video"}, {"input", {{"prompt", "waves"}}}});
    nlohmann::json r = WalkToSuccess(f, id, "grok-imagine/text-to-video");
    nlohmann::json param = nlohmann::json::parse(r["data"]["param"].get<std::string>());
    CHECK(param["input"]["mode"] == "normal");
    CHECK(param["input"]["aspect_ratio"] == "2:3");
    std::vector<std::string> urls = f.ResultUrls(r);
    REQUIRE(urls.size() == 1);
    std::string type;
    Mp4Info mp4 = ReadMp4Info(f.Download(urls[0], &type));
    CHECK(type == "video/mp4");
    CHECK(mp4.valid);
    CHECK(mp4.width == 854);
    CHECK(mp4.height == 480);
    CHECK(mp4.duration_s == doctest::Approx(6.0).epsilon(0.02));
  }
  SUBCASE("image-to-video from an external image, with callBackUrl kept in param") {
    std::string id = f.Create({{"model", "grok-imagine/image-to-video"},
                               {"callBackUrl", "https://example.com/cb"},
                               {"input", {{"prompt", "dance"}, {"image_urls", {"https://example.com/a.png"}}}}});
    nlohmann::json r = WalkToSuccess(f, id, "grok-imagine/image-to-video");
    nlohmann::json param = nlohmann::json::parse(r["data"]["param"].get<std::string>());
    CHECK(param["callBackUrl"] == "https://example.com/cb");
    CHECK(param["input"]["mode"] == "normal");
    CHECK(param["input"]["index"] == 0);
    Mp4Info mp4 = ReadMp4Info(f.Download(f.ResultUrls(r)[0]));
    CHECK(mp4.valid);
    CHECK(mp4.height == 480);
  }
}

TEST_CASE("apikley image-to-video from a text-to-image task_id + index, spicy allowed") {
  Fixture f;
  std::string t2i = f.Create({{"model", "grok-imagine/text-to-image"}, {"input", {{"prompt", "a cat"}}}});
  nlohmann::json early = {{"model", "grok-imagine/image-to-video"},
                          {"input", {{"prompt", "the cat jumps"}, {"task_id", t2i}, {"index", 5}, {"mode", "spicy"}}}};
  SUBCASE("refused while the source is still running") {
    Reply r = f.emu.Post("/api/v1/jobs/createTask", early.dump(), kKey);
    CHECK(r.status == 200);
    CHECK(r.json()["code"] == 422);
    CHECK(r.json()["msg"] ==
          "input.task_id: must be the id of a successful grok-imagine/text-to-image task of this API key (got \"" +
              t2i + "\")");
  }
  SUBCASE("accepted once it succeeded, and only for its owner") {
    f.emu.Advance(10);
    Reply other = f.emu.Post("/api/v1/jobs/createTask", early.dump(), "another-key");
    CHECK(other.json()["code"] == 422);
    std::string id = f.Create(early);
    nlohmann::json r = WalkToSuccess(f, id, "grok-imagine/image-to-video");
    CHECK(ReadMp4Info(f.Download(f.ResultUrls(r)[0])).valid);
  }
}

TEST_CASE("apikley upscale: of an image gives one larger PNG, of a video a 720p MP4") {
  Fixture f;
  std::string t2i = f.Create({{"model", "grok-imagine/text-to-image"}, {"input", {{"prompt", "a cat"}}}});
  std::string t2v = f.Create({{"model", "grok-imagine/text-to-video"}, {"input", {{"prompt", "waves"}}}});
  nlohmann::json up_image = {{"model", "grok-imagine/upscale"}, {"input", {{"task_id", t2i}}}};
  Reply early = f.emu.Post("/api/v1/jobs/createTask", up_image.dump(), kKey);
  CHECK(early.json()["code"] == 422);
  CHECK(early.json()["msg"].get<std::string>().rfind("input.task_id: must be the id of a successful", 0) == 0);
  f.emu.Advance(10);
  std::string up1 = f.Create(up_image);
  std::string up2 = f.Create({{"model", "grok-imagine/upscale"}, {"input", {{"task_id", t2v}}}});
  nlohmann::json r1 = WalkToSuccess(f, up1, "grok-imagine/upscale");
  std::vector<std::string> urls1 = f.ResultUrls(r1);
  REQUIRE(urls1.size() == 1);
  PngSize png = ReadPngSize(f.Download(urls1[0]));
  CHECK(png.width == 1024);
  f.emu.Advance(0);  // up2 was created at the same instant and is also done
  nlohmann::json r2 = f.Record(up2);
  REQUIRE(r2["data"]["state"] == "success");
  Mp4Info mp4 = ReadMp4Info(f.Download(f.ResultUrls(r2)[0]));
  CHECK(mp4.height == 720);
  CHECK(mp4.duration_s == doctest::Approx(6.0).epsilon(0.02));
}

TEST_CASE("apikley credit answers the configured balance") {
  Fixture f;
  Reply r = f.emu.Get("/api/v1/chat/credit", kKey);
  CHECK(r.status == 200);
  CHECK(r.body == R"({"code":200,"msg":"success","data":1000})");
}

TEST_CASE("apikley result links expire 24 h after completion") {
  Fixture f;
  std::string id = f.Create({{"model", "grok-imagine/text-to-video"}, {"input", {{"prompt", "waves"}}}});
  f.emu.Advance(10);
  std::string url = f.ResultUrls(f.Record(id))[0].substr(f.emu.base_url().size());
  CHECK(f.emu.Get(url).status == 200);
  f.emu.Advance(86400 - 0.001);
  CHECK(f.emu.Get(url).status == 200);
  f.emu.Advance(0.001);
  Reply gone = f.emu.Get(url);
  CHECK(gone.status == 404);
  CHECK(gone.body == "this result link has expired\n");
  // The record itself stays queryable.
  CHECK(f.Record(id)["data"]["state"] == "success");
}

}  // namespace
}  // namespace imagine::testing
