// The control API under /_emulator/ over real HTTP: auth with and without an admin token,
// tasks and actions, clock, reset, the journal (filters, paging, ring-buffer bound, JSON
// lines, HAR), metrics that a Prometheus text parser accepts, and per-request logs.
#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "support/emulator_process.h"
#include "support/test_configs.h"

namespace imagine::testing {
namespace {

const std::string kEvo = R"({"model":"grok-imagine-text-to-video","prompt":"x"})";
const std::string kT2V = R"({"model":"grok-imagine/text-to-video","input":{"prompt":"x"}})";

std::string CreateE(const EmulatorProcess& emu, const std::string& key = "key-aaaa1111") {
  Reply r = emu.Post("/v1/videos/generations", kEvo, key);
  REQUIRE(r.status == 200);
  return r.json()["id"];
}
std::string CreateA(const EmulatorProcess& emu, const std::string& key = "key-bbbb2222") {
  Reply r = emu.Post("/api/v1/jobs/createTask", kT2V, key);
  REQUIRE(r.json()["code"] == 200);
  return r.json()["data"]["taskId"];
}
Reply Admin(const EmulatorProcess& emu, const std::string& method, const std::string& path, const std::string& body = "",
            const std::string& token = "") {
  httplib::Headers h;
  if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
  return emu.Request(method, path, body, h, "application/json");
}

struct Fixture {
  Fixture() : config(WriteTempFile(kFixedTimingConfig)), emu({"--config", config}) {}
  std::string config;
  EmulatorProcess emu;
};

TEST_CASE("without an admin token the control API is open, with one every route needs it (but health)") {
  EmulatorProcess open;
  CHECK(Admin(open, "GET", "/_emulator/health").status == 200);
  CHECK(Admin(open, "GET", "/_emulator/version").json() ==
        nlohmann::json{{"name", "imagine-emu"},
                       {"version", IMAGINE_VERSION},
                       {"providers", {"apikley", "evolink", "xai"}},
                       {"ports", nlohmann::json::object()}});

  EmulatorProcess guarded({"--clock", "virtual", "--admin-token", "t0ps3cret"});
  // GET health stays open for probes (issue 16; admin_surface_test.cc pins it and admin.protect_health).
  const char* routes[][2] = {{"GET", "/_emulator/version"},  {"GET", "/_emulator/config"},
                             {"GET", "/_emulator/tasks"},   {"GET", "/_emulator/journal"},  {"GET", "/_emulator/metrics"},
                             {"GET", "/_emulator/clock"},   {"POST", "/_emulator/reset"},   {"GET", "/_emulator/scenarios"},
                             {"GET", "/_emulator/callbacks"}, {"GET", "/_emulator/keys/x"}};
  for (const auto& route : routes) {
    INFO(std::string(route[0]) << " " << std::string(route[1]));
    Reply none = Admin(guarded, route[0], route[1], route[0] == std::string("POST") ? "{}" : "");
    CHECK(none.status == 401);
    CHECK(none.json()["error"]["code"] == "unauthenticated");
    CHECK(Admin(guarded, route[0], route[1], "{}", "wrong").status == 401);
    CHECK(Admin(guarded, route[0], route[1], "{}", "demo-key").status == 401);  // a provider key never opens them
    CHECK(Admin(guarded, route[0], route[1], "{}", "t0ps3cret").status == 200);
  }
  // The dashboard page itself is open (a browser cannot send a header to open it); the
  // API it calls is not.
  CHECK(Admin(guarded, "GET", "/_emulator/ui").status == 200);
  // The token does not leak through the config.
  nlohmann::json config = Admin(guarded, "GET", "/_emulator/config", "", "t0ps3cret").json();
  CHECK(config["admin"]["token"] == "********");
  CHECK(config["accounts"]["keys"]["signed-key"]["webhook_hmac_key"] == "********");
  CHECK(config["apikley"]["rate_limits"]["burst"] == nlohmann::json{{"count", 20}, {"window_s", 10}});
  // Provider routes do not take the admin token.
  CHECK(guarded.Post("/v1/videos/generations", kEvo, "t0ps3cret").status == 200);
  guarded.Stop();  // the harness's own self-check query needs the token; skip it by stopping first
}

TEST_CASE("tasks: filters, paging, detail with history, and every action") {
  Fixture f;
  std::string e1 = CreateE(f.emu);
  f.emu.Advance(1);
  std::string e2 = CreateE(f.emu);
  std::string a1 = CreateA(f.emu);
  nlohmann::json all = f.emu.Get("/_emulator/tasks").json();
  CHECK(all["total"] == 3);
  CHECK(all["tasks"][0]["created_ms"] >= all["tasks"][2]["created_ms"]);  // newest first
  CHECK(f.emu.Get("/_emulator/tasks?provider=apikley").json()["tasks"][0]["id"] == a1);
  CHECK(f.emu.Get("/_emulator/tasks?key=key-aaaa1111").json()["total"] == 2);
  CHECK(f.emu.Get("/_emulator/tasks?state=queuing").json()["tasks"][0]["id"] == e1);
  nlohmann::json page = f.emu.Get("/_emulator/tasks?limit=2&offset=2").json();
  CHECK(page["total"] == 3);
  CHECK(page["tasks"].size() == 1);
  CHECK(page["tasks"][0]["key"] == "…1111");
  CHECK(f.emu.Get("/_emulator/tasks?state=done").status == 400);
  CHECK(f.emu.Get("/_emulator/tasks?limit=0").status == 400);

  nlohmann::json detail = f.emu.Get("/_emulator/tasks/" + e1).json();
  CHECK(detail["history"] == nlohmann::json::parse(
                                 R"([{"state":"waiting","at_ms":1760000000000},{"state":"queuing","at_ms":1760000001000}])"));
  CHECK(detail["request"]["prompt"] == "x");
  CHECK(detail["failure"].is_null());
  CHECK(f.emu.Get("/_emulator/tasks/nope").status == 404);

  // advance: one state at a time, reported like any other transition.
  CHECK(f.emu.Post("/_emulator/tasks/" + e2 + "/advance", "{}").json()["state"] == "queuing");
  CHECK(f.emu.Post("/_emulator/tasks/" + e2 + "/advance", "{}").json()["state"] == "generating");
  nlohmann::json done = f.emu.Post("/_emulator/tasks/" + e2 + "/advance", "{}").json();
  CHECK(done["state"] == "succeeded");
  CHECK(done["results"].size() == 1);
  CHECK(f.emu.Post("/_emulator/tasks/" + e2 + "/advance", "{}").status == 409);
  CHECK(f.emu.Get("/v1/tasks/" + e2, "key-aaaa1111").json()["status"] == "completed");
  // fail with a reason, code and message: the provider shows them.
  nlohmann::json failed = f.emu.Post("/_emulator/tasks/" + a1 + "/fail",
                                     R"({"reason":"content_policy_violation","message":"nope"})").json();
  CHECK(failed["state"] == "failed");
  CHECK(failed["failure"] == nlohmann::json{{"reason", "content_policy_violation"}, {"code", ""}, {"message", "nope"}});
  nlohmann::json rec = f.emu.Get("/api/v1/jobs/recordInfo?taskId=" + a1, "key-bbbb2222").json()["data"];
  CHECK(rec["state"] == "fail");
  CHECK(rec["failCode"] == "400");
  CHECK(rec["failMsg"] == "nope");
  // complete and cancel.
  CHECK(f.emu.Post("/_emulator/tasks/" + e1 + "/complete", "").json()["state"] == "succeeded");
  CHECK(f.emu.Post("/_emulator/tasks/" + e1 + "/cancel", "").status == 409);
  std::string e3 = CreateE(f.emu);
  CHECK(f.emu.Post("/_emulator/tasks/" + e3 + "/cancel", "").json()["failure"]["reason"] == "request_cancelled");
  CHECK(f.emu.Get("/v1/tasks/" + e3, "key-aaaa1111").json()["error"]["code"] == "request_cancelled");
  CHECK(f.emu.Post("/_emulator/tasks/missing/complete", "").status == 404);
  CHECK(f.emu.Post("/_emulator/tasks/" + e3 + "/fail", R"({"reason":7})").status == 400);
  // An admin completion frees the concurrency slot and settles credits at once.
  CHECK(f.emu.Get("/v1/credits", "key-aaaa1111").json()["data"]["user"]["used_credits"] == 10);
}

TEST_CASE("clock: read, advance, set the time scale of a real clock") {
  Fixture f;
  nlohmann::json c = f.emu.Post("/_emulator/clock", R"({"advance_seconds":2.5})").json();
  CHECK(c["now_ms"] == 1760000002500);
  CHECK(f.emu.Post("/_emulator/clock", R"({"time_scale":3})").status == 409);  // virtual
  CHECK(f.emu.Post("/_emulator/clock", R"({"advance_seconds":-1})").status == 400);
  EmulatorProcess real({"--clock", "real"});
  nlohmann::json r = real.Post("/_emulator/clock", R"({"time_scale":50})").json();
  CHECK(r["time_scale"] == 50);
  CHECK(r["mode"] == "real");
}

TEST_CASE("reset forgets everything, or one key's tasks, quotas and journal") {
  Fixture f;
  CreateE(f.emu, "key-one");
  CreateE(f.emu, "key-two");
  f.emu.Request("PUT", "/_emulator/keys/key-two", R"({"credits":50})", {}, "application/json");
  f.emu.Post("/_emulator/scenarios/rules", R"({"scenario":"maintenance"})");
  nlohmann::json one = f.emu.Post("/_emulator/reset", R"({"key":"key-one"})").json();
  CHECK(one["removed_tasks"] == 1);
  CHECK(f.emu.Get("/_emulator/tasks").json()["total"] == 1);
  CHECK(f.emu.Get("/_emulator/journal?key=key-one").json()["entries"].empty());
  CHECK_FALSE(f.emu.Get("/_emulator/journal?key=key-two").json()["entries"].empty());
  CHECK(f.emu.Get("/v1/credits", "key-one").json()["data"]["user"]["remaining_credits"] == 1000);
  nlohmann::json all = f.emu.Post("/_emulator/reset", "").json();
  CHECK(all["removed_tasks"] == 1);
  CHECK(f.emu.Get("/_emulator/tasks").json()["total"] == 0);
  CHECK(f.emu.Get("/_emulator/journal").json()["entries"].empty());
  CHECK(f.emu.Get("/_emulator/scenarios").json()["rules"].empty());
  CHECK(f.emu.Get("/_emulator/keys/key-two").json()["balance"]["remaining"] == 1000);  // runtime profile undone
  // Ids never repeat across a reset: a forgotten task's callback may still be pending.
  const std::string before = CreateE(f.emu, "key-one");
  f.emu.Post("/_emulator/reset", "{}");
  EmulatorProcess fresh({"--config", f.config});
  CHECK(CreateE(f.emu, "key-one") != CreateE(fresh, "key-one"));
  CHECK(CreateE(f.emu, "key-one") != before);
}

TEST_CASE("journal: requests with responses, state changes, filters and paging") {
  Fixture f;
  std::string id = CreateE(f.emu, "sk-live-9876");
  f.emu.Get("/v1/tasks/" + id, "sk-live-9876");
  f.emu.Advance(10);
  f.emu.Get("/v1/tasks/" + id, "sk-live-9876");
  nlohmann::json j = f.emu.Get("/_emulator/journal?task_id=" + id).json();
  std::vector<std::string> kinds;
  for (const auto& e : j["entries"]) kinds.push_back(e["kind"].get<std::string>() + (e.contains("state") ? ":" + e["state"]["state"].get<std::string>() : ""));
  CHECK(kinds == std::vector<std::string>{"state:waiting", "request", "request", "state:queuing", "state:generating",
                                          "state:succeeded", "request"});
  nlohmann::json create = j["entries"][1];
  CHECK(create["method"] == "POST");
  CHECK(create["path"] == "/v1/videos/generations");
  CHECK(create["status"] == 200);
  CHECK(create["key"] == "…9876");
  CHECK(create["request_headers"]["Authorization"] == "Bearer …9876");
  CHECK(create["request_body"] == kEvo);
  CHECK(nlohmann::json::parse(create["response_body"].get<std::string>())["id"] == id);
  CHECK(create["operation"] == "createVideoGeneration");
  CHECK(j["entries"][3]["at_ms"] == 1760000001000);
  // Filters: path (exact and prefix), status, key, kind.
  CHECK(f.emu.Get("/_emulator/journal?path=/v1/videos/generations").json()["entries"].size() == 1);
  CHECK(f.emu.Get("/_emulator/journal?path=/v1/*").json()["entries"].size() == 3);
  CHECK(f.emu.Get("/_emulator/journal?kind=state&key=sk-live-9876").json()["entries"].size() == 4);
  f.emu.Get("/v1/tasks/task-unified-1-zzzzzzzz", "sk-live-9876");
  CHECK(f.emu.Get("/_emulator/journal?status=404").json()["entries"].size() == 1);
  // Paging with the since cursor.
  nlohmann::json first = f.emu.Get("/_emulator/journal?limit=3").json();
  CHECK(first["entries"].size() == 3);
  nlohmann::json rest = f.emu.Get("/_emulator/journal?since=" + std::to_string(first["next_cursor"].get<long long>())).json();
  CHECK(rest["entries"][0]["seq"] == first["entries"][2]["seq"].get<long long>() + 1);
  CHECK(f.emu.Get("/_emulator/journal?limit=x").status == 400);
  // A cursor from before a restart (past the newest entry) comes back as the newest seq.
  nlohmann::json past = f.emu.Get("/_emulator/journal?since=999999").json();
  CHECK(past["entries"].empty());
  CHECK(past["next_cursor"] == rest["entries"].back()["seq"]);
  // The dashboard's own polling is not journaled.
  CHECK(f.emu.Get("/_emulator/journal?path=/_emulator/*").json()["entries"].empty());
}

TEST_CASE("the journal is a bounded ring buffer: drops are counted and memory stays flat") {
  std::string config = WriteTempFile("journal: {capacity: 200}\n");
  EmulatorProcess emu({"--config", config, "--clock", "virtual", "--log-level", "warn"});
  const std::string big = std::string(R"({"model":"nope","prompt":")") + std::string(4000, 'p') + "\"}";
  auto fill = [&](int n) {
    httplib::Client c("127.0.0.1", emu.port());
    for (int i = 0; i < n; ++i) c.Post("/v1/videos/generations", {{"Authorization", "Bearer k"}}, big, "application/json");
  };
  fill(1000);
  const long rss_after_1k = emu.RssKib();
  nlohmann::json j = emu.Get("/_emulator/journal?limit=1").json();
  CHECK(j["capacity"] == 200);
  CHECK(j["dropped"] == 800);
  fill(4000);
  const long rss_after_5k = emu.RssKib();
  j = emu.Get("/_emulator/journal?limit=10000").json();
  CHECK(j["dropped"] == 4800);
  CHECK(j["entries"].size() == 200);
  MESSAGE("RSS after 1000 entries: " << rss_after_1k << " KiB; after 5000: " << rss_after_5k << " KiB");
  CHECK(rss_after_5k - rss_after_1k < 4096);  // 4000 more entries of ~8 KB would be ~32 MB unbounded
}

TEST_CASE("journal.jsonl and journal.har export what the journal holds") {
  Fixture f;
  std::string id = CreateA(f.emu);
  f.emu.Get("/api/v1/jobs/recordInfo?taskId=" + id + "&x=1", "key-bbbb2222");
  Reply jsonl = f.emu.Get("/_emulator/journal.jsonl");
  CHECK(jsonl.content_type == "application/x-ndjson");
  std::istringstream lines(jsonl.body);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    nlohmann::json e = nlohmann::json::parse(line, nullptr, false);
    CHECK_FALSE(e.is_discarded());
    ++n;
  }
  CHECK(n == 3);  // waiting, create, query
  nlohmann::json har = f.emu.Get("/_emulator/journal.har").json();
  const nlohmann::json& log = har["log"];
  CHECK(log["version"] == "1.2");
  CHECK(log["creator"]["name"] == "imagine-emu");
  REQUIRE(log["entries"].size() == 2);
  for (const auto& e : log["entries"]) {
    for (const char* field : {"startedDateTime", "time", "request", "response", "cache", "timings"}) CHECK(e.contains(field));
    for (const char* field : {"method", "url", "httpVersion", "cookies", "headers", "queryString", "headersSize", "bodySize"}) {
      CHECK(e["request"].contains(field));
    }
    for (const char* field :
         {"status", "statusText", "httpVersion", "cookies", "headers", "content", "redirectURL", "headersSize", "bodySize"}) {
      CHECK(e["response"].contains(field));
    }
    CHECK(std::regex_match(e["startedDateTime"].get<std::string>(),
                           std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  }
  CHECK(log["entries"][0]["request"]["postData"]["text"] == kT2V);
  CHECK(log["entries"][1]["request"]["queryString"] ==
        nlohmann::json::parse(R"([{"name":"taskId","value":")" + id + R"("},{"name":"x","value":"1"}])"));
  CHECK(log["entries"][1]["request"]["url"] == f.emu.base_url() + "/api/v1/jobs/recordInfo?taskId=" + id + "&x=1");
}

// A small Prometheus text-format (0.0.4) checker: every sample line parses, every sample's
// family has a TYPE, histogram buckets are cumulative and end with +Inf == _count.
void CheckPrometheusText(const std::string& text) {
  std::map<std::string, std::string> types;
  std::map<std::string, double> last_bucket;
  const std::regex sample(R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*)\})? (-?[0-9.eE+-]+|\+Inf|NaN))");
  std::istringstream in(text);
  std::string line;
  int samples = 0;
  while (std::getline(in, line)) {
    INFO(line);
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream t(line.substr(7));
      std::string name, type;
      t >> name >> type;
      CHECK((type == "counter" || type == "gauge" || type == "histogram"));
      types[name] = type;
      continue;
    }
    if (line.rfind("# HELP ", 0) == 0 || line.empty()) continue;
    std::smatch m;
    REQUIRE(std::regex_match(line, m, sample));
    ++samples;
    std::string name = m[1];
    std::string family = name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      std::string s(suffix);
      if (family.size() > s.size() && family.compare(family.size() - s.size(), s.size(), s) == 0 &&
          types.count(family.substr(0, family.size() - s.size()))) {
        family = family.substr(0, family.size() - s.size());
      }
    }
    CHECK(types.count(family) == 1);
    if (name.size() > 7 && name.compare(name.size() - 7, 7, "_bucket") == 0) {
      std::string labels = m[3];
      std::string series = labels.substr(0, labels.find(",le="));
      double v = std::stod(m[7]);
      CHECK(v >= last_bucket[series]);
      last_bucket[series] = v;
    }
  }
  CHECK(samples > 10);
}

