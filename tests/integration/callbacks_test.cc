// Callbacks end to end: the real binary POSTs to real receivers in this process. Payloads
// are checked against the callback schemas of schemas/; retries follow the virtual clock.
#include <doctest/doctest.h>

#include "providers/registry.h"
#include "support/emulator_process.h"
#include "support/test_cert.h"
#include "support/test_net.h"
#include "support/test_receiver.h"

namespace imagine::testing {
namespace {

const char* kConfig = R"(
clock: {mode: virtual, start_ms: 1760000000000}
seed: 7
evolink:
  allow_private_callbacks: true
  models:
    grok-imagine-text-to-video: {timing: {waiting_s: [1, 1], queuing_s: [2, 2], total_s: [10, 10]}}
apikley:
  models:
    grok-imagine/text-to-video: {timing: {waiting_s: [1, 1], queuing_s: [2, 2], total_s: [10, 10]}}
accounts:
  keys:
    signed-key: {webhook_hmac_key: demo-webhook-secret}
    twice-key: {callback_faults: duplicate}
)";

constexpr const char* kShortTimeouts =
    "callbacks: {evolink: {timeout_s: 0.5, retries_s: [1, 2, 4]}, apikley: {timeout_s: 0.5, retries_s: []}}\n";

struct Fixture {
  // `callbacks` is the config's callbacks section.
  explicit Fixture(const std::string& callbacks = kShortTimeouts)
      : config(WriteTempFile(std::string(kConfig) + callbacks)), emu({"--config", config}) {}
  std::string config;
  EmulatorProcess emu;

