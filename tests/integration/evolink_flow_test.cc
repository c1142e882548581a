// Evolink end to end over real HTTP: create -> advance the virtual clock -> GET task ->
// download, for both models and every quality/duration, with exact status and progress.
#include <doctest/doctest.h>

#include <regex>

#include "support/emulator_process.h"
#include "support/mp4_info.h"
#include "support/test_configs.h"

namespace imagine::testing {
namespace {

constexpr const char* kKey = "test-key-evolink";

struct Fixture {
  Fixture() : config(WriteTempFile(kFixedTimingConfig)), emu({"--config", config}) {}
  std::string config;
  EmulatorProcess emu;

  nlohmann::json Create(const nlohmann::json& body, const std::string& key = kKey) {
    Reply r = emu.Post("/v1/videos/generations", body.dump(), key);
    INFO(r.body);
    REQUIRE(r.status == 200);
    return r.json();
  }
  nlohmann::json Task(const std::string& id, const std::string& key = kKey) {
    Reply r = emu.Get("/v1/tasks/" + id, key);
    INFO(r.body);
    REQUIRE(r.status == 200);
    return r.json();
  }
};

nlohmann::json I2V(const std::string& model = "grok-imagine-image-to-video-beta") {
  return {{"model", model}, {"prompt", "The person starts dancing"}, {"image_urls", {"https://example.com/image.jpg"}}};
}

TEST_CASE("evolink create answers the seed's task object") {
  Fixture f;
  nlohmann::json t = f.Create(I2V());
  CHECK(std::regex_match(t["id"].get<std::string>(), std::regex("task-unified-1760000000-[a-z0-9]{8}")));
  CHECK(t["created"] == kFixedStartMs / 1000);
  CHECK(t["model"] == "grok-imagine-image-to-video-beta");
  CHECK(t["object"] == "video.generation.task");
  CHECK(t["progress"] == 0);
  CHECK(t["status"] == "pending");
  CHECK(t["task_info"]["can_cancel"] == true);
  CHECK(t["task_info"]["estimated_time"] == 10);
  CHECK(t["type"] == "video");
  CHECK(t["usage"] == nlohmann::json{{"billing_rule", "per_call"}, {"credits_reserved", 5}, {"user_group", "default"}});
  CHECK_FALSE(t.contains("results"));
  CHECK_FALSE(t.contains("error"));
}

TEST_CASE("evolink legacy model name is accepted and reported as the beta name") {
  Fixture f;
  nlohmann::json t = f.Create(I2V("grok-imagine-image-to-video"));
  CHECK(t["model"] == "grok-imagine-image-to-video-beta");
  CHECK(f.Task(t["id"])["model"] == "grok-imagine-image-to-video-beta");
}

TEST_CASE("evolink status and progress rise pending -> processing -> completed") {
  Fixture f;
  std::string id = f.Create(I2V())["id"];
  nlohmann::json t = f.Task(id);
  CHECK(t["status"] == "pending");
  f.emu.Advance(1);  // queuing is still "pending" on Evolink
  t = f.Task(id);
  CHECK(t["status"] == "pending");
  CHECK(t["progress"] == 0);
  CHECK(t["task_info"]["can_cancel"] == true);
  f.emu.Advance(2);  // generating starts at 3 s, ends at 10 s
  t = f.Task(id);
  CHECK(t["status"] == "processing");
  CHECK(t["progress"] == 0);
  CHECK(t["task_info"]["can_cancel"] == false);
  CHECK(t["task_info"]["estimated_time"] == 7);
  f.emu.Advance(3.5);
  CHECK(f.Task(id)["progress"] == 50);
  f.emu.Advance(3.49);
  t = f.Task(id);
  CHECK(t["status"] == "processing");
  CHECK(t["progress"] == 99);
  f.emu.Advance(0.01);
  t = f.Task(id);
  CHECK(t["status"] == "completed");
  CHECK(t["progress"] == 100);
  REQUIRE(t["results"].size() == 1);
  CHECK(t["task_info"]["estimated_time"] == 0);
}

TEST_CASE("evolink results are real MP4s of the requested quality and duration") {
  struct Row {
    const char* model;
    int duration;
    const char* quality;
    int height;
  };
  const Row rows[] = {
      {"grok-imagine-image-to-video-beta", 6, "480p", 480},
      {"grok-imagine-image-to-video-beta", 10, "720p", 720},
      {"grok-imagine-text-to-video", 10, "480p", 480},
      {"grok-imagine-text-to-video", 6, "720p", 720},
  };
  Fixture f;
  for (const Row& row : rows) {
    nlohmann::json body = {{"model", row.model}, {"prompt", "waves"}, {"duration", row.duration}, {"quality", row.quality}};
    if (std::string(row.model).find("image") != std::string::npos) body["image_urls"] = {"https://example.com/a.jpg"};
    std::string id = f.Create(body)["id"];
    f.emu.Advance(10);
    nlohmann::json t = f.Task(id);
    INFO(std::string(row.model) << " " << row.duration << "s " << std::string(row.quality));
    REQUIRE(t["status"] == "completed");
    CHECK(t["model"] == row.model);
    std::string url = t["results"][0];
    REQUIRE(url.rfind(f.emu.base_url() + "/media/", 0) == 0);
    Reply file = f.emu.Get(url.substr(f.emu.base_url().size()));
    REQUIRE(file.status == 200);
    CHECK(file.content_type == "video/mp4");
    Mp4Info mp4 = ReadMp4Info(file.body);
    CHECK(mp4.valid);
    CHECK(mp4.height == row.height);
    CHECK(mp4.width == (row.height == 720 ? 1280 : 854));
    CHECK(mp4.duration_s == doctest::Approx(row.duration).epsilon(0.02));
  }
}

TEST_CASE("evolink credits answer Evolink's shape") {
  Fixture f;
  Reply r = f.emu.Get("/v1/credits", kKey);
  CHECK(r.status == 200);
  CHECK(r.body ==
        R"({"data":{"token":{"remaining_credits":1000,"unlimited_credits":false,"used_credits":0},)"
        R"("user":{"remaining_credits":1000,"used_credits":0}},"message":"","success":true})");
}

TEST_CASE("evolink result links expire 24 h after completion") {
  Fixture f;
  std::string id = f.Create(I2V())["id"];
  f.emu.Advance(10);
  std::string url = f.Task(id)["results"][0].get<std::string>().substr(f.emu.base_url().size());
  CHECK(f.emu.Get(url).status == 200);
  f.emu.Advance(86400);
  CHECK(f.emu.Get(url).status == 404);
}

}  // namespace
}  // namespace imagine::testing