TEST_CASE("metrics are valid Prometheus text with requests, latency, task states, callbacks and journal drops") {
  Fixture f;
  CreateE(f.emu);
  CreateA(f.emu);
  f.emu.Post("/v1/videos/generations", R"({"model":"nope"})", "k");
  f.emu.Advance(10);
  Reply m = f.emu.Get("/_emulator/metrics");
  CHECK(m.status == 200);
  CHECK(m.content_type == "text/plain; version=0.0.4");
  CheckPrometheusText(m.body);
  for (const char* want : {
           "imagine_requests_total{provider=\"evolink\",route=\"createVideoGeneration\",status=\"200\"} 1",
           "imagine_requests_total{provider=\"evolink\",route=\"createVideoGeneration\",status=\"400\"} 1",
           "imagine_requests_total{provider=\"apikley\",route=\"createTask\",status=\"200\"} 1",
           "imagine_request_duration_seconds_count{provider=\"evolink\"} 2",
           "imagine_task_states_entered_total{provider=\"evolink\",state=\"succeeded\"} 1",
           "imagine_tasks{state=\"succeeded\"} 2",
           "imagine_tasks{state=\"waiting\"} 0",
           "imagine_journal_dropped 0",
       }) {
    INFO(std::string(want));
    CHECK(m.body.find(want) != std::string::npos);
  }
}

