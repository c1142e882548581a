// Restoring an engine from a state directory's records (Engine::ApplyStateRecord): each kind
// of record is applied by one small function, found by its kind in one table. Every record is
// first checked against schemas/state-records.schema.yaml (engine/state_record_schema.h; a
// record in format version 1's positional form is converted first), so these functions read
// fields the schema vouches for and check only what a schema cannot say. Records apply in
// the order written.
#include <algorithm>
#include <string_view>

#include "engine/accounts_json.h"
#include "engine/engine.h"
#include "engine/scenarios_json.h"
#include "engine/state_record_schema.h"
#include "engine/state_records.h"

namespace imagine {

using json = nlohmann::json;

// The engine's side of each record kind (a friend of Engine). Each function may throw
// std::exception for a field of the wrong type; ApplyStateRecord words that.
struct StateReplay {
  // A create: the task, its charge, the scenario it used and its number in the id sequence.
  static Status Created(Engine& e, const json& r) {
    auto task = TaskFromStateJson(r.at("task"));
    if (!task.ok()) return task.status();
    const Accounts::Ticket charge = ChargeFromStateJson(r.at("charge"));
    task->ticket = charge.id;
    if (e.store_.Insert(*task, e.clock_->NowMs()) != TaskStore::InsertResult::kInserted) return Status::Ok();
    const Timeline& tl = task->timeline;
    e.accounts_.ReplayCharge(task->owner_key, charge, tl.finished_ms, tl.outcome);
    ReplayCommit(e, r);
    RaiseSequence(e, StateInteger<uint64_t>(r.at("seq")) + 1);
    return Status::Ok();
  }
  // A snapshot's task: its charge is in its key's account record, read before it.
  static Status Stored(Engine& e, const json& r) {
    auto task = TaskFromStateJson(r.at("task"));
    if (!task.ok()) return task.status();
    task->ticket = e.accounts_.TakeRestoredTicket(task->owner_key, task->id);
    e.store_.Insert(*task, e.clock_->NowMs());
    return Status::Ok();
  }
  static Status Updated(Engine& e, const json& r) {
    auto task = TaskFromStateJson(r.at("task"));
    if (!task.ok()) return task.status();
    uint64_t ticket = 0;  // not in the record: the stored task's
    e.store_.Update(task->id, [&](Task& t) {
      ticket = t.ticket;
      t = *task;
      t.ticket = ticket;
    });
    e.accounts_.Reschedule(task->owner_key, task->id, ticket, task->timeline.finished_ms, task->timeline.outcome);
    return Status::Ok();
  }
  static Status Seen(Engine& e, const json& r) {
    TaskState state;
    if (!TaskStateFromName(r.at("state").get<std::string>(), &state)) return InvalidArgument("seen: unknown state");
    e.store_.Update(r.at("id").get<std::string>(), [&](Task& t) { t.notified = state; });
    return Status::Ok();
  }
  static Status Polled(Engine& e, const json& r) {
    e.store_.Update(r.at("id").get<std::string>(), [](Task& t) { t.not_ready_polls = std::max(0, t.not_ready_polls - 1); });
    return Status::Ok();
  }
  static Status Evicted(Engine& e, const json& r) {
    e.store_.Remove(r.at("id").get<std::string>());
    return Status::Ok();
  }
  // The config's rules are timed from the reset ("at"; a record without it, written before
  // it was kept: from the clock at replay).
  static Status Reset(Engine& e, const json& r) {
    IMAGINE_RETURN_IF_ERROR(e.Reset(r.at("key").get<std::string>(), false).status());
    if (r.value("configured", false)) {
      e.RestoreConfiguredUnlogged(r.contains("at") ? StateInteger<int64_t>(r.at("at")) : e.clock_->NowMs());
    }
    return Status::Ok();
  }
  static Status Configured(Engine& e, const json&) {  // older logs wrote it apart from its reset
    e.RestoreConfiguredUnlogged(e.clock_->NowMs());
    return Status::Ok();
  }
  static Status Profile(Engine& e, const json& r) {
    CheckStateNumbers(r.at("profile"));  // the config's converter reads its integers unchecked
    e.accounts_.SetProfile(r.at("key").get<std::string>(), KeyProfileFromJson(r.at("profile")),
                           StateInteger<int64_t>(r.at("at")));
    return Status::Ok();
  }
  static Status Account(Engine& e, const json& r) {
    return e.accounts_.ImportAccount(r.at("key").get<std::string>(), r.at("usage"));
  }
  static Status Rule(Engine& e, const json& r) {
    e.scenarios_.RestoreRule(ScenarioRuleFromState(r.at("rule")));
    return Status::Ok();
  }
  // An outage set: the provider's earlier outage rules gave way to this one.
  static Status Outage(Engine& e, const json& r) {
    ScenarioRule rule = ScenarioRuleFromState(r.at("rule"));
    if (!rule.provider) return InvalidArgument("outage: the rule names no provider");
    e.scenarios_.RemoveOutages(rule.provider);
    e.scenarios_.RestoreRule(rule);
    return Status::Ok();
  }
  static Status OutagesCleared(Engine& e, const json& r) {
    std::optional<Provider> provider;
    if (r.contains("provider")) provider = FindProvider(r.at("provider").get<std::string>()).value_or(Provider{255});
    e.scenarios_.RemoveOutages(provider);
    return Status::Ok();
  }
  static Status Unrule(Engine& e, const json& r) {
    e.scenarios_.RemoveRule(StateInteger<uint64_t>(r.at("id")));
    return Status::Ok();
  }
  static Status RulesCleared(Engine& e, const json&) {
    e.scenarios_.ClearRules();
    return Status::Ok();
  }
  static Status Chaos(Engine& e, const json& r) {
    return e.scenarios_.SetChaos(r.at("chaos").get<std::map<std::string, double>>());
  }
  static Status Commit(Engine& e, const json& r) {
    ReplayCommit(e, r);
    return Status::Ok();
  }
  static Status Draws(Engine& e, const json& r) {
    e.scenarios_.ReplayChaosDraws(StateInteger<uint64_t>(r.at("n")));
    return Status::Ok();
  }
  static Status Scenarios(Engine& e, const json& r) { return e.scenarios_.ImportState(r.at("state")); }
  static Status Sequence(Engine& e, const json& r) {
    RaiseSequence(e, StateInteger<uint64_t>(r.at("next")));
    return Status::Ok();
  }
  static Status Clock(Engine& e, const json& r) {
    int64_t target = StateInteger<int64_t>(r.at("now"));
    const double scale = StateNumber(r.at("scale"));
    const bool is_virtual = r.at("virtual").get<bool>();
    if (!is_virtual) {  // real time kept running while the emulator was down
      const int64_t down_ms = WallNowMs() - StateInteger<int64_t>(r.at("wall"));
      if (down_ms > 0) target += static_cast<int64_t>(std::min(1e15, static_cast<double>(down_ms) * scale));
    }
    if (auto* real = dynamic_cast<RealClock*>(e.clock_.get())) {
      if (!is_virtual) real->SetTimeScale(scale);
      real->RestoreTo(target);
    } else if (auto* virt = dynamic_cast<VirtualClock*>(e.clock_.get())) {
      virt->RestoreTo(target);
    }
    return Status::Ok();
  }

