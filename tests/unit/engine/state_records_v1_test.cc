// Issue 25: state directories of format version 1 wrote positional arrays (a task's charge
// and timeline, an account's reservations, the scenarios' chaos); format 2 writes objects.
// Records of version 1 still restore the same engine — built here from a live engine's log,
// and read from tests/fixtures/state-v1 (written by the emulator before the change) — and a
// positional array that does not match its legacy definition is refused with field and rule.
#include <doctest/doctest.h>

#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/state_record_schema.h"
#include "engine/state_records.h"
#include "unit/engine/engine_test_support.h"

namespace imagine {
namespace {

using json = nlohmann::json;

std::string SerialId(Random& random, int64_t) { return "t" + std::to_string(random.Next() % 1000000007ULL); }

using testing::MemoryLog;

std::vector<ScenarioDef> Catalog() {
  ScenarioDef slow;
  slow.name = "slow";
  slow.stages = kStageLifecycle;
  ScenarioDef policy;
  policy.name = "content_policy_violation";
  policy.stages = kStageLifecycle;
  ScenarioDef not_ready;
  not_ready.name = "record_not_ready";
  not_ready.stages = kStageQuery;
  return {slow, policy, not_ready};
}

EngineOptions Options() {
  EngineOptions o;
  o.seed = 42;
  return o;
}

// What a restored engine shows: its tasks whole, balances, rules, chaos, clock and next id.
std::string Fingerprint(Engine& e, const std::vector<std::string>& keys) {
  std::string out = "now=" + std::to_string(e.NowMs()) + "\n";
  Engine::TaskFilter all;
  all.limit = 1000;
  size_t total = 0;
  for (const Task& t : e.ListTasks(all, &total)) out += TaskToStateJson(t).dump() + "\n";
  for (const std::string& key : keys) {
    const Balance b = e.BalanceOf(key, e.NowMs());
    out += key + ": " + std::to_string(b.remaining) + "/" + std::to_string(b.used) + "\n";
  }
  out += e.scenarios().ExportState().dump() + "\n";
  ModelOptions model;
  model.price = 1;
  NewTask next;
  next.owner_key = "next";
  next.model = &model;
  next.reported_model = "m";
  auto created = e.CreateTask(next, &SerialId);
  out += created.ok() ? created->id + " " + std::to_string(created->timeline.finished_ms) : created.status().message();
  return out;
}

// `record` as format version 1 wrote it.
json ToV1(json record) {
  auto timeline = [](json& task) {
    const json t = task["timeline"];
    task["timeline"] = {t["created"], t["queuing"], t["generating"], t["finished"], t["outcome"]};
  };
  const std::string kind = record["t"];
  if (record.contains("task")) timeline(record["task"]);
  if (kind == "task") {
    const json c = record["charge"];
    record["charge"] = {c["ticket"], c["counter"], c["price"], c["at"], c["burst"], c["hourly"]};
  }
  if (kind == "account") {
    for (json& r : record["usage"]["active"]) r = {r["ticket"], r["task"], r["counter"], r["price"], r["finish"], r["outcome"]};
  }
  if (kind == "scenarios") {
    json pairs = json::array();
    for (const auto& [name, p] : record["state"]["chaos"].items()) pairs.push_back({name, p});
    record["state"]["chaos"] = pairs;
  }
  return record;
}

// Applies `lines` to `e`, requiring each to read (the snapshot's header and end line are the
// state directory's: only checked against the schema here).
void Restore(Engine& e, const std::vector<json>& lines) {
  for (const json& r : lines) {
    INFO(r.dump());
    const std::string kind = r["t"];
    if (kind == "snapshot" || kind == "end") {
      CHECK(CheckStateRecord(kind, r).ok());
      continue;
    }
    REQUIRE(e.ApplyStateRecord(r).ok());
  }
}

std::vector<json> ReadLines(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  std::vector<json> out;
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
  return out;
}

}  // namespace

TEST_CASE("issue 25: records in format version 1's positional form restore the engine their current form restores") {
  MemoryLog log;
  Engine live(Options(), std::make_unique<VirtualClock>(1'000'000), {}, Catalog());
  live.SetStateLog(&log);
  REQUIRE(live.SetChaos({{"slow", 0.5}}).ok());
  ModelOptions model;
  model.timing = {1, 1, 2, 2, 10, 20};
  model.price = 3;
  for (int i = 0; i < 5; ++i) {
    NewTask t;
    t.owner_key = i % 2 ? "a" : "b";
    t.model = &model;
    t.reported_model = "m";
    REQUIRE(live.CreateTask(t, &SerialId).ok());
  }
  REQUIRE(live.AdvanceClock(4'000).ok());
  std::vector<json> current;
  for (const std::string& r : log.records) current.push_back(json::parse(r));
  REQUIRE(live.WriteStateSnapshot(
                  [&](const std::string& r) {
                    current.push_back(json::parse(r));
                    return Status::Ok();
                  },
                  [] { return Status::Ok(); })
              .ok());

  std::vector<json> v1;
  int converted = 0;
  for (const json& r : current) {
    v1.push_back(ToV1(r));
    json upgraded;
    auto legacy = UpgradeStateRecord(r["t"].get<std::string>(), v1.back(), &upgraded);
    REQUIRE(legacy.ok());
    if (!*legacy) continue;
    ++converted;
    CHECK(upgraded == r);  // exactly the record of the current form
  }
  CHECK(converted >= 10);  // 5 creates, their stored copies, 2 accounts, the scenarios
  Engine from_current(Options(), std::make_unique<VirtualClock>(5), {}, Catalog());
  Engine from_v1(Options(), std::make_unique<VirtualClock>(5), {}, Catalog());
  Restore(from_current, current);
  Restore(from_v1, v1);
  CHECK(Fingerprint(from_v1, {"a", "b"}) == Fingerprint(from_current, {"a", "b"}));
}

TEST_CASE("issue 25: the state directory an emulator of format version 1 wrote restores, and snapshots in the current form") {
  const std::string dir = std::string(IMAGINE_SOURCE_DIR) + "/tests/fixtures/state-v1/";
  std::vector<json> lines = ReadLines(dir + "snapshot.jsonl");
  CHECK(lines.front()["version"] == 1);
  for (json& r : ReadLines(dir + "log-2.jsonl")) lines.push_back(std::move(r));
  Engine restored(Options(), std::make_unique<VirtualClock>(5), {}, Catalog());
  Restore(restored, lines);
  CHECK(restored.task_count() == 8);
  CHECK(restored.NowMs() == 1760000007500);
  const Balance vip = restored.BalanceOf("vip", restored.NowMs());
  CHECK(vip.remaining == 27);  // what that emulator showed (expected.json keys.vip.balance)
  CHECK(vip.used == 15);
  REQUIRE(restored.scenarios().rules().size() == 1);
  CHECK(restored.scenarios().rules()[0].id == 2);
  CHECK(restored.scenarios().chaos() == std::map<std::string, double>{{"slow", 0.5}});

  std::vector<json> snapshot;
  REQUIRE(restored.WriteStateSnapshot(
                      [&](const std::string& r) {
                        snapshot.push_back(json::parse(r));
                        return Status::Ok();
                      },
                      [] { return Status::Ok(); })
              .ok());
  for (const json& r : snapshot) {
    INFO(r.dump());
    json upgraded;
    auto legacy = UpgradeStateRecord(r["t"].get<std::string>(), r, &upgraded);
    REQUIRE(legacy.ok());
    CHECK(!*legacy);
    CHECK(CheckStateRecord(r["t"].get<std::string>(), r).ok());
  }
  Engine again(Options(), std::make_unique<VirtualClock>(5), {}, Catalog());
  Restore(again, snapshot);
  const std::vector<std::string> keys = {"vip", "ruled", "polled", "k"};
  CHECK(Fingerprint(again, keys) == Fingerprint(restored, keys));
}

TEST_CASE("issue 25: the fuzz seed of every record kind in format 2 reads back as its format-1 twin does") {
  const std::string seeds = std::string(IMAGINE_SOURCE_DIR) + "/tests/fuzz/state/";
  Engine from_v1(Options(), std::make_unique<VirtualClock>(5), {}, Catalog());
  Engine from_v2(Options(), std::make_unique<VirtualClock>(5), {}, Catalog());
  Restore(from_v1, ReadLines(seeds + "every-kind.jsonl"));
  const std::vector<json> v2 = ReadLines(seeds + "every-kind-v2.jsonl");
  CHECK(v2.size() == 19);
  Restore(from_v2, v2);
  CHECK(from_v2.scenarios().chaos_draws() == 2);
  CHECK(Fingerprint(from_v2, {"a", "b", "c"}) == Fingerprint(from_v1, {"a", "b", "c"}));
}

TEST_CASE("issue 25: a positional array that does not match format version 1 is refused with its field and rule") {
  const std::string task =
      R"({"id":"x1","provider":"evolink","key":"a","model":"m","request":"{}","output":{"kind":"video","count":1,)"
      R"("quality_p":480,"duration_s":6,"upscaled":false},"credits":3.0,"seen":"waiting",)";
  struct Row {
    std::string record;
    std::string message;
  };
  const std::vector<Row> rows = {
      {R"({"t":"task","seq":0,"charge":[1,"m",3.0,1000,true],"task":)" + task +
           R"("timeline":[1000,2000,3000,9000,"succeeded"]}})",
       "task: must have at least 6 items (field charge, rule minItems, got [1,\"m\",3.0,1000,true])"},
      {R"({"t":"task","seq":0,"charge":[1,"m",-3,1000,true,true],"task":)" + task +
           R"("timeline":[1000,2000,3000,9000,"succeeded"]}})",
       "task: must be greater than or equal to 0 (field charge[2], rule minimum, got -3)"},
      {R"({"t":"stored","task":)" + task + R"("timeline":[1000,2000,3000,9000,"queuing"]}})",
       "stored: the outcome must be succeeded or failed (field task.timeline[4], rule enum, got \"queuing\")"},
      {R"({"t":"account","key":"k","usage":{"remaining":5,"used":0,"next_ticket":2,"active":[[1,"a","m",5.0,10,"odd"]],)"
       R"("created":{},"recent":[]}})",
       "account: unknown state (field usage.active[0][5], rule enum, got \"odd\")"},
      {R"({"t":"scenarios","state":{"rules":[],"next_rule_id":1,"chaos":[["slow",2]],"chaos_draws":0}})",
       "scenarios: must be less than or equal to 1 (field state.chaos[0][1], rule maximum, got 2)"},
  };
  Engine engine(Options(), std::make_unique<VirtualClock>(5), {}, Catalog());
  for (const Row& row : rows) {
    INFO(row.record);
    CHECK(engine.ApplyStateRecord(json::parse(row.record)).message() == row.message);
  }
  CHECK(engine.task_count() == 0);
}

}  // namespace imagine