TEST_CASE("one log line per request, as text or as JSON lines") {
  EmulatorProcess text({"--clock", "virtual"});
  CreateE(text, "key-log-text");
  text.Stop();
  CHECK(std::regex_search(text.output(),
                          std::regex(R"(info  req_\d+ POST /v1/videos/generations 200 \d+us key=…text route=createVideoGeneration)")));

  EmulatorProcess json({"--clock", "virtual", "--log-format", "json"});
  CreateE(json, "key-log-json");
  json.Stop();
  bool found = false;
  std::istringstream lines(json.output());
  std::string line;
  while (std::getline(lines, line)) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.contains("request_id")) continue;
    found = j["path"] == "/v1/videos/generations" && j["status"] == 200 && j["key"] == "…json" &&
            j["route"] == "createVideoGeneration" && j["latency_us"].is_number() && j["task_id"].is_string();
    if (found) break;
  }
  CHECK(found);
}

TEST_CASE("the dashboard is one self-contained page served from the binary") {
  EmulatorProcess emu;
  Reply page = emu.Get("/_emulator/ui");
  CHECK(page.status == 200);
  CHECK(page.content_type == "text/html; charset=utf-8");
  CHECK(page.body.find("<html") != std::string::npos);
  CHECK(page.body.find("http://") == std::string::npos);   // no CDN, no external fetches
  CHECK(page.body.find("https://") == std::string::npos);
}


