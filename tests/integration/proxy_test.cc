// Proxy mode end to end (issue 17): the real binary in front of a "live" provider on
// loopback — a second emulator (faithful), or that emulator behind a small in-test server
// that changes its answers (drift) — checked through GET /_emulator/drift, the metrics, the
// --drift-report files, GET /_emulator/recordings and a third emulator replaying them.
#include <doctest/doctest.h>

#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include "support/emulator_process.h"
#include "support/test_net.h"
#include "support/test_receiver.h"

namespace imagine::testing {
namespace {

const char* kUpstreamConfig = R"(
clock: {mode: virtual, start_ms: 1760000000000}
seed: 3
evolink:
  allow_private_callbacks: true
accounts:
  keys:
    broken-key: {default_scenario: maintenance}
)";

std::string ProxyConfig(const std::string& extra = "") {
  return WriteTempFile("clock: {mode: virtual, start_ms: 1760000000000}\nproxy:\n  allow_http: true\n" + extra);
}

httplib::Headers Bearer(const std::string& key) { return {{"Authorization", "Bearer " + key}}; }

Reply CreateApikley(const EmulatorProcess& emu, const std::string& key, const std::string& extra = "") {
  return emu.Request("POST", "/api/v1/jobs/createTask",
                     R"({"model":"grok-imagine/text-to-image",)" + extra + R"("input":{"prompt":"a cat"}})",
                     Bearer(key), "application/json");
}

Reply CreateEvolink(const EmulatorProcess& emu, const std::string& key, const std::string& extra = "") {
  return emu.Request("POST", "/v1/videos/generations",
                     R"({"model":"grok-imagine-text-to-video",)" + extra + R"("prompt":"a cat"})", Bearer(key),
                     "application/json");
}

// (provider, route, direction, pointer, rule) of every finding.
using FindingKey = std::tuple<std::string, std::string, std::string, std::string, std::string>;
std::set<FindingKey> FindingKeys(const nlohmann::json& drift) {
  std::set<FindingKey> out;
  auto text = [](const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); };
  for (const auto& f : drift["findings"]) {
    out.insert(FindingKey{text(f["provider"]), text(f["route"]), text(f["direction"]), text(f["pointer"]), text(f["rule"])});
  }
  return out;
}

// An upstream emulator and, in front of it for `provider`, a proxy that captures callbacks
// at its public URL (its port is picked before it starts, so the URL is known up front).
struct CapturingProxy {
  explicit CapturingProxy(const std::string& provider)
      : upstream({"--config", WriteTempFile(kUpstreamConfig)}),
        port(ClosedPort()),
        public_url("http://127.0.0.1:" + std::to_string(port)),
        proxy({"--config", ProxyConfig("  capture_callbacks: true\n"), "--port", std::to_string(port), "--public-url",
               public_url, "--proxy", provider + "=" + upstream.base_url()}) {}

  EmulatorProcess upstream;
  const int port;
  const std::string public_url;
  EmulatorProcess proxy;
};

// The proxy checked a captured callback against schemas/ and found no drift.
void CheckCallbackCheckedWithoutFindings(const EmulatorProcess& proxy) {
  nlohmann::json drift = proxy.Get("/_emulator/drift").json();
  INFO(drift.dump(2));
  CHECK(drift["findings"].empty());
  bool callback_checked = false;
  for (const auto& c : drift["checked"]) callback_checked = callback_checked || c["direction"] == "callback";
  CHECK(callback_checked);
}

// A "live provider" that is the upstream emulator with its answers changed by `mutate`
// (path, parsed JSON body; returns true when it changed the body). Test-only.
class MutatingUpstream {
 public:
  using Mutator = std::function<bool(const std::string& path, nlohmann::ordered_json& body)>;
  MutatingUpstream(int target_port, Mutator mutate) : target_port_(target_port), mutate_(std::move(mutate)) {
    auto handle = [this](const httplib::Request& req, httplib::Response& res) { Forward(req, res); };
    server_.Get(".*", handle);
    server_.Post(".*", handle);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    PollUntil([this] { return server_.is_running(); });
  }
  ~MutatingUpstream() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  void Forward(const httplib::Request& req, httplib::Response& res) {
    httplib::Client client("127.0.0.1", target_port_);
    client.set_read_timeout(10, 0);
    httplib::Headers headers;
    for (const char* h : {"Authorization", "Content-Type"}) {
      if (req.has_header(h)) headers.emplace(h, req.get_header_value(h));
    }
    auto r = req.method == "GET" ? client.Get(req.target.c_str(), headers)
                                 : client.Post(req.target.c_str(), headers, req.body,
                                               req.get_header_value("Content-Type").c_str());
    if (!r) {
      res.status = 599;
      return;
    }
    std::string body = r->body;
    nlohmann::ordered_json json = nlohmann::ordered_json::parse(body, nullptr, false);
    if (!json.is_discarded() && mutate_(req.path, json)) body = json.dump();
    res.status = r->status;
    res.set_content(body, r->get_header_value("Content-Type").c_str());
  }

