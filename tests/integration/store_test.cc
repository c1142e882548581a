// The bounded task store over real HTTP (tasks.max_stored / --max-stored-tasks): the task
// that finished earliest is evicted and then answers as unknown in each provider's words;
// running tasks are never evicted, and a store full of them refuses creates with the
// provider's rate-limit error, charging nothing. Evictions show in health and metrics.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "support/emulator_process.h"
#include "support/test_configs.h"

namespace imagine::testing {
namespace {

const std::string kEvo = R"({"model":"grok-imagine-text-to-video","prompt":"x"})";
const std::string kT2V = R"({"model":"grok-imagine/text-to-video","input":{"prompt":"x"}})";

double MetricValue(const std::string& text, const std::string& name) {
  const std::string line = "\n" + name + " ";
  size_t at = text.find(line);
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + line.size()));
}

TEST_CASE("Evolink: a full store evicts the earliest finished task, and refuses creates while all are running") {
  const std::string config = WriteTempFile(kFixedTimingConfig);
  EmulatorProcess emu({"--config", config, "--max-stored-tasks", "3"});
  std::string ids[3];
  for (int i = 0; i < 3; ++i) {
    Reply r = emu.Post("/v1/videos/generations", kEvo, "key-evo");
    REQUIRE(r.status == 200);
    ids[i] = r.json()["id"];
    emu.Advance(1);  // each finishes one second after the one before
  }
  const double before = emu.Get("/v1/credits", "key-evo").json()["data"]["user"]["remaining_credits"].get<double>();

  // Three running tasks fill the store: the provider's rate-limit answer, nothing charged.
  Reply full = emu.Post("/v1/videos/generations", kEvo, "key-evo");
  CHECK(full.status == 429);
  CHECK(full.json()["error"]["code"] == "rate_limit_exceeded");
  CHECK(full.json()["error"]["type"] == "rate_limit_error");
  CHECK(emu.Get("/v1/credits", "key-evo").json()["data"]["user"]["remaining_credits"].get<double>() == before);
  CHECK(emu.Get("/_emulator/health").json()["tasks"] == 3);

  emu.Advance(8);  // 11 s after the first create: only ids[0] has finished
  Reply created = emu.Post("/v1/videos/generations", kEvo, "key-evo");
  REQUIRE(created.status == 200);
  Reply gone = emu.Get("/v1/tasks/" + ids[0], "key-evo");
  CHECK(gone.status == 404);
  CHECK(gone.json()["error"]["code"] == "task_not_found");
  CHECK(emu.Get("/v1/tasks/" + ids[1], "key-evo").status == 200);  // still running: kept
  CHECK(emu.Get("/v1/tasks/" + ids[2], "key-evo").status == 200);
  CHECK(emu.Get("/_emulator/tasks/" + ids[0]).status == 404);

  nlohmann::json health = emu.Get("/_emulator/health").json();
  CHECK(health["tasks"] == 3);
  CHECK(health["tasks_evicted"] == 1);
  CHECK(health["max_stored_tasks"] == 3);
  const std::string metrics = emu.Get("/_emulator/metrics").body;
  CHECK(MetricValue(metrics, "imagine_tasks_evicted_total{reason=\"count\"}") == 1);
  CHECK(MetricValue(metrics, "imagine_tasks_evicted_total{reason=\"bytes\"}") == 0);
  CHECK(MetricValue(metrics, "imagine_tasks_max_stored") == 3);
  CHECK(emu.Get("/_emulator/tasks").json()["total"] == 3);

  // Everything finishes: each new create evicts the earliest finished, oldest first,
  // until the store holds only the new, running tasks.
  emu.Advance(30);
  Reply next = emu.Post("/v1/videos/generations", kEvo, "key-evo");
  REQUIRE(next.status == 200);
  CHECK(emu.Get("/v1/tasks/" + ids[1], "key-evo").status == 404);
  CHECK(emu.Get("/v1/tasks/" + ids[2], "key-evo").status == 200);
  for (int i = 0; i < 2; ++i) REQUIRE(emu.Post("/v1/videos/generations", kEvo, "key-evo").status == 200);
  CHECK(emu.Get("/v1/tasks/" + ids[2], "key-evo").status == 404);
  CHECK(emu.Get("/v1/tasks/" + created.json()["id"].get<std::string>(), "key-evo").status == 404);
  CHECK(emu.Post("/v1/videos/generations", kEvo, "key-evo").status == 429);
  CHECK(emu.Get("/_emulator/health").json()["tasks_evicted"] == 4);
  CHECK(emu.Get("/_emulator/health").json()["tasks"] == 3);
}