TEST_CASE("journal.file appends every entry as JSON lines, beyond the ring buffer") {
  const std::string file = WriteTempFile("", ".jsonl");
  std::string config = WriteTempFile("journal: {capacity: 2, file: \"" + file + "\"}\n");
  {
    EmulatorProcess emu({"--config", config, "--clock", "virtual"});
    for (int i = 0; i < 3; ++i) CreateE(emu);
    CHECK(emu.Get("/_emulator/journal").json()["entries"].size() == 2);  // the ring keeps 2
  }
  std::ifstream in(file);
  std::string line;
  int requests = 0, states = 0;
  while (std::getline(in, line)) {
    nlohmann::json e = nlohmann::json::parse(line);
    requests += e["kind"] == "request";
    states += e["kind"] == "state";
  }
  CHECK(requests == 3);
  CHECK(states == 3);  // each task entered waiting
}


// Regression (review): an admin action at the exact instant a stage began shrank that
// already-reported stage to nothing, and every earlier state was journaled again.
TEST_CASE("an admin action at a stage boundary does not replay reported states") {
  Fixture f;
  std::string id = CreateE(f.emu);
  f.emu.Advance(1);  // exactly the queuing instant (fixed timings)
  CHECK(f.emu.Get("/_emulator/tasks/" + id).json()["state"] == "queuing");
  CHECK(f.emu.Post("/_emulator/tasks/" + id + "/advance", "{}").json()["state"] == "generating");
  const nlohmann::json journal = f.emu.Get("/_emulator/journal?kind=state&task_id=" + id).json();
  std::string states;
  for (const auto& e : journal["entries"]) states += e["state"]["state"].get<std::string>() + " ";
  CHECK(states == "waiting queuing generating ");
}

// Regression (review): a profile change while a task ran reset `used` to 0, so the
// task's later refund drove it negative.
TEST_CASE("changing a profile keeps running tasks reserved") {
  Fixture f;
  httplib::Headers h{{"Authorization", "Bearer key-p"}, {"X-Emulator-Scenario", "generation_failed"}};
  REQUIRE(f.emu.Request("POST", "/v1/videos/generations", kEvo, h, "application/json").status == 200);
  nlohmann::json put = f.emu.Request("PUT", "/_emulator/keys/key-p", R"({"credits":100})", {}, "application/json").json();
  CHECK(put["balance"] == nlohmann::json{{"remaining", 95}, {"used", 5}});
  f.emu.Advance(20);  // the task fails: refunded
  nlohmann::json c = f.emu.Get("/v1/credits", "key-p").json()["data"]["user"];
  CHECK(c["remaining_credits"] == 100);
  CHECK(c["used_credits"] == 0);
}

}  // namespace
}  // namespace imagine::testing