  int target_port_;
  Mutator mutate_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_CASE("proxy: a faithful upstream passes every exchange through unchanged with zero findings") {
  EmulatorProcess upstream({"--config", WriteTempFile(kUpstreamConfig)});
  EmulatorProcess proxy({"--config", ProxyConfig(), "--proxy",
                         "apikley=" + upstream.base_url() + ",evolink=" + upstream.base_url()});
  Reply a = CreateApikley(proxy, "live-key");
  INFO(a.body);
  REQUIRE(a.json()["code"] == 200);
  const std::string apikley_id = a.json()["data"]["taskId"];
  Reply e = CreateEvolink(proxy, "live-key");
  REQUIRE(e.status == 200);
  const std::string evolink_id = e.json()["id"];
  // The tasks live upstream, under the client's own key (the bearer passed through).
  Reply listed = upstream.Get("/_emulator/tasks?key=live-key");
  CHECK(listed.json()["total"] == 2);
  CHECK(proxy.Get("/_emulator/tasks").json()["total"] == 0);
  upstream.Advance(600);
  for (const std::string& path : {"/api/v1/jobs/recordInfo?taskId=" + apikley_id, "/v1/tasks/" + evolink_id,
                                  std::string("/api/v1/chat/credit"), std::string("/api/v1/jobs/recordInfo?taskId=")}) {
    Reply via = proxy.Get(path, "live-key");
    Reply direct = upstream.Get(path, "live-key");
    INFO(path);
    CHECK(via.status == direct.status);
    CHECK(via.body == direct.body);  // the upstream's answer, byte for byte
    CHECK(via.content_type == direct.content_type);
  }
  Reply recorded = proxy.Get("/api/v1/jobs/recordInfo?taskId=" + apikley_id, "live-key");
  CHECK(recorded.json()["data"]["state"] == "success");
  // An error the provider answers (Evolink 404 for an unknown task) is no drift either.
  CHECK(proxy.Get("/v1/tasks/task-unified-1760000000-aaaaaaaa", "live-key").status == 404);

  nlohmann::json drift = proxy.Get("/_emulator/drift").json();
  INFO(drift.dump(2));
  CHECK(drift["findings"].empty());
  CHECK(drift["proxying"] == true);
  size_t responses = 0;
  for (const auto& c : drift["checked"]) {
    if (c["direction"] == "response") responses += c["count"].get<size_t>();
  }
  CHECK(responses == 8);
  // The journal keeps the exchanges, with the key masked in the headers.
  nlohmann::json journal = proxy.Get("/_emulator/journal?kind=request&key=live-key").json();
  REQUIRE(journal["entries"].size() >= 8);
  CHECK(journal["entries"][0]["request_headers"]["Authorization"] != "Bearer live-key");
  CHECK(journal["entries"][0]["response_body"] == a.body);
}

TEST_CASE("proxy: a renamed field, a new status word and an object for a JSON string are exactly the findings") {
  EmulatorProcess upstream({"--config", WriteTempFile(kUpstreamConfig)});
  MutatingUpstream drifting(upstream.port(), [](const std::string& path, nlohmann::ordered_json& body) {
    if (path == "/v1/videos/generations" && body.contains("progress")) {  // a renamed field
      body["percent"] = body["progress"];
      body.erase("progress");
      return true;
    }
    if (path.rfind("/v1/tasks/", 0) == 0 && body.value("status", "") == "completed") {  // a new status word
      body["status"] = "succeeded";
      return true;
    }
    if (path == "/api/v1/jobs/recordInfo" && body["data"].is_object() && body["data"].value("resultJson", "") != "") {
      body["data"]["resultJson"] = nlohmann::ordered_json::parse(body["data"]["resultJson"].get<std::string>());
      return true;  // an object where the spec says JSON string
    }
    return false;
  });
  const std::string report = WriteTempFile("", ".json");
  EmulatorProcess proxy({"--config", ProxyConfig(), "--proxy", "apikley=" + drifting.url() + ",evolink=" + drifting.url(),
                         "--drift-report", report});
  Reply a = CreateApikley(proxy, "live-key");
  REQUIRE(a.json()["code"] == 200);
  Reply e = CreateEvolink(proxy, "live-key");
  REQUIRE(e.status == 200);
  CHECK(e.json().contains("percent"));  // the client sees what the upstream sent
  upstream.Advance(600);
  for (int i = 0; i < 2; ++i) {
    CHECK(proxy.Get("/api/v1/jobs/recordInfo?taskId=" + a.json()["data"]["taskId"].get<std::string>(), "live-key")
              .json()["data"]["resultJson"]
              .is_object());
    CHECK(proxy.Get("/v1/tasks/" + e.json()["id"].get<std::string>(), "live-key").json()["status"] == "succeeded");
  }
  nlohmann::json drift = proxy.Get("/_emulator/drift").json();
  INFO(drift.dump(2));
  CHECK(FindingKeys(drift) ==
        std::set<FindingKey>{{"evolink", "POST /v1/videos/generations", "response", "/progress", "required"},
                             {"evolink", "POST /v1/videos/generations", "response", "/percent", "additionalProperties"},
                             {"evolink", "GET /v1/tasks/{task_id}", "response", "/status", "enum"},
                             {"apikley", "GET /api/v1/jobs/recordInfo", "response", "/data/resultJson", "type"}});
  for (const auto& f : drift["findings"]) {
    if (f["pointer"] == "/status") {
      CHECK(f["seen"] == "\"succeeded\"");
      CHECK(f["expected"] == "must be one of: pending, processing, completed, failed");
      CHECK(f["count"] == 2);
      CHECK(f["first_seen_ms"].get<int64_t>() <= f["last_seen_ms"].get<int64_t>());
    }
    if (f["pointer"] == "/data/resultJson") CHECK(f["expected"] == "must be of type string");
    if (f["pointer"] == "/progress") CHECK(f["seen"] == "(absent)");
  }
  const std::string metrics = proxy.Get("/_emulator/metrics").body;
  CHECK(metrics.find("imagine_drift_findings{provider=\"evolink\",direction=\"response\"} 3") != std::string::npos);
  CHECK(metrics.find("imagine_drift_findings{provider=\"apikley\",direction=\"response\"} 1") != std::string::npos);

  CHECK(proxy.Stop() == 0);  // SIGTERM: a clean exit writes the report
  nlohmann::json written = nlohmann::json::parse(ReadFile(report), nullptr, false);
  REQUIRE(written.is_object());
  CHECK(FindingKeys(written) == FindingKeys(drift));
  const std::string junit = ReadFile(report + ".xml");
  CHECK(junit.find("<testsuite name=\"imagine-emu drift\"") != std::string::npos);
  CHECK(junit.find("failures=\"3\"") != std::string::npos);  // three route/direction cases failed
  CHECK(junit.find("/data/resultJson [type]") != std::string::npos);
}

TEST_CASE("proxy: a request the emulator would refuse is forwarded and flagged") {
  EmulatorProcess upstream({"--config", WriteTempFile(kUpstreamConfig)});
  EmulatorProcess proxy({"--config", ProxyConfig(), "--proxy", "evolink=" + upstream.base_url()});
  Reply r = CreateEvolink(proxy, "live-key", R"("duration":99,)");
  CHECK(r.status == 400);  // the upstream's own refusal
  CHECK(r.body == CreateEvolink(upstream, "live-key", R"("duration":99,)").body);
  CHECK(upstream.Get("/_emulator/journal?kind=request&path=/v1/videos/generations").json()["entries"].size() == 2);
  nlohmann::json drift = proxy.Get("/_emulator/drift").json();
  INFO(drift.dump(2));
  CHECK(FindingKeys(drift) ==
        std::set<FindingKey>{{"evolink", "POST /v1/videos/generations", "request", "/duration", "enum"}});
  // Apikley is not proxied: the emulator answers it itself.
  CHECK(CreateApikley(proxy, "live-key").json()["code"] == 200);
  CHECK(proxy.Get("/_emulator/tasks").json()["total"] == 1);
}

TEST_CASE("proxy: an unreachable upstream answers the provider's own 5xx and is journaled") {
  const std::string dead = "http://127.0.0.1:" + std::to_string(ClosedPort());
  EmulatorProcess proxy({"--config", ProxyConfig(), "--proxy", "apikley=" + dead + ",evolink=" + dead});
  Reply e = CreateEvolink(proxy, "live-key");
  CHECK(e.status == 500);
  CHECK(e.json()["error"]["code"] == "internal_error");
  CHECK(e.headers.find("X-Emulator-Upstream-Error") != e.headers.end());
  Reply a = CreateApikley(proxy, "live-key");
  CHECK(a.json()["code"] == 500);
  CHECK(a.json()["msg"] == "Internal server error");
  nlohmann::json journal = proxy.Get("/_emulator/journal?kind=request&key=live-key").json();
  CHECK(journal["entries"].size() == 2);
  CHECK(proxy.Get("/_emulator/metrics").body.find("imagine_proxy_upstream_errors_total{provider=\"evolink\"} 1") !=
        std::string::npos);
  CHECK(proxy.Get("/_emulator/drift").json()["upstream_errors"]["apikley"] == 1);
}

TEST_CASE("proxy: the upstream's body limit and timeout apply, both answer the provider's 5xx") {
  TestReceiver<> upstream;  // answers every POST with the scripted status and body
  REQUIRE(upstream.ok());
  upstream.SetResponseBody(std::string(4096, ' ') + "{}");
  const std::string url = "http://127.0.0.1:" + std::to_string(upstream.port());
  EmulatorProcess proxy({"--config", ProxyConfig("  body_limit_bytes: 1024\n  timeout_s: 0.3\n"), "--proxy", "evolink=" + url});
  Reply big = CreateEvolink(proxy, "live-key");
  CHECK(big.status == 500);
  CHECK(big.headers.find("X-Emulator-Upstream-Error")->second == "answer larger than the 1024-byte limit");
  upstream.SetResponseBody("{}");
  upstream.Hang();  // held until released below: the proxy gives up first
  Reply slow = CreateEvolink(proxy, "live-key");
  upstream.Release();
  CHECK(slow.status == 500);
  CHECK(slow.json()["error"]["code"] == "internal_error");
  CHECK(slow.headers.find("X-Emulator-Upstream-Error") != slow.headers.end());
  CHECK(upstream.received() == 2);  // both reached the upstream, with the client's key
  CHECK(upstream.Requests()[0].Header("Authorization") == "Bearer live-key");
  CHECK(proxy.Get("/_emulator/drift").json()["upstream_errors"]["evolink"] == 2);
}

TEST_CASE("proxy: a recorded failure replays bit-for-bit for a key, from the file or POSTed") {
  EmulatorProcess upstream({"--config", WriteTempFile(kUpstreamConfig)});
  EmulatorProcess proxy({"--config", ProxyConfig(), "--proxy",
                         "apikley=" + upstream.base_url() + ",evolink=" + upstream.base_url()});
  Reply ok = CreateEvolink(proxy, "live-key");
  REQUIRE(ok.status == 200);
  Reply failed = CreateEvolink(proxy, "broken-key");  // the upstream is "under maintenance" for this key
  REQUIRE(failed.status == 503);
  Reply failed_apikley = CreateApikley(proxy, "broken-key");
  REQUIRE(failed_apikley.json()["code"] == 455);

  Reply fixtures = proxy.Get("/_emulator/recordings?key=broken-key&failures_only=true&replay_key=ci-key");
  REQUIRE(fixtures.status == 200);
  nlohmann::json doc = fixtures.json();
  INFO(doc.dump(2));
  REQUIRE(doc["answers"].size() == 2);
  CHECK(doc["format"] == "imagine-emu-recordings/1");
  CHECK(doc["answers"][0]["key"] == "ci-key");
  CHECK(proxy.Get("/_emulator/recordings").json()["answers"][0]["key"] != "live-key");  // masked by default
  CHECK(proxy.Get("/_emulator/drift").json()["findings"].empty());

  // A plain emulator (no upstream) replays the file for ci-key and emulates everyone else.
  EmulatorProcess replay({"--config", WriteTempFile("proxy: {replay_file: " + WriteTempFile(fixtures.body, ".json") + "}\n")});
  for (int i = 0; i < 2; ++i) {  // the last recorded answer repeats once the script runs out
    Reply again = CreateEvolink(replay, "ci-key");
    CHECK(again.status == failed.status);
    CHECK(again.body == failed.body);
    CHECK(again.content_type == failed.content_type);
  }
  Reply apikley_again = CreateApikley(replay, "ci-key");
  CHECK(apikley_again.status == failed_apikley.status);
  CHECK(apikley_again.body == failed_apikley.body);
  CHECK(CreateEvolink(replay, "other-key").status == 200);
  CHECK(replay.Get("/_emulator/tasks").json()["total"] == 1);

  // POSTed at run time, to the same effect.
  EmulatorProcess posted;
  Reply loaded = posted.Post("/_emulator/recordings", fixtures.body);
  CHECK(loaded.status == 200);
  CHECK(loaded.json()["loaded"] == 2);
  CHECK(CreateEvolink(posted, "ci-key").body == failed.body);
  CHECK(posted.Post("/_emulator/recordings", R"({"answers":[{"key":"k"}]})").status == 400);
}

TEST_CASE("proxy: captured callbacks are checked, recorded and passed on to the client's URL") {
  TestReceiver<> client_receiver;
  REQUIRE(client_receiver.ok());
  CapturingProxy env("evolink");
  EmulatorProcess& upstream = env.upstream;
  EmulatorProcess& proxy = env.proxy;
  Reply e = CreateEvolink(proxy, "live-key", "\"callback_url\":\"" + client_receiver.Url("/hook") + "\",");
  INFO(e.body);
  REQUIRE(e.status == 200);
  // The upstream was given the emulator's receiver, not the client's URL.
  nlohmann::json task = upstream.Get("/_emulator/tasks/" + e.json()["id"].get<std::string>()).json();
  INFO(task.dump());
  CHECK(task.dump().find(env.public_url + "/proxy/callbacks/") != std::string::npos);
  CHECK(task.dump().find(client_receiver.Url("/hook")) == std::string::npos);
  upstream.Advance(600);
  REQUIRE(PollUntil([&] { return client_receiver.completed() >= 1; }));
  std::vector<ReceivedRequest> got = client_receiver.Requests();
  CHECK(got[0].target == "/hook");
  nlohmann::json body = nlohmann::json::parse(got[0].body, nullptr, false);
  CHECK(body["id"] == e.json()["id"]);
  CHECK(body["status"] == "completed");
  CheckCallbackCheckedWithoutFindings(proxy);
  // The callback is in the proxy's journal as a request it received (journaled once the
  // receiver has answered the provider, which may be just after the client got it).
  CHECK(PollUntil([&] {
    return proxy.Get("/_emulator/journal?kind=request&path=/proxy/callbacks/*").json()["entries"].size() == 1;
  }));
}

TEST_CASE("proxy: an Apikley callBackUrl is captured the same way and its callback checked") {
  TestReceiver<> client_receiver;
  REQUIRE(client_receiver.ok());
  CapturingProxy env("apikley");
  EmulatorProcess& upstream = env.upstream;
  EmulatorProcess& proxy = env.proxy;
  Reply a = CreateApikley(proxy, "live-key", "\"callBackUrl\":\"" + client_receiver.Url("/kie") + "\",");
  INFO(a.body);
  REQUIRE(a.json()["code"] == 200);
  upstream.Advance(600);
  REQUIRE(PollUntil([&] { return client_receiver.completed() >= 1; }));
  nlohmann::json body = nlohmann::json::parse(client_receiver.Requests()[0].body, nullptr, false);
  CHECK(body["data"]["taskId"] == a.json()["data"]["taskId"]);
  CHECK(body["data"]["state"] == "success");
  CheckCallbackCheckedWithoutFindings(proxy);
}

TEST_CASE("proxy: start-up refuses http upstreams without allow_http, bad --proxy values and capture without a public URL") {
  auto [code1, out1] = RunToExit({"--port", "0", "--proxy", "apikley=http://127.0.0.1:9"});
  CHECK(code1 == 2);
  CHECK(out1.find("proxy.apikley: the upstream URL must be https://") != std::string::npos);
  auto [code2, out2] = RunToExit({"--port", "0", "--proxy", "openai=https://example.com"});
  CHECK(code2 == 2);
  CHECK(out2.find("--proxy: must be apikley=URL,evolink=URL,xai=URL (any of apikley, evolink, xai, each once; got "
                  "\"openai=https://example.com\")") != std::string::npos);
  auto [code3, out3] =
      RunToExit({"--port", "0", "--config", WriteTempFile("proxy: {capture_callbacks: true, evolink: https://example.com}\n")});
  CHECK(code3 == 2);
  CHECK(out3.find("proxy.capture_callbacks needs server.public_url") != std::string::npos);
}

TEST_CASE("proxy: --proxy xai=URL forwards xAI's routes, checks them against schemas/xai and finds drift") {
  // The "live" xAI is an emulator serving xAI at its root on a port of its own, as api.x.ai does.
  EmulatorProcess upstream({"--config", WriteTempFile(kUpstreamConfig), "--listen", "xai=0"});
  const std::string live = "http://127.0.0.1:" + std::to_string(upstream.ProviderPort("xai"));
  EmulatorProcess proxy({"--config", ProxyConfig(), "--proxy", "xai=" + live});
  Reply created = proxy.Request("POST", "/xai/v1/videos/generations", R"({"prompt":"a cat","duration":1})",
                                Bearer("live-key"), "application/json");
  INFO(created.body);
  REQUIRE(created.status == 200);
  const std::string id = created.json()["request_id"];
  CHECK(upstream.Get("/_emulator/tasks?provider=xai&key=live-key").json()["total"] == 1);
  CHECK(proxy.Get("/_emulator/tasks").json()["total"] == 0);
  upstream.Advance(120);
  Reply via = proxy.Get("/xai/v1/videos/" + id, "live-key");
  Reply direct = upstream.Get("/xai/v1/videos/" + id, "live-key");
  CHECK(via.status == 200);
  CHECK(via.body == direct.body);
  CHECK(via.json()["status"] == "done");
  // xAI's own error, passed through, is no drift in the answer; the client's request that the
  // document refuses is forwarded and flagged (docs/proxy.md, "What is checked").
  Reply refused = proxy.Request("POST", "/xai/v1/videos/generations", R"({"prompt":"x","duration":16})",
                                Bearer("live-key"), "application/json");
  CHECK(refused.status == 400);
  nlohmann::json drift = proxy.Get("/_emulator/drift").json();
  INFO(drift.dump(2));
  REQUIRE(drift["findings"].size() == 1);
  CHECK(drift["findings"][0]["direction"] == "request");
  CHECK(drift["findings"][0]["pointer"] == "/duration");
  CHECK(drift["findings"][0]["rule"] == "maximum");
  CHECK(drift["findings"][0]["seen"] == "16");
  size_t xai_responses = 0;
  for (const auto& c : drift["checked"]) {
    if (c["direction"] == "response" && c["provider"] == "xai") xai_responses += c["count"].get<size_t>();
  }
  CHECK(xai_responses == 3);

  // A live xAI that words a state differently ("completed" for "done") is a finding on xAI's route.
  MutatingUpstream drifting(upstream.ProviderPort("xai"), [](const std::string& path, nlohmann::ordered_json& body) {
    if (path.rfind("/v1/videos/", 0) != 0 || !body.contains("status")) return false;
    body["status"] = "completed";
    return true;
  });
  EmulatorProcess checked({"--config", ProxyConfig(), "--proxy", "xai=" + drifting.url()});
  Reply seen = checked.Get("/xai/v1/videos/" + id, "live-key");
  CHECK(seen.json()["status"] == "completed");  // passed on as the upstream said it
  std::set<FindingKey> findings = FindingKeys(checked.Get("/_emulator/drift").json());
  REQUIRE(findings.size() == 1);
  CHECK(std::get<0>(*findings.begin()) == "xai");
  CHECK(std::get<2>(*findings.begin()) == "response");
  CHECK(std::get<3>(*findings.begin()) == "/status");
}

}  // namespace
}  // namespace imagine::testing