TEST_CASE("Apikley: an evicted task reads as unknown, a store of running tasks answers the rate-limit code") {
  const std::string config = WriteTempFile(kFixedTimingConfig);
  EmulatorProcess emu({"--config", config, "--max-stored-tasks", "2"});
  std::string ids[2];
  for (std::string& id : ids) {
    Reply r = emu.Post("/api/v1/jobs/createTask", kT2V, "key-apk");
    REQUIRE(r.json()["code"] == 200);
    id = r.json()["data"]["taskId"];
    emu.Advance(1);
  }
  const std::string credit = emu.Get("/api/v1/chat/credit", "key-apk").body;
  Reply full = emu.Post("/api/v1/jobs/createTask", kT2V, "key-apk");
  CHECK(full.json()["code"] == 429);
  CHECK(full.json()["msg"] == "Rate limit exceeded");
  CHECK(emu.Get("/api/v1/chat/credit", "key-apk").body == credit);

  emu.Advance(8);  // 10 s after the first create: it has finished, the second has not
  Reply ok = emu.Post("/api/v1/jobs/createTask", kT2V, "key-apk");
  REQUIRE(ok.json()["code"] == 200);
  Reply gone = emu.Get("/api/v1/jobs/recordInfo?taskId=" + ids[0], "key-apk");
  CHECK(gone.json()["code"] == 422);
  CHECK(gone.json()["msg"] == "recordInfo is null");
  CHECK(emu.Get("/api/v1/jobs/recordInfo?taskId=" + ids[1], "key-apk").json()["code"] == 200);
  CHECK(emu.Get("/_emulator/health").json()["tasks_evicted"] == 1);
}

// Issue 22 §4: a request body with a large unknown field is stored whole, so a bound by count
// alone let 3 000 such creates hold 2.7 GB. tasks.max_stored_bytes bounds the bytes.
TEST_CASE("tasks.max_stored_bytes: big requests evict the earliest finished tasks, and are refused while the rest run") {
  const std::string config =
      WriteTempFile(std::string(kFixedTimingConfig) + "tasks: {max_stored_bytes: 200000}\n");
  EmulatorProcess emu({"--config", config});
  const std::string big = R"({"model":"grok-imagine-text-to-video","prompt":"x","x-pad":")" + std::string(60000, 'p') + R"("})";
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {  // 3 x ~60 KB fit in 200 000 bytes
    Reply r = emu.Post("/v1/videos/generations", big, "key-big");
    REQUIRE(r.status == 200);
    ids.push_back(r.json()["id"]);
    emu.Advance(1);
  }
  nlohmann::json health = emu.Get("/_emulator/health").json();
  CHECK(health["tasks"] == 3);
  CHECK(health["stored_task_bytes"].get<size_t>() > 180000);
  CHECK(health["stored_task_bytes"].get<size_t>() <= 200000);
  CHECK(health["max_stored_bytes"] == 200000);
  const double before = emu.Get("/v1/credits", "key-big").json()["data"]["user"]["remaining_credits"].get<double>();

  // A fourth does not fit while all three run: the rate-limit answer, nothing charged, nothing stored.
  Reply full = emu.Post("/v1/videos/generations", big, "key-big");
  CHECK(full.status == 429);
  CHECK(full.json()["error"]["code"] == "rate_limit_exceeded");
  CHECK(emu.Get("/v1/credits", "key-big").json()["data"]["user"]["remaining_credits"].get<double>() == before);
  CHECK(emu.Get("/_emulator/health").json()["tasks"] == 3);
  // Small tasks still fit in what is left.
  REQUIRE(emu.Post("/v1/videos/generations", kEvo, "key-small").status == 200);

  emu.Advance(8);  // 11 s after the first create: only ids[0] has finished
  REQUIRE(emu.Post("/v1/videos/generations", big, "key-big").status == 200);
  CHECK(emu.Get("/v1/tasks/" + ids[0], "key-big").status == 404);  // evicted for bytes
  CHECK(emu.Get("/v1/tasks/" + ids[1], "key-big").status == 200);
  health = emu.Get("/_emulator/health").json();
  CHECK(health["tasks_evicted"] == 1);
  CHECK(health["tasks_evicted_by"] == nlohmann::json{{"count", 0}, {"bytes", 1}});
  CHECK(health["stored_task_bytes"].get<size_t>() <= 200000);
  const std::string metrics = emu.Get("/_emulator/metrics").body;
  CHECK(MetricValue(metrics, "imagine_tasks_evicted_total{reason=\"bytes\"}") == 1);
  CHECK(MetricValue(metrics, "imagine_tasks_evicted_total{reason=\"count\"}") == 0);
  CHECK(MetricValue(metrics, "imagine_tasks_max_stored_bytes") == 200000);
  CHECK(MetricValue(metrics, "imagine_tasks_stored_bytes") == health["stored_task_bytes"].get<double>());
}