  std::string CreateEvolink(const std::string& url, const std::string& key = "k",
                            const httplib::Headers& extra = {}) {
    httplib::Headers h{{"Authorization", "Bearer " + key}};
    for (const auto& kv : extra) h.insert(kv);
    Reply r = emu.Request("POST", "/v1/videos/generations",
                          nlohmann::json{{"model", "grok-imagine-text-to-video"}, {"prompt", "x"}, {"callback_url", url}}.dump(),
                          h, "application/json");
    INFO(r.body);
    REQUIRE(r.status == 200);
    return r.json()["id"];
  }
  std::string CreateApikley(const std::string& url, const httplib::Headers& extra = {}) {
    httplib::Headers h{{"Authorization", "Bearer k"}};
    for (const auto& kv : extra) h.insert(kv);
    Reply r = emu.Request("POST", "/api/v1/jobs/createTask",
                          nlohmann::json{{"model", "grok-imagine/text-to-video"}, {"callBackUrl", url}, {"input", {{"prompt", "x"}}}}.dump(),
                          h, "application/json");
    INFO(r.body);
    REQUIRE(r.json()["code"] == 200);
    return r.json()["data"]["taskId"];
  }
  nlohmann::json Attempts(const std::string& task_id) {
    return emu.Get("/_emulator/callbacks?task_id=" + task_id).json()["attempts"];
  }
  // Waits (real time, bounded) until `n` attempts of the task are recorded.
  nlohmann::json WaitAttempts(const std::string& task_id, size_t n) {
    nlohmann::json a;
    PollUntil([&] {
      a = Attempts(task_id);
      return a.size() >= n;
    });
    REQUIRE(a.size() >= n);
    return a;
  }
};

std::string Url(int port, const std::string& path = "/cb") { return "http://127.0.0.1:" + std::to_string(port) + path; }

void ExpectSchema(const char* provider, const char* schema, const nlohmann::json& body) {
  auto spec = LoadProviderSpec(provider);
  REQUIRE(spec.ok());
  auto validator = (*spec)->ComponentSchema(schema);
  REQUIRE(validator != nullptr);
  std::vector<spec::ValidationError> errors;
  INFO(schema << ": " << body.dump());
  CHECK(validator->Validate(body, &errors));
  if (!errors.empty()) INFO(errors[0].pointer << " " << errors[0].message);
}

TEST_CASE("Apikley sends Kie's unified callback on success and on failure") {
  Fixture f;
  TestReceiver<> rx;
  std::string ok_id = f.CreateApikley(Url(rx.port(), "/hook?x=1"));
  std::string bad_id = f.CreateApikley(Url(rx.port()), {{"X-Emulator-Scenario", "generation_failed"}});
  f.emu.Advance(10);
  REQUIRE(PollUntil([&] { return rx.received() >= 2; }));
  for (const ReceivedRequest& req : rx.Requests()) {
    nlohmann::json body = nlohmann::json::parse(req.body);
    CHECK(req.Header("Content-Type") == "application/json");
    CHECK(req.Header("X-Webhook-Signature").empty());  // the key has no HMAC key
    if (body["data"]["taskId"] == ok_id) {
      CHECK(req.target == "/hook?x=1");
      ExpectSchema("apikley", "UnifiedCallbackSuccess", body);
      CHECK(body["code"] == 200);
      CHECK(body["msg"] == "Playground task completed successfully.");
      CHECK(body["data"]["state"] == "success");
      CHECK(body["data"]["costTime"] == 10);  // seconds in the callback (recordInfo: 10000 ms)
      CHECK(body["data"]["creditsConsumed"] == 10);
      nlohmann::json record = f.emu.Get("/api/v1/jobs/recordInfo?taskId=" + ok_id, "k").json()["data"];
      CHECK(body["data"]["resultJson"] == record["resultJson"]);
      CHECK(body["data"]["param"] == record["param"]);
      CHECK(body["data"]["completeTime"] == record["completeTime"]);
    } else {
      CHECK(body["data"]["taskId"] == bad_id);
      ExpectSchema("apikley", "UnifiedCallbackFailure", body);
      CHECK(body["code"] == 501);
      CHECK(body["msg"] == "Playground task failed.");
      CHECK(body["data"]["state"] == "fail");
      CHECK(body["data"]["failCode"] == "501");
      CHECK(body["data"]["failMsg"] == "Generation failed, please try again later");
      CHECK(body["data"]["resultJson"].is_null());
      CHECK(body["data"]["creditsConsumed"] == 0);
    }
  }
}

TEST_CASE("Evolink's callback is exactly the task object of GET /v1/tasks/{id}") {
  Fixture f;
  TestReceiver<> rx;
  std::string done = f.CreateEvolink(Url(rx.port()));
  std::string failed = f.CreateEvolink(Url(rx.port()), "k", {{"X-Emulator-Scenario", "content_policy_violation"}});
  std::string cancelled = f.CreateEvolink(Url(rx.port()));
  Reply cancel = f.emu.Post("/_emulator/tasks/" + cancelled + "/cancel", "{}");
  CHECK(cancel.status == 200);
  REQUIRE(PollUntil([&] { return rx.received() >= 1; }));
  f.emu.Advance(10);
  REQUIRE(PollUntil([&] { return rx.received() >= 3; }));
  std::map<std::string, nlohmann::json> by_id;
  for (const ReceivedRequest& req : rx.Requests()) {
    nlohmann::json body = nlohmann::json::parse(req.body);
    by_id[body["id"]] = body;
  }
  REQUIRE(by_id.size() == 3);
  CHECK(by_id[done] == f.emu.Get("/v1/tasks/" + done, "k").json());
  ExpectSchema("evolink", "TaskDetailCompleted", by_id[done]);
  ExpectSchema("evolink", "TaskDetailFailed", by_id[failed]);
  CHECK(by_id[failed]["error"]["code"] == "content_policy_violation");
  CHECK(by_id[cancelled]["status"] == "failed");
  CHECK(by_id[cancelled]["error"]["code"] == "request_cancelled");
}

TEST_CASE("Evolink retries a failing receiver at +0, +1, +3, +7 s on the emulator's clock") {
  Fixture f;
  TestReceiver<> rx;
  rx.Script({}, 500);
  std::string id = f.CreateEvolink(Url(rx.port()));
  f.emu.Advance(10);
  nlohmann::json a = f.WaitAttempts(id, 1);
  const long long t0 = a[0]["sent_at_ms"];
  CHECK(t0 == 1760000010000);
  f.emu.Advance(0.999);
  CHECK(f.Attempts(id).size() == 1);  // nothing before the clock says so
  for (double step : {0.001, 2.0, 4.0}) {
    f.emu.Advance(step);
    a = f.WaitAttempts(id, a.size() + 1);
  }
  REQUIRE(a.size() == 4);
  CHECK(a[1]["sent_at_ms"] == t0 + 1000);
  CHECK(a[2]["sent_at_ms"] == t0 + 3000);
  CHECK(a[3]["sent_at_ms"] == t0 + 7000);
  CHECK(a[3]["will_retry"] == false);
  f.emu.Advance(60);
  CHECK(f.Attempts(id).size() == 4);
  CHECK(rx.received() == 4);

  TestReceiver<> recovers;
  recovers.Script({500});
  std::string id2 = f.CreateEvolink(Url(recovers.port()));
  f.emu.Advance(10);
  f.WaitAttempts(id2, 1);
  f.emu.Advance(1);
  nlohmann::json b = f.WaitAttempts(id2, 2);
  CHECK(b[1]["outcome"] == "delivered");
  f.emu.Advance(60);
  CHECK(f.Attempts(id2).size() == 2);
}

TEST_CASE("Apikley makes one attempt by default, timeouts and closed ports are recorded") {
  Fixture f;
  TestReceiver<> rx;
  rx.Script({}, 500);
  std::string id = f.CreateApikley(Url(rx.port()));
  f.emu.Advance(10);
  nlohmann::json a = f.WaitAttempts(id, 1);
  f.emu.Advance(60);
  CHECK(f.Attempts(id).size() == 1);
  CHECK(a[0]["status"] == 500);
  CHECK(a[0]["outcome"] == "failed");

  TestReceiver<> slow;
  slow.Hang();
  std::string hung = f.CreateEvolink(Url(slow.port()));
  f.emu.Advance(10);
  nlohmann::json t = f.WaitAttempts(hung, 1);
  CHECK(t[0]["error"] == "timeout");
  CHECK(t[0]["will_retry"] == true);
  slow.Release();

  int closed = ClosedPort();
  REQUIRE(closed > 0);
  std::string refused = f.CreateEvolink(Url(closed));
  f.emu.Advance(10);
  nlohmann::json c = f.WaitAttempts(refused, 1);
  CHECK(c[0]["error"] == "connection refused");
  CHECK(c[0]["status"] == 0);
  // Every attempt is also in the journal, correlated by task id. The attempt is listed before
  // the journal observer runs, so wait for the entry.
  nlohmann::json journal;
  REQUIRE(PollUntil([&] {
    journal = f.emu.Get("/_emulator/journal?kind=callback&task_id=" + refused).json();
    return journal["entries"].size() >= 1;
  }));
  CHECK(journal["entries"][0]["callback"]["error"] == "connection refused");
}

TEST_CASE("a key with a webhook HMAC key signs callbacks the way Kie documents") {
  Fixture f;
  TestReceiver<> rx;
  std::string id = f.CreateEvolink(Url(rx.port()), "signed-key");
  f.emu.Advance(10);
  REQUIRE(PollUntil([&] { return rx.received() >= 1; }));
  ReceivedRequest req = rx.Requests()[0];
  std::string ts = req.Header("X-Webhook-Timestamp");
  CHECK(ts == "1760000010");
  std::string message = id + "." + ts;
  CHECK(req.Header("X-Webhook-Signature") == ExpectedSignature(message, "demo-webhook-secret"));
}

TEST_CASE("webhook faults from X-Emulator-Callback and from the key profile") {
  Fixture f;
  SUBCASE("duplicate (header and profile)") {
    TestReceiver<> rx;
    f.CreateEvolink(Url(rx.port()), "k", {{"X-Emulator-Callback", "duplicate"}});
    f.CreateEvolink(Url(rx.port()), "twice-key");
    f.emu.Advance(10);
    REQUIRE(PollUntil([&] { return rx.received() >= 4; }));
  }
  SUBCASE("drop") {
    TestReceiver<> rx;
    std::string id = f.CreateEvolink(Url(rx.port()), "k", {{"X-Emulator-Callback", "drop"}});
    f.emu.Advance(10);
    nlohmann::json a = f.WaitAttempts(id, 1);
    CHECK(a[0]["outcome"] == "dropped");
    CHECK(rx.received() == 0);
  }
  SUBCASE("delay") {
    TestReceiver<> rx;
    std::string id = f.CreateEvolink(Url(rx.port()), "k", {{"X-Emulator-Callback", "delay=5"}});
    f.emu.Advance(14.999);
    CHECK(f.Attempts(id).empty());
    f.emu.Advance(0.001);
    nlohmann::json a = f.WaitAttempts(id, 1);
    CHECK(a[0]["sent_at_ms"] == 1760000015000);
  }
  SUBCASE("fail_first") {
    TestReceiver<> rx;
    std::string id = f.CreateEvolink(Url(rx.port()), "k", {{"X-Emulator-Callback", "fail_first=2"}});
    f.emu.Advance(10);
    f.WaitAttempts(id, 1);
    f.emu.Advance(1);
    f.WaitAttempts(id, 2);
    f.emu.Advance(2);
    nlohmann::json a = f.WaitAttempts(id, 3);
    CHECK(a[0]["outcome"] == "forced_failure");
    CHECK(a[1]["outcome"] == "forced_failure");
    CHECK(a[2]["outcome"] == "delivered");
    CHECK(rx.received() == 3);
  }
  SUBCASE("out_of_order") {
    TestReceiver<> rx;
    std::vector<std::string> ids;
    for (int i = 0; i < 3; ++i) ids.push_back(f.CreateEvolink(Url(rx.port()), "k", {{"X-Emulator-Callback", "out_of_order"}}));
    f.emu.Advance(10);
    REQUIRE(PollUntil([&] { return rx.received() >= 3; }));
    std::vector<std::string> order;
    for (const ReceivedRequest& r : rx.Requests()) order.push_back(nlohmann::json::parse(r.body)["id"]);
    CHECK(order == std::vector<std::string>{ids[2], ids[1], ids[0]});
  }
  SUBCASE("a bad spec is refused at creation") {
    httplib::Headers h{{"Authorization", "Bearer k"}, {"X-Emulator-Callback", "sometimes"}};
    Reply r = f.emu.Request("POST", "/v1/videos/generations", R"({"model":"grok-imagine-text-to-video","prompt":"x"})",
                            h, "application/json");
    CHECK(r.status == 400);
    CHECK(r.json()["error"]["message"].get<std::string>().rfind("X-Emulator-Callback: ", 0) == 0);
  }
}

TEST_CASE("HTTPS receivers: verified by default, a CA file or verify_tls: false for self-signed ones") {
  const SelfSignedCert& cert = TestCert();
  REQUIRE_MESSAGE(cert.ok, "openssl req failed (is the openssl CLI installed?)");
  TestReceiver<httplib::SSLServer> rx(cert.cert.c_str(), cert.key.c_str());
  const std::string url = "https://127.0.0.1:" + std::to_string(rx.port()) + "/cb";
  {
    Fixture strict;
    std::string id = strict.CreateEvolink(url);
    strict.emu.Advance(10);
    nlohmann::json a = strict.WaitAttempts(id, 1);
    CHECK(a[0]["error"].get<std::string>().rfind("TLS: certificate verify failed", 0) == 0);
  }
  {
    Fixture with_ca("callbacks: {ca_file: \"" + cert.cert + "\", evolink: {timeout_s: 0.5, retries_s: [1, 2, 4]}}\n");
    std::string id = with_ca.CreateEvolink(url);
    with_ca.emu.Advance(10);
    CHECK(with_ca.WaitAttempts(id, 1)[0]["outcome"] == "delivered");
  }
  {
    Fixture insecure("callbacks: {verify_tls: false, evolink: {timeout_s: 0.5, retries_s: [1, 2, 4]}}\n");
    std::string id = insecure.CreateEvolink(url);
    insecure.emu.Advance(10);
    CHECK(insecure.WaitAttempts(id, 1)[0]["outcome"] == "delivered");
  }
}

TEST_CASE("receivers that hang never slow task creation (count, not timing)") {
  Fixture f;
  TestReceiver<> rx;
  rx.Hang();
  for (int i = 0; i < 50; ++i) f.CreateEvolink(Url(rx.port()));
  f.emu.Advance(10);  // 50 callbacks fall due; the workers hang on them
  REQUIRE(PollUntil([&] { return rx.received() >= 4; }));
  int created = 0;
  for (int i = 0; i < 40; ++i) {
    Reply r = f.emu.Post("/v1/videos/generations", R"({"model":"grok-imagine-text-to-video","prompt":"x"})", "k");
    created += r.status == 200;
  }
  CHECK(created == 40);
  CHECK(f.emu.Get("/_emulator/callbacks").json()["stats"]["submitted"] == 50);
  rx.Release();
}

}  // namespace
}  // namespace imagine::testing
