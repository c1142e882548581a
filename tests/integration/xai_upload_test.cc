// xAI's output.upload_url (issue 26): when a request is done the emulator PUTs its MP4 to
// the URL (Content-Type video/mp4) under the callbacks' outgoing-request policy, and records
// the PUT with the callback attempts and in the journal. A failed PUT leaves the request
// done (docs/fidelity.md); a failed request uploads nothing.
#include <doctest/doctest.h>

#include <string>

#include "support/emulator_process.h"
#include "support/test_receiver.h"

namespace imagine::testing {
namespace {

const char* const kCreate = "/xai/v1/videos/generations";

std::string Create(const EmulatorProcess& emu, const std::string& upload_url, const std::string& key = "demo-key") {
  Reply r = emu.Post(kCreate, R"({"prompt":"a kite","duration":1,"output":{"upload_url":")" + upload_url + R"("}})", key);
  REQUIRE_MESSAGE(r.status == 200, r.body);
  return r.json()["request_id"].get<std::string>();
}

nlohmann::json Attempts(const EmulatorProcess& emu, const std::string& id) {
  Reply r = emu.Get("/_emulator/callbacks?task_id=" + id);
  REQUIRE(r.status == 200);
  return r.json()["attempts"];
}

// Waits until the dispatcher holds nothing: no submission queued, waiting for a retry or
// being sent. A submission leaves `pending` only after its attempt is recorded and the
// journal observer has run, so every PUT made has reached the receiver by then.
void WaitCallbacksIdle(const EmulatorProcess& emu) {
  REQUIRE(PollUntil([&] {
    nlohmann::json s = emu.Get("/_emulator/callbacks").json()["stats"];
    return s["pending"] == 0 && s["in_flight"] == 0 && s["queued"] == 0 && s["waiting"] == 0;
  }));
}

nlohmann::json JournalCallbacks(const EmulatorProcess& emu, const std::string& id, size_t n) {
  nlohmann::json entries;
  REQUIRE(PollUntil([&] {
    entries = emu.Get("/_emulator/journal?kind=callback&task_id=" + id).json()["entries"];
    return entries.size() >= n;
  }));
  return entries;
}

}  // namespace

TEST_CASE("xai: output.upload_url gets the MP4 by PUT when the request is done, recorded like a callback") {
  TestReceiver<> rx;
  REQUIRE(rx.ok());
  EmulatorProcess emu({"--clock", "virtual", "--config", WriteTempFile("xai: {allow_private_uploads: true}\n")});
  const std::string id = Create(emu, rx.Url("/bucket/video.mp4?X-Amz-Signature=abc"));
  emu.Advance(120);
  REQUIRE(PollUntil([&] { return rx.completed() == 1; }));
  const ReceivedRequest put = rx.Requests().front();
  CHECK(put.method == "PUT");
  CHECK(put.target == "/bucket/video.mp4?X-Amz-Signature=abc");
  CHECK(put.Header("Content-Type") == "video/mp4");
  CHECK(put.Header("Authorization").empty());  // a signed URL: the key is never sent

  Reply done = emu.Get("/xai/v1/videos/" + id, "demo-key");
  REQUIRE(done.json()["status"] == "done");
  const std::string url = done.json()["video"]["url"].get<std::string>();
  Reply mp4 = emu.Get(url.substr(emu.base_url().size()));
  CHECK(put.body == mp4.body);  // the very file video.url serves
  CHECK(put.body.substr(4, 4) == "ftyp");

  nlohmann::json attempts;
  REQUIRE(PollUntil([&] { return (attempts = Attempts(emu, id)).size() == 1; }));
  CHECK(attempts[0]["method"] == "PUT");
  CHECK(attempts[0]["outcome"] == "delivered");
  CHECK(attempts[0]["request_body"] == "(" + std::to_string(mp4.body.size()) + " bytes of video/mp4)");
  // The attempt is listed before the journal observer runs: wait for the entry, not a count.
  nlohmann::json journal = JournalCallbacks(emu, id, 1);
  CHECK(journal.size() == 1);
  CHECK(journal[0]["callback"]["method"] == "PUT");
}

TEST_CASE("xai: a failed upload PUT leaves the request done, and a failed request uploads nothing") {
  TestReceiver<> rx;
  REQUIRE(rx.ok());
  rx.Script({500});
  EmulatorProcess emu({"--clock", "virtual", "--config", WriteTempFile("xai: {allow_private_uploads: true}\n")});
  const std::string id = Create(emu, rx.Url("/put"));
  const std::string failed = Create(emu, rx.Url("/put-failed"), "flaky-key");  // generation_failed
  emu.Advance(120);
  nlohmann::json attempts;
  REQUIRE(PollUntil([&] { return (attempts = Attempts(emu, id)).size() == 1; }));
  CHECK(attempts[0]["outcome"] == "failed");
  CHECK(attempts[0]["status"] == 500);
  CHECK(attempts[0]["will_retry"] == false);  // callbacks.xai: no retries
  CHECK(emu.Get("/xai/v1/videos/" + id, "demo-key").json()["status"] == "done");
  CHECK(emu.Get("/xai/v1/videos/" + failed, "flaky-key").json()["status"] == "failed");
  WaitCallbacksIdle(emu);  // a wrongly sent PUT would have arrived by now
  CHECK(emu.Get("/_emulator/callbacks").json()["stats"]["submitted"] == 1);
  CHECK(Attempts(emu, failed).empty());
  CHECK(rx.received() == 1);
}

TEST_CASE("xai: an upload PUT is never signed, even for a key with a webhook HMAC key") {
  TestReceiver<> rx;
  REQUIRE(rx.ok());
  EmulatorProcess emu({"--clock", "virtual", "--config", WriteTempFile("xai: {allow_private_uploads: true}\n")});
  Create(emu, rx.Url("/put"), "signed-key");
  emu.Advance(120);
  REQUIRE(PollUntil([&] { return rx.completed() == 1; }));
  const ReceivedRequest put = rx.Requests().front();
  CHECK(put.method == "PUT");
  CHECK(put.Header("X-Webhook-Timestamp").empty());  // the Kie signature is for Apikley/Evolink callbacks
  CHECK(put.Header("X-Webhook-Signature").empty());
  CHECK(put.Header("Authorization").empty());
}

TEST_CASE("xai: X-Emulator-Callback faults apply to the upload PUT as documented") {
  TestReceiver<> rx;
  REQUIRE(rx.ok());
  EmulatorProcess emu({"--clock", "virtual", "--config", WriteTempFile("xai: {allow_private_uploads: true}\n")});
  Reply r = emu.Request("POST", kCreate,
                        R"({"prompt":"a kite","duration":1,"output":{"upload_url":")" + rx.Url("/put") + R"("}})",
                        {{"Authorization", "Bearer demo-key"}, {"X-Emulator-Callback", "duplicate"}},
                        "application/json");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  emu.Advance(120);
  WaitCallbacksIdle(emu);
  CHECK(rx.received() == 2);  // delivered twice
  for (const ReceivedRequest& put : rx.Requests()) CHECK(put.method == "PUT");
}

TEST_CASE("xai: output.upload_url must be https on a public host unless xai.allow_private_uploads") {
  EmulatorProcess emu;
  const struct {
    const char* url;
    const char* error;
  } rows[] = {
      {"http://example.com/put", "output.upload_url: must be an https URL with a host (got \"http://example.com/put\")"},
      {"https://127.0.0.1/put",
       "output.upload_url: must not point to a loopback, private or link-local address (got \"https://127.0.0.1/put\")"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.url);
    Reply r = emu.Post(kCreate, std::string(R"({"prompt":"x","output":{"upload_url":")") + row.url + R"("}})", "demo-key");
    CHECK(r.status == 400);
    CHECK(r.json()["error"] == row.error);
  }
  CHECK(emu.Get("/_emulator/tasks?provider=xai").json()["tasks"].empty());
}

}  // namespace imagine::testing
