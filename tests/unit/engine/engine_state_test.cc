// The engine's state records: what one engine logs while it runs, and the snapshot it
// writes, rebuild an identical engine (tasks, balances, rules, clock, id sequence), and a
// change whose record cannot be written is undone and refused, whatever its kind (issue 22
// §3). No files: a StateLog kept in memory.
#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <functional>
#include <mutex>
#include <vector>

#include "engine/engine.h"
#include "engine/state_records.h"
#include "unit/engine/engine_test_support.h"

namespace imagine {
namespace {

std::string CountingId(Random& random, int64_t) { return "t" + std::to_string(random.Next() % 1000000007ULL); }

using testing::MemoryLog;

struct Fixture {
  Fixture() : engine(Options(), std::make_unique<VirtualClock>(1'000'000)) {
    model.name = "m";
    model.timing = {1, 1, 2, 2, 10, 20};
    model.price = 3;
  }
  static EngineOptions Options() {
    EngineOptions o;
    o.seed = 11;
    return o;
  }
  NewTask Spec(const std::string& key) {
    NewTask t;
    t.owner_key = key;
    t.model = &model;
    t.reported_model = "m";
    t.request_json = R"({"prompt":"x"})";
    t.callback_url = "https://example.com/hook";
    return t;
  }
  ModelOptions model;
  Engine engine;
};

// Everything a client or the admin API could see of an engine, as text.
std::string Fingerprint(Engine& e) {
  std::string out = "now=" + std::to_string(e.NowMs()) + " tasks=" + std::to_string(e.task_count()) + "\n";
  Engine::TaskFilter all;
  all.limit = 1000;
  size_t total = 0;
  for (const Task& t : e.ListTasks(all, &total)) {
    out += TaskToStateJson(t).dump() + " state=" + TaskStateName(t.timeline.StateAt(e.NowMs())) + "\n";
  }
  for (const char* key : {"a", "b", "c"}) {
    Balance b = e.BalanceOf(key, e.NowMs());
    out += std::string(key) + ": " + std::to_string(b.remaining) + "/" + std::to_string(b.used) + " " +
           std::to_string(e.accounts().ProfileFor(key)->credits) + "\n";
  }
  for (const ScenarioRule& r : e.scenarios().rules()) out += "rule " + std::to_string(r.id) + " " + std::to_string(r.times) + "\n";
  return out;
}

std::vector<ScenarioDef> Catalog() {
  ScenarioDef fail;
  fail.name = "fail";
  fail.stages = kStageLifecycle;
  fail.params = {{"fail", "generation_failed"}, {"fail_at", "generating"}};
  return {fail};
}

}  // namespace

TEST_CASE("replaying an engine's log rebuilds the same engine, and so does its snapshot") {
  MemoryLog log;
  Fixture run;  // its model and specs
  Engine live(Fixture::Options(), std::make_unique<VirtualClock>(1'000'000), {}, Catalog());
  live.SetStateLog(&log);
  auto spec = [&](const std::string& key) { return run.Spec(key); };
  for (int i = 0; i < 6; ++i) REQUIRE(live.CreateTask(spec(i % 2 ? "a" : "b"), &CountingId).ok());
  KeyProfile rich;
  rich.credits = 50;
  REQUIRE(live.SetKeyProfile("c", rich).ok());
  REQUIRE(live.CreateTask(spec("c"), &CountingId).ok());
  ScenarioRule rule;
  rule.scenario = "fail";
  rule.key = "c";
  rule.times = 3;
  REQUIRE(live.AddScenarioRule(rule).ok());
  ScenarioContext ctx;
  ctx.key = "c";
  ctx.model = "m";
  auto armed = live.SelectScenario(ctx);
  REQUIRE(armed.ok());
  REQUIRE(armed->has_value());
  NewTask failing = spec("c");
  failing.scenario = &**armed;
  REQUIRE(live.CreateTask(std::move(failing), &CountingId).ok());  // the rule has 2 matches left
  REQUIRE(live.AdvanceClock(5'000).ok());
  Engine::TaskFilter of_a;
  of_a.key = "a";
  size_t total = 0;
  const std::string first_of_a = live.ListTasks(of_a, &total).back().id;
  REQUIRE(live.CancelTask(first_of_a).ok());
  REQUIRE(live.CreateTask(spec("b"), &CountingId).ok());
  REQUIRE(live.AdvanceClock(25'000).ok());
  REQUIRE(live.Reset("b").ok());
  REQUIRE(live.CreateTask(spec("a"), &CountingId).ok());
  CHECK(live.BalanceOf("a", live.NowMs()).used == 3 * 3);  // 3 of a's 4 tasks kept their price
  CHECK(live.BalanceOf("c", live.NowMs()).remaining == 47);  // the failed one was refunded
  REQUIRE(live.scenarios().rules().size() == 1);
  CHECK(live.scenarios().rules()[0].times == 2);

  const std::string expected = Fingerprint(live);
  {  // from the log alone
    Engine replayed(Fixture::Options(), std::make_unique<VirtualClock>(5), {}, Catalog());
    for (const std::string& r : log.records) REQUIRE(replayed.ApplyStateRecord(nlohmann::json::parse(r)).ok());
    CHECK(Fingerprint(replayed) == expected);
    // The id sequence goes on: the next create is the live engine's next create.
    auto a = live.CreateTask(spec("a"), &CountingId);
    auto b = replayed.CreateTask(spec("a"), &CountingId);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->id == b->id);
    CHECK(a->timeline.finished_ms == b->timeline.finished_ms);
  }
  {  // from a snapshot
    std::vector<std::string> snapshot;
    bool rotated = false;
    REQUIRE(live.WriteStateSnapshot(
                    [&](const std::string& r) {
                      snapshot.push_back(r);
                      return Status::Ok();
                    },
                    [&] {
                      rotated = true;
                      return Status::Ok();
                    })
                .ok());
    CHECK(rotated);
    Engine restored(Fixture::Options(), std::make_unique<VirtualClock>(5), {}, Catalog());
    for (const std::string& r : snapshot) REQUIRE(restored.ApplyStateRecord(nlohmann::json::parse(r)).ok());
    CHECK(Fingerprint(restored) == Fingerprint(live));
  }
}

TEST_CASE("issue 23: a task restored from a log or a snapshot is still refunded when it is cancelled") {
  // A running task knows its credit reservation (Task::ticket): from its create on a log replay,
  // by task id from the account's usage on a snapshot restore.
  MemoryLog log;
  Fixture run;
  Engine live(Fixture::Options(), std::make_unique<VirtualClock>(1'000'000));
  live.SetStateLog(&log);
  auto first = live.CreateTask(run.Spec("a"), &CountingId);
  auto second = live.CreateTask(run.Spec("a"), &CountingId);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  std::vector<std::string> snapshot;
  REQUIRE(live.WriteStateSnapshot(
                  [&](const std::string& r) {
                    snapshot.push_back(r);
                    return Status::Ok();
                  },
                  [] { return Status::Ok(); })
              .ok());
  for (const std::vector<std::string>* records : {&log.records, &snapshot}) {
    CAPTURE(records == &snapshot);
    Engine restored(Fixture::Options(), std::make_unique<VirtualClock>(5));
    for (const std::string& r : *records) REQUIRE(restored.ApplyStateRecord(nlohmann::json::parse(r)).ok());
    CHECK(restored.BalanceOf("a", restored.NowMs()).used == 6);
    REQUIRE(restored.CancelTask(first->id).ok());
    REQUIRE(restored.AdvanceClock(1).ok());
    CHECK(restored.BalanceOf("a", restored.NowMs()).used == 3);  // the cancelled one's price came back
    REQUIRE(restored.CompleteTask(second->id).ok());
    CHECK(restored.BalanceOf("a", restored.NowMs()).used == 3);
  }
}

TEST_CASE("issue 23: each snapshot names a running task's reservation by the task's id, restore after restore") {
  // The reservation keeps no copy of the id: a snapshot takes it from the stored task with that ticket.
  MemoryLog log;
  Fixture run;
  Engine live(Fixture::Options(), std::make_unique<VirtualClock>(1'000'000));
  live.SetStateLog(&log);
  auto running = live.CreateTask(run.Spec("a"), &CountingId);
  REQUIRE(running.ok());
  auto snapshot_of = [](Engine& e) {
    std::vector<std::string> records;
    REQUIRE(e.WriteStateSnapshot(
                 [&](const std::string& r) {
                   records.push_back(r);
                   return Status::Ok();
                 },
                 [] { return Status::Ok(); })
                .ok());
    return records;
  };
  auto active_tasks = [](const std::vector<std::string>& records) {
    std::vector<std::string> tasks;
    for (const std::string& r : records) {
      const nlohmann::json j = nlohmann::json::parse(r);
      if (j["t"] != "account") continue;
      for (const auto& res : j["usage"]["active"]) tasks.push_back(res["task"].get<std::string>());
    }
    return tasks;
  };
  std::vector<std::string> snapshot = snapshot_of(live);
  CHECK(active_tasks(snapshot) == std::vector<std::string>{running->id});
  for (int generation = 1; generation <= 2; ++generation) {
    CAPTURE(generation);
    Engine restored(Fixture::Options(), std::make_unique<VirtualClock>(5));
    for (const std::string& r : snapshot) REQUIRE(restored.ApplyStateRecord(nlohmann::json::parse(r)).ok());
    snapshot = snapshot_of(restored);  // the restored task carries its ticket now
    CHECK(active_tasks(snapshot) == std::vector<std::string>{running->id});
    CHECK(restored.GetTask(running->id)->ticket != 0);
    REQUIRE(restored.CancelTask(running->id).ok());
    REQUIRE(restored.AdvanceClock(1).ok());
    CHECK(restored.BalanceOf("a", restored.NowMs()).used == 0);  // refunded
  }
}

TEST_CASE("a create whose record cannot be written is undone and refused") {
  MemoryLog log;
  Fixture f;
  f.engine.SetStateLog(&log);
  REQUIRE(f.engine.CreateTask(f.Spec("a"), &CountingId).ok());
  log.fail = true;
  auto refused = f.engine.CreateTask(f.Spec("a"), &CountingId);
  CHECK(refused.status().code() == Code::kInternal);
  CHECK(refused.status().violation().rule == "state_dir");
  CHECK(refused.status().message().find("disk full") != std::string::npos);
  CHECK(f.engine.task_count() == 1);
  const Balance b = f.engine.BalanceOf("a", f.engine.NowMs());
  CHECK(b.used == 3);  // the refused create's price came back
}

// Counts the tasks the engine reports finished.
class FinishCounter : public TaskObserver {
 public:
  void OnTaskFinished(const Task&, int64_t) override { ++finished; }
  std::atomic<int> finished{0};
};

// Fingerprint, plus what it leaves out that a change below touches.
std::string FullFingerprint(Engine& e) {
  std::string out = Fingerprint(e) + "timers " + std::to_string(e.timers().pending()) + "\n";  // a task's watch
  for (const auto& [name, p] : e.scenarios().chaos()) out += "chaos " + name + " " + std::to_string(p) + "\n";
  for (const char* key : {"a", "b", "c"}) out += std::string(key) + " group " + e.accounts().ProfileFor(key)->user_group + "\n";
  return out;
}

TEST_CASE("issue 22: every answered change whose record cannot be written is undone and refused") {
  struct Change {
    const char* name;
    std::function<Status(Engine&, const std::string& running, uint64_t rule)> make;
  };
  KeyProfile rich;
  rich.credits = 50;
  rich.user_group = "vip";
  ScenarioRule new_rule;
  new_rule.scenario = "fail";
  new_rule.key = "b";
  const std::vector<Change> changes = {
      {"complete", [](Engine& e, const std::string& id, uint64_t) { return e.CompleteTask(id).status(); }},
      {"fail", [](Engine& e, const std::string& id, uint64_t) { return e.FailTask(id, "", "", "").status(); }},
      {"cancel", [](Engine& e, const std::string& id, uint64_t) { return e.CancelTask(id).status(); }},
      {"advance a task", [](Engine& e, const std::string& id, uint64_t) { return e.AdvanceTask(id).status(); }},
      {"put a key profile", [&](Engine& e, const std::string&, uint64_t) { return e.SetKeyProfile("c", rich); }},
      {"add a scenario rule", [&](Engine& e, const std::string&, uint64_t) { return e.AddScenarioRule(new_rule).status(); }},
      {"delete a scenario rule", [](Engine& e, const std::string&, uint64_t rule) { return e.RemoveScenarioRule(rule); }},
      {"clear the scenario rules", [](Engine& e, const std::string&, uint64_t) { return e.ClearScenarioRules().status(); }},
      {"set chaos", [](Engine& e, const std::string&, uint64_t) { return e.SetChaos({{"fail", 0.5}}); }},
      {"advance the clock", [](Engine& e, const std::string&, uint64_t) { return e.AdvanceClock(60'000); }},
      {"reset a key", [](Engine& e, const std::string&, uint64_t) { return e.Reset("a").status(); }},
      {"reset everything", [](Engine& e, const std::string&, uint64_t) { return e.Reset("", true).status(); }},
  };
  for (const Change& change : changes) {
    SUBCASE(change.name) {
      MemoryLog log;
      Fixture run;
      Engine live(Fixture::Options(), std::make_unique<VirtualClock>(1'000'000), {}, Catalog());
      FinishCounter finishes;
      live.SetObserver(&finishes);
      live.SetStateLog(&log);
      auto created = live.CreateTask(run.Spec("a"), &CountingId);
      REQUIRE(created.ok());
      ScenarioRule rule;
      rule.scenario = "fail";
      rule.key = "c";
      rule.times = 3;
      auto added = live.AddScenarioRule(rule);
      REQUIRE(added.ok());
      rule.key = "b";
      REQUIRE(live.AddScenarioRule(rule).ok());  // after the one deleted: a refused delete keeps their order
      const std::string before = FullFingerprint(live);
      const size_t records = log.records.size();

      log.fail = true;
      const Status refused = change.make(live, created->id, added->id);
      CHECK(refused.code() == Code::kInternal);
      CHECK(refused.violation().rule == "state_dir");
      CHECK(refused.message() == "the change could not be written to the state directory, so it was not made: disk full");
      CHECK(FullFingerprint(live) == before);  // nothing of it stays
      CHECK(log.records.size() == records);

      log.fail = false;  // room again: the same change is made and kept
      CHECK(change.make(live, created->id, added->id).ok());
      CHECK(FullFingerprint(live) != before);
      CHECK(live.AdvanceClock(60'000).ok());
      CHECK(finishes.finished == (std::string(change.name).find("reset") == 0 ? 0 : 1));
      Engine replayed(Fixture::Options(), std::make_unique<VirtualClock>(5), {}, Catalog());
      for (const std::string& r : log.records) CHECK(replayed.ApplyStateRecord(nlohmann::json::parse(r)).ok());
      CHECK(FullFingerprint(replayed) == FullFingerprint(live));
    }
  }
}

TEST_CASE("issue 22: a time-scale change whose record cannot be written is undone and refused") {
  MemoryLog log;
  Engine live(Fixture::Options(), std::make_unique<RealClock>(1.0, 1'000'000));
  live.SetStateLog(&log);
  log.fail = true;
  const Status refused = live.SetTimeScale(50);
  CHECK(refused.code() == Code::kInternal);
  CHECK(refused.violation().rule == "state_dir");
  CHECK(live.clock().time_scale() == 1.0);
  CHECK(log.records.empty());
  log.fail = false;
  REQUIRE(live.SetTimeScale(50).ok());
  CHECK(live.clock().time_scale() == 50.0);
  REQUIRE(log.records.size() == 1);
  CHECK(nlohmann::json::parse(log.records[0])["scale"] == 50.0);
}

TEST_CASE("every record kind of the fuzz seed reads back (so the fuzzer starts from valid records)") {
  ScenarioDef slow;
  slow.name = "slow";
  slow.stages = kStageLifecycle;
  Engine with_slow(Fixture::Options(), std::make_unique<VirtualClock>(5), {}, {slow});
  std::ifstream in(std::string(IMAGINE_SOURCE_DIR) + "/tests/fuzz/state/every-kind.jsonl");
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    INFO(line);
    CHECK(with_slow.ApplyStateRecord(nlohmann::json::parse(line)).ok());
    ++n;
  }
  CHECK(n == 19);
  CHECK(with_slow.BalanceOf("c", with_slow.NowMs()).remaining == 5);
  CHECK(with_slow.scenarios().chaos_draws() == 2);  // the last line replaces the scenarios state whole
  CHECK(with_slow.scenarios().rules().size() == 1);
  CHECK(with_slow.task_count() == 0);  // x1 evicted, x2 reset with key b
}

TEST_CASE("fuzz_state: a ticket charged twice, or listed twice in an account, never hangs settling") {
  Fixture f;
  // Found by fuzz_state (tests/fuzz/state/crash-duplicate-ticket.jsonl): two reservations with one
  // ticket left a stale finish entry that SettleLocked looped on forever.
  CHECK(f.engine.ApplyStateRecord(nlohmann::json::parse(
                R"({"t":"account","key":"k","usage":{"remaining":5,"used":10,"next_ticket":4,"active":[[3,"a","m",5.0,10,"succeeded"],[3,"b","m",5.0,20,"succeeded"]],"created":{},"recent":[]}})"))
            .message() == "account k: active: ticket 3 twice");
  Accounts accounts({});
  Accounts::Ticket charge;
  charge.id = 7;
  charge.counter = "m";
  charge.price = 2;
  charge.at_ms = 0;
  accounts.ReplayCharge("k", charge, 100, TaskState::kSucceeded);
  accounts.ReplayCharge("k", charge, 200, TaskState::kFailed);  // the same ticket again
  const Balance b = accounts.BalanceOf("k", 1000);                    // returns: nothing left to settle
  CHECK(b.used == doctest::Approx(2));
}

TEST_CASE("records that do not read are refused with what is wrong") {
  Fixture f;
  CHECK(f.engine.ApplyStateRecord(nlohmann::json::parse(R"({"t":"nope"})")).message() ==
        "unknown record kind \"nope\"");
  CHECK(f.engine.ApplyStateRecord(nlohmann::json::parse(R"({"x":1})")).message() == "a record without a kind (\"t\")");
  CHECK(f.engine.ApplyStateRecord(nlohmann::json::parse(R"({"t":"task","task":{"id":"x"}})")).message() ==
        "task: a required field is missing (field seq, rule required)");
  CHECK(f.engine.ApplyStateRecord(nlohmann::json::parse(
                R"({"t":"clock","now":9223372036854775000,"wall":1,"scale":1,"virtual":true})")).message() ==
        "clock: must be an instant from 0 to 10000000000000000 ms (the year 2286) (field now, rule maximum, got "
        "9223372036854775000)");
  CHECK(f.engine.ApplyStateRecord(nlohmann::json::parse(R"({"t":"seen","id":"x","state":"odd"})")).message() ==
        "seen: unknown state (field state, rule enum, got \"odd\")");
  CHECK(f.engine.ApplyStateRecord(nlohmann::json::parse(R"({"t":"clock","now":"soon"})")).message() ==
        "clock: a required field is missing (field wall, rule required)");
  CHECK(f.engine.ApplyStateRecord(nlohmann::json::parse(R"({"t":"clock","now":"soon","wall":1,"scale":1,"virtual":true})"))
            .message() == "clock: must be an instant from 0 to 10000000000000000 ms (the year 2286) (field now, rule type, got "
                          "\"soon\")");
  // Found by fuzz_state (tests/fuzz/state/crash-float-finish.jsonl): a fraction or an exponent where an
  // integer belongs was converted unchecked (undefined behaviour past the integer's range).
  CHECK(f.engine.ApplyStateRecord(nlohmann::json::parse(
                R"({"t":"account","key":"k","usage":{"remaining":5,"used":0,"next_ticket":2,"active":[[1,"a","m",5.0,1.79618e+42,"succeeded"]],"created":{},"recent":[]}})"))
            .message() == "account: must be an instant from 0 to 10000000000000000 ms, or 9223372036854775807 (never) "
                          "(field usage.active[0][4], rule anyOf, got 1.79618e+42)");
  CHECK(f.engine.ApplyStateRecord(nlohmann::json::parse(R"({"t":"sequence","next":1e30})")).message() ==
        "sequence: must be less than or equal to 9007199254740991 (field next, rule maximum, got 1e+30)");
  CHECK(f.engine.ApplyStateRecord(nlohmann::json::parse(
                R"({"t":"profile","key":"k","at":0,"profile":{"revoked":false,"credits":1,"user_group":"default","webhook_hmac_key":"","default_scenario":"","callback_faults":"","rate_limits":{"burst":{"count":1e20,"window_s":1}}}})"))
            .message() == "profile: must be less than or equal to 1000000000 (field profile.rate_limits.burst.count, rule "
                          "maximum, got 1e+20)");
  CHECK(f.engine.task_count() == 0);
}

TEST_CASE("issue 25: a record naming an output kind or a rule endpoint that does not exist is refused, not read as another") {
  // Before the records had a schema, any output kind but "image" was read as a video and any
  // endpoint but "create" as "query".
  Fixture f;
  CHECK(f.engine.ApplyStateRecord(nlohmann::json::parse(
                R"({"t":"stored","task":{"id":"x1","provider":"evolink","key":"a","model":"m","request":"{}",)"
                R"("output":{"kind":"gif","count":1,"quality_p":480,"duration_s":6,"upscaled":false},)"
                R"("timeline":[1,2,3,9,"succeeded"],)"  // format 1's form, which both versions read
                R"("credits":3.0,"seen":"waiting"}})"))
            .message() == R"(stored: must be one of: video, image (field task.output.kind, rule enum, got "gif"))");
  CHECK(f.engine.task_count() == 0);
  CHECK(f.engine.ApplyStateRecord(nlohmann::json::parse(R"({"t":"rule","rule":{"id":4,"scenario":"slow","endpoint":"download"}})"))
            .message() == R"(rule: must be one of: create, query (field rule.endpoint, rule enum, got "download"))");
  CHECK(f.engine.scenarios().rules().empty());
}

}  // namespace imagine
