// A third provider from the test tree alone: tests/providers/acme/ holds a document and a
// dialect folder, and the build makes imagine-emu-acme from it. Nothing outside tests/ names
// Acme, so these cases prove that the engine, config, the control API, metrics, the journal,
// callbacks and the state directory learn the providers from the registry — and that the
// two built-in providers still work beside a third.
#include <doctest/doctest.h>

#include <string>

#include "support/emulator_process.h"
#include "support/scratch.h"
#include "support/test_receiver.h"

namespace imagine::testing {
namespace {

const std::string kAcme = IMAGINE_BUILD_DIR "/imagine-emu-acme";

EmulatorProcess StartAcme(std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--clock", "virtual", "--seed", "7"};
  args.insert(args.end(), extra.begin(), extra.end());
  return EmulatorProcess(args, {}, kAcme);
}

std::string Create(const EmulatorProcess& emu, const std::string& body, const std::string& key = "acme-key") {
  Reply r = emu.Post("/acme/v1/jobs", body, key);
  REQUIRE_MESSAGE(r.status == 201, r.body);
  return r.json().at("id").get<std::string>();
}

}  // namespace

TEST_CASE("a provider from a document and a dialect folder serves create, query and callback") {
  TestReceiver<> rx;
  EmulatorProcess emu = StartAcme();
  const std::string id = Create(emu, R"({"model":"acme-video-1","prompt":"a red kite","seconds":10,"webhook_url":")" +
                                         rx.Url("/acme-hook") + R"("})");
  CHECK(id.rfind("job_", 0) == 0);
  CHECK(id.size() == 20);  // job_ + {alnum:16} from the document's task_id

  Reply queued = emu.Get("/acme/v1/jobs/" + id, "acme-key");
  REQUIRE(queued.status == 200);
  CHECK(queued.json()["state"] == "queued");
  CHECK(queued.json()["seconds"] == 10);

  emu.Advance(10);  // the default config the folder brings: 10 s in all
  Reply done = emu.Get("/acme/v1/jobs/" + id, "acme-key");
  REQUIRE(done.status == 200);
  CHECK(done.json()["state"] == "done");
  CHECK(done.json()["progress"] == 100);
  const std::string video = done.json()["video_url"].get<std::string>();
  CHECK(video.rfind(emu.base_url(), 0) == 0);
  Reply mp4 = emu.Get(video.substr(emu.base_url().size()));
  CHECK(mp4.status == 200);
  CHECK(mp4.content_type == "video/mp4");

  REQUIRE(PollUntil([&] { return rx.received() >= 1; }));
  const ReceivedRequest hook = rx.Requests().front();
  CHECK(hook.target == "/acme-hook");
  nlohmann::json body = nlohmann::json::parse(hook.body);
  CHECK(body["id"] == id);
  CHECK(body["state"] == "done");

  // The document's validation and error table, in Acme's own envelope.
  Reply bad = emu.Post("/acme/v1/jobs", R"({"model":"acme-video-1","prompt":"","seconds":99})", "acme-key");
  CHECK(bad.status == 422);
  CHECK(bad.json()["error"]["code"] == "invalid_request");
  Reply malformed = emu.Get("/acme/v1/jobs/nope", "acme-key");
  CHECK(malformed.status == 400);
  CHECK(malformed.json()["error"]["code"] == "bad_job_id");
  Reply missing = emu.Get("/acme/v1/jobs/job_aaaaaaaaaaaaaaaa", "acme-key");
  CHECK(missing.status == 404);
  CHECK(missing.json()["error"]["message"] == "No such job");
  Reply balance = emu.Get("/acme/v1/balance", "acme-key");
  REQUIRE(balance.status == 200);
  CHECK(balance.json()["used"] == 3);  // the model's price from the folder's default config
}