TEST_CASE("tasks.max_stored_bytes: a request larger than the whole bound is refused in the provider's words") {
  const std::string config = WriteTempFile(std::string(kFixedTimingConfig) + "tasks: {max_stored_bytes: 4096}\n");
  EmulatorProcess emu({"--config", config});
  const std::string pad(5000, 'p');
  Reply evo = emu.Post("/v1/videos/generations",
                       R"({"model":"grok-imagine-text-to-video","prompt":"x","x-pad":")" + pad + R"("})", "k");
  CHECK(evo.status == 429);
  Reply apk = emu.Post("/api/v1/jobs/createTask",
                       R"({"model":"grok-imagine/text-to-video","input":{"prompt":"x"},"x-pad":")" + pad + R"("})", "k");
  CHECK(apk.json()["code"] == 429);
  CHECK(emu.Get("/_emulator/health").json()["tasks"] == 0);
  CHECK(emu.Post("/v1/videos/generations", kEvo, "k").status == 200);
  auto [code, out] = RunToExit({"--config", WriteTempFile("tasks: {max_stored_bytes: 100}\n")});
  CHECK(code != 0);
  CHECK(out.find("tasks.max_stored_bytes: must be an integer from 4096 to 1099511627776 bytes") != std::string::npos);
}

TEST_CASE("tasks.max_stored: bounds checked in the config and on the command line") {
  auto [code, out] = RunToExit({"--max-stored-tasks", "0"});
  CHECK(code != 0);
  CHECK(out.find("--max-stored-tasks: must be an integer from 1 to 100000000 (got \"0\")") != std::string::npos);
  const std::string config = WriteTempFile("tasks: {max_stored: -1}\n");
  auto [code2, out2] = RunToExit({"--config", config});
  CHECK(code2 != 0);
  CHECK(out2.find("tasks.max_stored: must be an integer from 1 to 100000000") != std::string::npos);
  EmulatorProcess emu({"--clock", "virtual", "--max-stored-tasks", "5"});
  CHECK(emu.Get("/_emulator/config").json()["tasks"]["max_stored"] == 5);
}

}  // namespace
}  // namespace imagine::testing

namespace imagine::testing {
namespace {

TEST_CASE("journal: a request's headers are kept within max_body_bytes, and the journal within max_bytes") {
  const std::string config = WriteTempFile("clock: {mode: virtual}\njournal: {max_body_bytes: 2048, max_bytes: 65536}\n");
  EmulatorProcess emu({"--config", config});
  httplib::Headers headers{{"Authorization", "Bearer key-j"}};
  // 12 x 4 KB: well over max_body_bytes, under the front end's 64 KiB header limit (431).
  for (int h = 0; h < 12; ++h) headers.emplace("X-Pad-" + std::to_string(h), std::string(4000, 'p'));
  for (int i = 0; i < 40; ++i) {
    Reply r = emu.Request("GET", "/v1/tasks/task-unified-1757169743-7cvnl5zw", "", headers, "");
    INFO(r.body);
    REQUIRE(r.status == 404);
  }
  nlohmann::json journal = emu.Get("/_emulator/journal?limit=1000").json();
  REQUIRE(!journal["entries"].empty());
  for (const nlohmann::json& e : journal["entries"]) {
    size_t bytes = 0;
    for (const auto& [k, v] : e["request_headers"].items()) bytes += k.size() + v.get<std::string>().size();
    CHECK(bytes < 2200);  // 2048 and the notes
    CHECK(e["request_headers"].contains("…"));
  }
  CHECK(journal["entries"].size() < 40);  // 40 entries of > 2 KB each do not fit in 64 KiB
  CHECK(journal["dropped"].get<int>() == 40 - static_cast<int>(journal["entries"].size()));
  const std::string metrics = emu.Get("/_emulator/metrics").body;
  CHECK(MetricValue(metrics, "imagine_journal_bytes") <= 65536);
  CHECK(MetricValue(metrics, "imagine_journal_bytes") > 0);
}

}  // namespace
}  // namespace imagine::testing
