// Drift checks against the embedded provider documents, the DriftLog's deduplication and
// reports, and the recordings document's round trip — no sockets.
#include <doctest/doctest.h>

#include "proxy/drift_check.h"
#include "proxy/drift_log.h"
#include "proxy/recordings.h"
#include "support/provider_fixtures.h"

namespace imagine::testing {
namespace {

const OpenApiOperation& Op(const ProviderSurface& s, const char* id) {
  const OpenApiOperation* op = s.spec().Find(id);
  REQUIRE(op != nullptr);
  return *op;
}

const char* kRecord = R"({"code":200,"msg":"success","data":{"taskId":"d43f0d0ab29f28fdfcf68a9dccbd7a42",
  "model":"grok-imagine/text-to-image","state":"success","param":"{}","resultJson":"{\"resultUrls\":[]}",
  "failCode":"","failMsg":"","costTime":1,"createTime":1,"updateTime":1,"completeTime":1,"creditsConsumed":4}})";

}  // namespace

TEST_CASE("drift: a faithful Apikley answer has no findings, each change is one finding at its pointer") {
  auto apikley = ApikleySurface();
  const OpenApiOperation& query = Op(*apikley, "getTaskDetail");
  CHECK(CheckUpstreamAnswer(*apikley, query, 200, "application/json", kRecord).empty());
  // An error sent with HTTP 200 is the provider's error envelope, not drift.
  CHECK(CheckUpstreamAnswer(*apikley, query, 200, "application/json", R"({"code":422,"msg":"recordInfo is null","data":null})")
            .empty());

  nlohmann::json changed = nlohmann::json::parse(kRecord);
  changed["data"]["state"] = "queued";
  auto found = CheckUpstreamAnswer(*apikley, query, 200, "application/json", changed.dump());
  REQUIRE(found.size() == 1);
  CHECK(found[0].pointer == "/data/state");
  CHECK(found[0].rule == "enum");
  CHECK(found[0].seen == "\"queued\"");
  CHECK(found[0].expected == "must be one of: waiting, queuing, generating, success, fail");

  changed = nlohmann::json::parse(kRecord);
  changed["data"]["resultJson"] = {{"resultUrls", nlohmann::json::array()}};
  found = CheckUpstreamAnswer(*apikley, query, 200, "application/json", changed.dump());
  REQUIRE(found.size() == 1);
  CHECK(found[0].pointer == "/data/resultJson");
  CHECK(found[0].rule == "type");

  found = CheckUpstreamAnswer(*apikley, query, 503, "text/html", "<html>down</html>");
  REQUIRE(found.size() >= 1);
  CHECK(found[0].rule == "status");
  CHECK(found[0].seen == "503");
  CHECK(CheckUpstreamAnswer(*apikley, query, 200, "text/html", "<html>")[0].rule == "json");
}

TEST_CASE("drift: the client's request is checked like the emulator checks it, every error at once") {
  auto evolink = EvolinkSurface();
  const OpenApiOperation& create = Op(*evolink, "createVideoGeneration");
  std::string body = R"({"model":"grok-imagine-text-to-video","prompt":"x"})";
  ApiRequest req;
  req.body = body;
  req.headers = {{"Content-Type", "application/json"}};
  CHECK(CheckClientRequest(create, req, RequestValidation{}).empty());
  body = R"({"model":"grok-imagine-text-to-video","duration":99})";
  req.body = body;
  auto found = CheckClientRequest(create, req, RequestValidation{});
  CHECK(found.size() == 2);  // prompt missing, duration not allowed
  body = "{";
  req.body = body;
  found = CheckClientRequest(create, req, RequestValidation{});
  REQUIRE(found.size() == 1);
  CHECK(found[0].rule == "json");
}

TEST_CASE("drift: the callback schema comes from the create operation's callbacks") {
  auto apikley = ApikleySurface();
  auto schema = CallbackSchema(apikley->spec(), Op(*apikley, "createTask"));
  REQUIRE(schema != nullptr);
  CHECK(CheckCallbackBody(*schema, R"({"code":200,"msg":"success"})").size() >= 1);
}

TEST_CASE("DriftLog deduplicates by route, direction, pointer and rule and writes JUnit") {
  DriftLog log;
  DriftCheck check{"evolink", "getTaskDetail", "GET /v1/tasks/{task_id}", DriftDirection::kResponse};
  log.Record(check, {}, 1);
  log.Record(check, {DriftObservation{"/status", "enum", "must be one of: a", "\"x\""}}, 2);
  log.Record(check, {DriftObservation{"/status", "enum", "must be one of: a", "\"y\""}}, 5);
  auto findings = log.Findings();
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].count == 2);
  CHECK(findings[0].first_seen_ms == 2);
  CHECK(findings[0].last_seen_ms == 5);
  CHECK(findings[0].seen == "\"y\"");
  CHECK(findings[0].seen_values == std::vector<std::string>{"\"x\"", "\"y\""});
  const std::string junit = log.ToJUnit();
  CHECK(junit.find("tests=\"1\" failures=\"1\"") != std::string::npos);
  CHECK(junit.find("&quot;y&quot;") != std::string::npos);
  CHECK(log.ToJson()["checked"][0]["count"] == 3);
}

TEST_CASE("recordings: the document round-trips exact bytes, also bytes that are not UTF-8") {
  Recorder recorder;
  recorder.Add(RecordedAnswer{"live-secret-key", "evolink", "getTaskDetail", "GET", "/v1/tasks/x", 503,
                              "application/json", "{\"error\":  {}}\n", 7});
  recorder.Add(RecordedAnswer{"live-secret-key", "apikley", "getTaskDetail", "GET", "/api", 200, "application/octet-stream",
                              std::string("\xff\x00\x01", 3), 8});
  recorder.Add(RecordedAnswer{"other", "apikley", "createTask", "POST", "/api", 200, "application/json", "{}", 9});
  nlohmann::ordered_json doc = recorder.Fixtures("live-secret-key", "", false, "ci");
  REQUIRE(doc["answers"].size() == 2);
  CHECK(doc["answers"][1].contains("body_hex"));
  CHECK(recorder.Fixtures("", "", false, "")["answers"][0]["key"] != "live-secret-key");
  CHECK(recorder.Fixtures("", "", true, "")["answers"].size() == 1);
  Replayer replayer;
  CHECK_FALSE(replayer.Answer("ci", "evolink", "getTaskDetail").has_value());
  REQUIRE(replayer.Load(nlohmann::json::parse(doc.dump())).ok());
  auto a = replayer.Answer("ci", "evolink", "getTaskDetail");
  REQUIRE(a.has_value());
  CHECK(a->status == 503);
  CHECK(a->body == "{\"error\":  {}}\n");
  auto b = replayer.Answer("ci", "apikley", "getTaskDetail");
  REQUIRE(b.has_value());
  CHECK(b->body == std::string("\xff\x00\x01", 3));
  CHECK_FALSE(replayer.Answer("other", "apikley", "createTask").has_value());
  Status bad = replayer.Load(nlohmann::json::parse(R"({"answers":[{"key":"k","provider":"evolink","operation":"x"}]})"));
  CHECK(bad.code() == Code::kInvalidArgument);
  CHECK(bad.violation().pointer == "/answers/0/status");
  CHECK(replayer.size() == 2);  // a refused document keeps what was loaded
}

}  // namespace imagine::testing