TEST_CASE("the control API, metrics, journal and config know the third provider") {
  TestReceiver<> rx;
  EmulatorProcess emu = StartAcme();
  const std::string id = Create(emu, R"({"model":"acme-video-1","prompt":"kite","webhook_url":")" + rx.Url() + R"("})");

  nlohmann::json version = emu.Get("/_emulator/version").json();
  CHECK(version["providers"] == nlohmann::json::array({"apikley", "evolink", "acme"}));

  nlohmann::json listed = emu.Get("/_emulator/tasks?provider=acme").json();
  REQUIRE(listed["tasks"].size() == 1);
  CHECK(listed["tasks"][0]["id"] == id);
  CHECK(listed["tasks"][0]["provider"] == "acme");
  CHECK(emu.Get("/_emulator/tasks?provider=evolink").json()["tasks"].empty());
  Reply unknown = emu.Get("/_emulator/tasks?provider=nobody");
  CHECK(unknown.status == 400);

  // A scenario aimed at Acme alone: Acme answers its own 503 wording, Evolink still creates.
  Reply rule = emu.Post("/_emulator/scenarios/rules", R"({"scenario":"maintenance","provider":"acme","endpoint":"create"})");
  REQUIRE_MESSAGE(rule.status == 201, rule.body);
  Reply down = emu.Post("/acme/v1/jobs", R"({"model":"acme-video-1","prompt":"kite"})", "acme-key");
  CHECK(down.status == 503);
  CHECK(down.json()["error"]["message"] == "Down for maintenance");
  Reply evolink = emu.Post("/v1/videos/generations", R"({"model":"grok-imagine-text-to-video","prompt":"kite"})", "evo-key");
  CHECK(evolink.status == 200);

  emu.Advance(10);
  REQUIRE(PollUntil([&] { return rx.received() >= 1; }));
  REQUIRE(PollUntil([&] {
    return emu.Get("/_emulator/metrics").body.find(R"(imagine_task_states_entered_total{provider="acme",state="succeeded"} 1)") !=
           std::string::npos;
  }));
  nlohmann::json journal = emu.Get("/_emulator/journal?task_id=" + id).json();
  REQUIRE(journal["entries"].size() >= 3);  // the create, its state changes, the callback attempt
  for (const auto& e : journal["entries"]) CHECK(e["provider"] == "acme");

  nlohmann::json config = emu.Get("/_emulator/config").json();
  CHECK(config["acme"]["models"].contains("acme-video-1"));
  CHECK(config["callbacks"]["acme"]["retries_s"] == nlohmann::json::array({1}));
  CHECK(config["proxy"]["acme"] == "");
  Reply doc = emu.Get("/_emulator/openapi/acme.yaml");
  CHECK(doc.status == 200);
  CHECK(doc.body.find("operationId: createJob") != std::string::npos);
}

TEST_CASE("the third provider's config section is checked by the schema and applied") {
  // A key its section does not have is refused and named, like any other config key.
  auto [code, out] = RunToExit({"--config", WriteTempFile("acme: {colour: blue}\n")}, {}, 60, kAcme);
  CHECK(code == 2);
  CHECK_MESSAGE(out.find("acme.colour") != std::string::npos, out);
  // A value it has applies over the folder's default config.
  EmulatorProcess emu = StartAcme({"--config", WriteTempFile("acme: {models: {acme-video-1: {price: 5}}}\n")});
  Create(emu, R"({"model":"acme-video-1","prompt":"kite"})");
  CHECK(emu.Get("/acme/v1/balance", "acme-key").json()["used"] == 5);
}

TEST_CASE("the third provider's tasks survive a restart with a state directory") {
  const std::string state = ScratchSubdir("acme-state");
  std::string id;
  {
    EmulatorProcess emu = StartAcme({"--state-dir", state});
    id = Create(emu, R"({"model":"acme-video-1","prompt":"kite"})");
    emu.Advance(3);
  }
  EmulatorProcess again = StartAcme({"--state-dir", state});
  Reply r = again.Get("/acme/v1/jobs/" + id, "acme-key");
  REQUIRE(r.status == 200);
  CHECK(r.json()["state"] == "running");
  again.Advance(7);
  CHECK(again.Get("/acme/v1/jobs/" + id, "acme-key").json()["state"] == "done");
}

}  // namespace imagine::testing