  // What Scenarios::Commit did for a create or a scripted answer: a rule's match, a chaos draw.
  static void ReplayCommit(Engine& e, const json& r) {
    if (r.contains("rule")) {
      ArmedScenario armed;
      armed.rule_id = StateInteger<uint64_t>(r.at("rule"));
      e.scenarios_.Commit(armed);
    }
    if (r.contains("chaos_draws")) e.scenarios_.ReplayChaosDraws(StateInteger<uint64_t>(r.at("chaos_draws")));
  }
  static void RaiseSequence(Engine& e, uint64_t next) {
    if (next > e.sequence_.load()) e.sequence_.store(next);
  }
};

namespace {

// Each kind the engine writes (schemas/state-records.schema.yaml, "<kind>_record") and
// the function that applies it. The snapshot header and end line are the state directory's.
struct RecordKind {
  std::string_view kind;
  Status (*apply)(Engine& e, const json& record);
};
constexpr RecordKind kRecordKinds[] = {
    {"task", &StateReplay::Created},        {"stored", &StateReplay::Stored},
    {"update", &StateReplay::Updated},      {"seen", &StateReplay::Seen},
    {"poll", &StateReplay::Polled},         {"evict", &StateReplay::Evicted},
    {"reset", &StateReplay::Reset},         {"configured", &StateReplay::Configured},
    {"profile", &StateReplay::Profile},     {"account", &StateReplay::Account},
    {"rule", &StateReplay::Rule},           {"unrule", &StateReplay::Unrule},
    {"rules_cleared", &StateReplay::RulesCleared}, {"chaos", &StateReplay::Chaos},
    {"outage", &StateReplay::Outage},       {"outages_cleared", &StateReplay::OutagesCleared},
    {"commit", &StateReplay::Commit},       {"draws", &StateReplay::Draws},
    {"scenarios", &StateReplay::Scenarios}, {"sequence", &StateReplay::Sequence},
    {"clock", &StateReplay::Clock},
};

std::string KindOf(const json& record) {
  auto t = record.find("t");
  return t != record.end() && t->is_string() ? t->get<std::string>() : "";
}

}  // namespace

Status Engine::ApplyStateRecord(const nlohmann::json& record) {
  const std::string kind = record.is_object() ? KindOf(record) : "";
  const auto* entry = std::find_if(std::begin(kRecordKinds), std::end(kRecordKinds),
                                   [&](const RecordKind& k) { return k.kind == kind; });
  if (entry == std::end(kRecordKinds)) {
    return InvalidArgument(kind.empty() ? "a record without a kind (\"t\")" : "unknown record kind \"" + kind + "\"");
  }
  json upgraded;  // the record in the current form, when it was written in format version 1's
  auto legacy = UpgradeStateRecord(kind, record, &upgraded);
  if (!legacy.ok()) return legacy.status();
  const json& r = *legacy ? upgraded : record;
  IMAGINE_RETURN_IF_ERROR(CheckStateRecord(kind, r));
  try {
    return entry->apply(*this, r);
  } catch (const std::exception&) {
    return InvalidArgument("record \"" + kind + "\": a field is missing or of the wrong type");
  }
}

void Engine::ResumeRestoredTasks() {
  if (!watching()) return;
  std::vector<std::pair<std::string, int64_t>> due;  // tasks with a state report ahead
  store_.ForEachOldestFirst([&](const Task& t) {
    const int64_t next = t.timeline.NextBoundaryAfter(t.notified);
    if (next != kNever) due.emplace_back(t.id, next);
  });
  for (const auto& [id, at] : due) {
    const int64_t due_ms = at;
    store_.ArmWatch(id, [&](uint64_t handle, uint64_t previous) {
      if (previous != 0) scheduler_.Cancel(previous);
      return scheduler_.ScheduleLaneAt(due_ms, handle);
    });
  }
  if (clock_->is_virtual()) scheduler_.Advance(0);  // what was already due when the process died
}

}  // namespace imagine
