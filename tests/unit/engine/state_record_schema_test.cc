// The state records' schema (schemas/state-records.schema.yaml, engine/state_record_schema.h):
// it describes exactly the kinds that are written and applied, each kind's definition takes a
// valid record and refuses an invalid one in its own words (field, rule, value), the whole
// document validates a record of any kind, and every record an engine writes is valid.
#include <doctest/doctest.h>

#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/state_record_schema.h"
#include "engine/state_records.h"
#include "spec/embedded_documents.h"
#include "spec/json_schema.h"
#include "unit/engine/engine_test_support.h"

namespace imagine {
namespace {

using json = nlohmann::json;

const char* const kTask =
    R"({"id":"x1","provider":"evolink","key":"a","model":"m","request":"{}","output":{"kind":"video","count":1,)"
    R"("quality_p":480,"duration_s":6,"upscaled":false},"timeline":{"created":1000,"queuing":2000,"generating":3000,)"
    R"("finished":9000,"outcome":"succeeded"},"credits":3.0,"seen":"waiting"})";

// `j` with the value at `pointer` replaced.
json With(json j, const std::string& pointer, const json& value) {
  j[json::json_pointer(pointer)] = value;
  return j;
}
json TaskWith(const std::string& pointer, const json& value) { return With(json::parse(kTask), pointer, value); }

const json kProfile = json::parse(
    R"({"revoked":false,"credits":20,"user_group":"default","webhook_hmac_key":"","default_scenario":"","callback_faults":""})");
const json kCharge = json::parse(R"({"ticket":1,"counter":"m","price":3.0,"at":1000,"burst":true,"hourly":false})");
const json kUsage = json::parse(
    R"({"remaining":5,"used":1,"next_ticket":3,"active":[{"ticket":2,"task":"x9","counter":"m","price":1.0,)"
    R"("finish":9223372036854775807,"outcome":"succeeded"}],"created":{"m":[1000]},"recent":[]})");

struct Row {
  const char* kind;
  json valid;
  json invalid;
  const char* message;  // CheckStateRecord's words for `invalid`
};

std::vector<Row> Rows() {
  const json usage_bad = With(kUsage, "/active/0/finish", -5);
  const json profile_bad = With(kProfile, "/user_group", "gold");
  return {
      {"snapshot", {{"t", "snapshot"}, {"format", "imagine-emu-state"}, {"version", 2}, {"generation", 3}, {"written_wall_ms", 1}},
       {{"t", "snapshot"}, {"format", "other"}, {"version", 2}, {"generation", 3}},
       R"(snapshot: not an imagine-emu state (field format, rule const, got "other"))"},
      {"end", {{"t", "end"}, {"records", 3}}, {{"t", "end"}}, "end: a required field is missing (field records, rule required)"},
      {"task", {{"t", "task"}, {"seq", 0}, {"task", json::parse(kTask)}, {"charge", kCharge}, {"rule", 1}},
       {{"t", "task"}, {"seq", 0}, {"task", json::parse(kTask)}, {"charge", With(kCharge, "/price", -1)}},
       "task: must be greater than or equal to 0 (field charge.price, rule minimum, got -1)"},
      // Before issue 25 an unknown output kind was read as a video.
      {"stored", {{"t", "stored"}, {"task", json::parse(kTask)}}, {{"t", "stored"}, {"task", TaskWith("/output/kind", "gif")}},
       R"(stored: must be one of: video, image (field task.output.kind, rule enum, got "gif"))"},
      {"update", {{"t", "update"}, {"task", TaskWith("/fail_reason", "request_cancelled")}},
       {{"t", "update"}, {"task", TaskWith("/timeline/outcome", "queuing")}},
       R"(update: the outcome must be succeeded or failed (field task.timeline.outcome, rule enum, got "queuing"))"},
      {"seen", {{"t", "seen"}, {"id", "x1"}, {"state", "queuing"}}, {{"t", "seen"}, {"id", "x1"}, {"state", "odd"}},
       R"(seen: unknown state (field state, rule enum, got "odd"))"},
      {"poll", {{"t", "poll"}, {"id", "x1"}}, {{"t", "poll"}, {"id", ""}},
       R"(poll: must be at least 1 characters long (field id, rule minLength, got ""))"},
      {"evict", {{"t", "evict"}, {"id", "x1"}}, {{"t", "evict"}, {"id", 7}},
       "evict: must be of type string (field id, rule type, got 7)"},
      {"reset", {{"t", "reset"}, {"key", ""}, {"configured", true}}, {{"t", "reset"}, {"key", "b"}, {"configured", "yes"}},
       R"(reset: must be of type boolean (field configured, rule type, got "yes"))"},
      {"configured", {{"t", "configured"}}, {{"t", "configured"}, {"key", "a"}},
       R"(configured: an unknown field (field key, rule additionalProperties, got "a"))"},
      {"profile", {{"t", "profile"}, {"key", "a"}, {"at", 1000}, {"profile", kProfile}},
       {{"t", "profile"}, {"key", "a"}, {"at", 1000}, {"profile", profile_bad}},
       R"(profile: must be one of: default, vip (field profile.user_group, rule enum, got "gold"))"},
      {"account", {{"t", "account"}, {"key", "c"}, {"usage", kUsage}}, {{"t", "account"}, {"key", "c"}, {"usage", usage_bad}},
       "account: must be an instant from 0 to 10000000000000000 ms, or 9223372036854775807 (never) "
       "(field usage.active[0].finish, rule anyOf, got -5)"},
      // Before issue 25 an endpoint other than "create" was read as "query".
      {"rule", {{"t", "rule"}, {"rule", {{"id", 4}, {"scenario", "slow"}, {"key", "a"}, {"endpoint", "query"}, {"times", -1}}}},
       {{"t", "rule"}, {"rule", {{"id", 4}, {"scenario", "slow"}, {"endpoint", "download"}}}},
       R"(rule: must be one of: create, query (field rule.endpoint, rule enum, got "download"))"},
      {"unrule", {{"t", "unrule"}, {"id", 4}}, {{"t", "unrule"}, {"id", 0}},
       "unrule: must be greater than or equal to 1 (field id, rule minimum, got 0)"},
      {"rules_cleared", {{"t", "rules_cleared"}}, {{"t", "rules_cleared"}, {"n", 2}},
       "rules_cleared: an unknown field (field n, rule additionalProperties, got 2)"},
      {"chaos", {{"t", "chaos"}, {"chaos", {{"slow", 0.5}}}}, {{"t", "chaos"}, {"chaos", {{"slow", 1.5}}}},
       "chaos: must be a probability from 0 to 1 (field chaos.slow, rule maximum, got 1.5)"},
      {"commit", {{"t", "commit"}, {"rule", 4}, {"chaos_draws", 3}}, {{"t", "commit"}, {"chaos_draws", -1}},
       "commit: must be greater than or equal to 0 (field chaos_draws, rule minimum, got -1)"},
      {"draws", {{"t", "draws"}, {"n", 5}}, {{"t", "draws"}, {"n", 1.5}},
       "draws: must be of type integer (field n, rule type, got 1.5)"},
      {"scenarios",
       {{"t", "scenarios"}, {"state", {{"rules", {{{"id", 1}, {"scenario", "slow"}, {"times", -1}}}}, {"next_rule_id", 2},
                                       {"chaos", {{"slow", 0.1}}}, {"chaos_draws", 2}}}},
       {{"t", "scenarios"}, {"state", {{"rules", json::array()}, {"chaos", json::object()}, {"chaos_draws", 2}}}},
       "scenarios: a required field is missing (field state.next_rule_id, rule required)"},
      {"sequence", {{"t", "sequence"}, {"next", 7}}, {{"t", "sequence"}, {"next", "7"}},
       R"(sequence: must be of type integer (field next, rule type, got "7"))"},
      {"clock", {{"t", "clock"}, {"now", 1000}, {"wall", 2000}, {"scale", 1.0}, {"virtual", true}},
       {{"t", "clock"}, {"now", 1000}, {"wall", 2000}, {"scale", 0}, {"virtual", true}},
       "clock: must be a time scale above 0 and at most 1000000 (field scale, rule exclusiveMinimum, got 0)"},
  };
}

// The whole document, compiled: it validates a record of any kind.
std::shared_ptr<const spec::Validator> WholeDocument() {
  auto doc = LoadEmbeddedSchema(kStateRecordSchema);
  REQUIRE(doc.ok());
  auto compiled = spec::Validator::Compile(*doc, *doc);
  REQUIRE(compiled.ok());
  return *compiled;
}

}  // namespace

TEST_CASE("state records: the schema names exactly the kinds the engine applies, plus the snapshot's frame") {
  auto doc = LoadEmbeddedSchema(kStateRecordSchema);
  REQUIRE(doc.ok());
  std::set<std::string> listed;
  for (const json& kind : (*doc)["properties"]["t"]["enum"]) listed.insert(kind.get<std::string>());
  std::set<std::string> defined;
  for (const auto& [name, schema] : (*doc)["definitions"].items()) {
    if (name.size() > 7 && name.compare(name.size() - 7, 7, "_record") == 0) defined.insert(name.substr(0, name.size() - 7));
  }
  CHECK(listed == defined);
  CHECK(listed.size() == 23);  // outage and outages_cleared: issue 26
  CHECK((*doc)["oneOf"].size() == listed.size());
  Engine engine({}, std::make_unique<VirtualClock>(0));
  for (const std::string& kind : listed) {
    INFO(kind);
    const std::string said = engine.ApplyStateRecord({{"t", kind}, {"x", 1}}).message();
    const bool applied_by_engine = said.find("unknown record kind") == std::string::npos;
    CHECK(applied_by_engine == (kind != "snapshot" && kind != "end"));  // those two are the state directory's
  }
  for (const char* legacy : {"TimelineV1", "ChargeV1", "ReservationV1"}) {  // one name per position
    INFO(legacy);
    const json& d = (*doc)["definitions"][legacy];
    CHECK(d["x-fields"].size() == d["items"].size());
    CHECK(d["minItems"] == d["items"].size());
  }
}

TEST_CASE("state records: each kind takes a valid record and refuses an invalid one with its field and rule") {
  const auto whole = WholeDocument();
  for (const Row& row : Rows()) {
    SUBCASE(row.kind) {
      INFO(row.valid.dump());
      CHECK(CheckStateRecord(row.kind, row.valid).ok());
      CHECK(whole->Validate(row.valid, nullptr));
      INFO(row.invalid.dump());
      const Status refused = CheckStateRecord(row.kind, row.invalid);
      CHECK(refused.code() == Code::kInvalidArgument);
      CHECK(refused.message() == row.message);
      CHECK(!refused.violation().rule.empty());
      CHECK(!whole->Validate(row.invalid, nullptr));
    }
  }
}

TEST_CASE("state records: a kind the schema does not describe is refused by name") {
  CHECK(CheckStateRecord("nope", {{"t", "nope"}}).message() == "unknown record kind \"nope\"");
}

namespace {

std::string SerialId(Random& random, int64_t) { return "t" + std::to_string(random.Next() % 1000000007ULL); }

using testing::MemoryLog;

class NoObserver : public TaskObserver {
 public:
  void OnTaskFinished(const Task&, int64_t) override {}
};

}  // namespace

TEST_CASE("state records: every record an engine writes, to its log or a snapshot, is in the current form and valid") {
  ScenarioDef slow;
  slow.name = "slow";
  slow.stages = kStageLifecycle;
  EngineOptions options;
  options.seed = 5;
  options.max_stored_tasks = 3;  // the fourth create evicts a finished task
  Engine engine(options, std::make_unique<VirtualClock>(1'000'000), {}, {slow});
  MemoryLog log;
  NoObserver observer;
  engine.SetObserver(&observer);  // states reported: "seen"
  engine.SetStateLog(&log);
  ModelOptions model;
  model.timing = {1, 1, 2, 2, 10, 20};
  model.price = 2;
  auto spec = [&](const std::string& key) {
    NewTask t;
    t.owner_key = key;
    t.model = &model;
    t.reported_model = "m";
    t.request_json = R"({"prompt":"x"})";
    return t;
  };
  ArmedScenario polls;  // every optional task field set
  polls.name = "record_not_ready";
  polls.effects.not_ready_polls = 1;
  polls.effects.progress = {10, 90};
  polls.effects.expire_results = true;
  NewTask polled = spec("a");
  polled.scenario = &polls;
  polled.callback_url = "https://example.com/hook";
  polled.callback_faults = "duplicate";
  auto first = engine.CreateTask(std::move(polled), &SerialId);
  REQUIRE(first.ok());
  CHECK(engine.ConsumeNotReadyPoll(first->id));
  KeyProfile profile;
  profile.credits = 50;
  REQUIRE(engine.SetKeyProfile("b", profile).ok());
  ScenarioRule rule;
  rule.scenario = "slow";
  rule.key = "b";
  auto added = engine.AddScenarioRule(rule);
  REQUIRE(added.ok());
  ArmedScenario matched;
  matched.rule_id = added->id;
  engine.CommitScenario(matched);
  REQUIRE(engine.SetChaos({{"slow", 0.5}}).ok());
  ScenarioContext ctx;
  ctx.key = "c";
  REQUIRE(engine.SelectScenario(ctx).ok());  // a chaos draw
  auto second = engine.CreateTask(spec("b"), &SerialId);
  REQUIRE(second.ok());
  REQUIRE(engine.FailTask(second->id, "generation_failed", "E1", "no").ok());
  REQUIRE(engine.AdvanceClock(60'000).ok());
  for (int i = 0; i < 3; ++i) REQUIRE(engine.CreateTask(spec("c"), &SerialId).ok());
  REQUIRE(engine.RemoveScenarioRule(added->id).ok());
  REQUIRE(engine.ClearScenarioRules().ok());
  REQUIRE(engine.Reset("c").ok());
  REQUIRE(engine.CreateTask(spec("d"), &SerialId).ok());  // one task for the snapshot to hold
  std::vector<std::string> written = log.records;
  REQUIRE(engine.WriteStateSnapshot(
                    [&](const std::string& r) {
                      written.push_back(r);
                      return Status::Ok();
                    },
                    [] { return Status::Ok(); })
              .ok());

  const auto whole = WholeDocument();
  std::set<std::string> kinds;
  for (const std::string& line : written) {
    INFO(line);
    const json record = json::parse(line);
    const std::string kind = record["t"];
    kinds.insert(kind);
    json upgraded;
    auto legacy = UpgradeStateRecord(kind, record, &upgraded);
    REQUIRE(legacy.ok());
    CHECK(!*legacy);  // nothing positional is written
    CHECK(CheckStateRecord(kind, record).ok());
    CHECK(whole->Validate(record, nullptr));
  }
  // Every kind the engine writes ("configured" only older logs wrote; the frame is the directory's).
  std::string seen_kinds;
  for (const std::string& kind : kinds) seen_kinds += kind + " ";
  CHECK(seen_kinds ==
        "account chaos clock commit draws evict poll profile reset rule rules_cleared scenarios seen sequence stored task "
        "unrule update ");
}

}  // namespace imagine
